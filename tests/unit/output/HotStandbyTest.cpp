// HotStandby (issue 16, item 3): when a standby is connected, taken, dropped and made again.
#include "plugin/output/HotStandby.hpp"

#include <gtest/gtest.h>

using namespace goaway;
using namespace std::chrono_literals;
using Phase = output::HotStandby::Phase;

namespace {

const handoff::TimePoint t0 = handoff::TimePoint{} + 1000s;
const std::string kUrl = "rtmp://ingest.example:1935/live";

handoff::Target target(std::string url, std::string address = {})
{
	handoff::Target t;
	t.url = std::move(url);
	t.address = std::move(address);
	return t;
}

} // namespace

TEST(HotStandby, OffConnectsNothing)
{
	output::HotStandby s(false);
	EXPECT_EQ(s.phase(), Phase::Off);
	EXPECT_FALSE(s.shouldConnect(t0, true));
	EXPECT_FALSE(s.take(target(kUrl), t0));
}

TEST(HotStandby, ConnectsOnlyWhileStreamingWithoutAHandoff)
{
	output::HotStandby s(true);
	EXPECT_FALSE(s.shouldConnect(t0, false)) << "not while a handoff runs or before the stream is live";
	ASSERT_TRUE(s.shouldConnect(t0, true));
	const auto id = s.beginConnect(kUrl);
	EXPECT_TRUE(s.isStandby(id));
	EXPECT_FALSE(s.isStandby(1)) << "the handoff machine's sessions count up from 1";
	EXPECT_EQ(s.phase(), Phase::Connecting);
	EXPECT_FALSE(s.shouldConnect(t0, true)) << "one at a time";
	EXPECT_FALSE(s.take(target(kUrl), t0)) << "not before it is ready";
	EXPECT_TRUE(s.connected(id, "192.0.2.1"));
	EXPECT_EQ(s.phase(), Phase::Ready);
	EXPECT_EQ(s.current(), id);
}

TEST(HotStandby, TakenOnlyForTheSameUrlAndAddress)
{
	output::HotStandby s(true);
	const auto id = s.beginConnect(kUrl);
	s.connected(id, "192.0.2.1");
	EXPECT_FALSE(s.take(target("rtmp://other.example:1935/live"), t0));
	EXPECT_FALSE(s.take(target(kUrl, "192.0.2.2"), t0)) << "another node of the same name";
	EXPECT_EQ(s.take(target(kUrl, "192.0.2.1"), t0), id);
	EXPECT_EQ(s.phase(), Phase::Waiting);
	EXPECT_FALSE(s.current());
	// Made again once the new session had time to catch up.
	EXPECT_FALSE(s.shouldConnect(t0 + output::HotStandby::kAfterUse - 1ms, true));
	EXPECT_TRUE(s.shouldConnect(t0 + output::HotStandby::kAfterUse, true));
	const auto next = s.beginConnect(kUrl);
	EXPECT_NE(next, id);
	s.connected(next, "192.0.2.1");
	EXPECT_EQ(s.take(target(kUrl), t0 + 10s), next) << "a target without an address takes any";
}

TEST(HotStandby, FailuresBackOffFromOneToThirtySeconds)
{
	output::HotStandby s(true);
	handoff::TimePoint now = t0;
	std::vector<std::chrono::milliseconds> waits;
	for (int i = 0; i < 7; ++i) {
		const auto id = s.beginConnect(kUrl);
		s.failed(id, now);
		auto wait = 0ms;
		while (!s.shouldConnect(now + wait, true))
			wait += 500ms;
		waits.push_back(wait);
		now += wait;
	}
	EXPECT_EQ(waits,
		  (std::vector<std::chrono::milliseconds>{1000ms, 2000ms, 4000ms, 8000ms, 16000ms, 30000ms, 30000ms}));
	// A success ends the back-off: the next drop waits a second again.
	const auto id = s.beginConnect(kUrl);
	s.connected(id, "192.0.2.1");
	s.failed(id, now); // the server dropped the ready standby
	EXPECT_FALSE(s.shouldConnect(now + 999ms, true));
	EXPECT_TRUE(s.shouldConnect(now + 1000ms, true));
}

TEST(HotStandby, LateOrStaleResultsAreRefused)
{
	output::HotStandby s(true);
	const auto id = s.beginConnect(kUrl);
	s.failed(id, t0);
	EXPECT_FALSE(s.connected(id, "192.0.2.1")) << "a result after the failure was handled: close it";
	const auto next = s.beginConnect(kUrl);
	s.stop();
	EXPECT_FALSE(s.connected(next, "192.0.2.1")) << "after the stop: close it";
	EXPECT_FALSE(s.shouldConnect(t0 + 1h, true));
}
