#include "plugin/handoff/DeadPathDetector.hpp"

#include <gtest/gtest.h>

namespace goaway::handoff {
namespace {

using namespace std::chrono_literals;
using V = DeadPathDetector::Verdict;

/// 2.5 Mbit/s in 100 ms turns of the send loop, with the server asked to acknowledge every
/// 64 KiB (about five times a second at that rate).
constexpr std::uint64_t kPerTurn = 31250;
constexpr std::uint64_t kSpacing = 64 * 1024;

struct FakeClock {
	TimePoint now{};
	void advance(std::chrono::milliseconds d) { now += d; }
};

TEST(DeadPathDetector, WindowIsBounded)
{
	EXPECT_EQ(DeadPathDetector(100ms).window(), DeadPathDetector::kMinWindow);
	EXPECT_EQ(DeadPathDetector(60s).window(), DeadPathDetector::kMaxWindow);
	EXPECT_EQ(DeadPathDetector().window(), 2000ms);
	EXPECT_EQ(DeadPathDetector(1500ms).window(), 1500ms);
}

TEST(DeadPathDetector, AcknowledgementsThatStopWhileDataWaitsAreADeadPathWithinTheWindow)
{
	FakeClock clock;
	DeadPathDetector d(2000ms);
	std::uint64_t sent = 0, acked = 0;
	// Healthy: the server acknowledges each window's worth about one turn after it arrives.
	for (int turn = 0; turn < 50; ++turn) {
		sent += kPerTurn;
		if (sent - acked > kSpacing + kPerTurn)
			acked += kSpacing;
		EXPECT_EQ(d.update(clock.now, sent, acked, kSpacing), V::Healthy) << "turn " << turn;
		clock.advance(100ms);
	}
	// The server stops reading and answering; the output keeps writing into the socket.
	const TimePoint stalled = clock.now;
	std::optional<TimePoint> deadAt;
	for (int turn = 0; turn < 60 && !deadAt; ++turn) {
		sent += kPerTurn;
		if (d.update(clock.now, sent, acked, kSpacing) == V::Dead)
			deadAt = clock.now;
		clock.advance(100ms);
	}
	ASSERT_TRUE(deadAt) << "a dead path was never reported";
	// The acknowledgement was due once more than a window was outstanding (at most a few
	// turns after the stall); dead exactly one detection window later, not before.
	ASSERT_TRUE(d.dueSince());
	EXPECT_EQ(*deadAt - *d.dueSince(), 2000ms);
	EXPECT_LE(*deadAt - stalled, 2000ms + 400ms);
	ASSERT_TRUE(d.lastProgress());
	EXPECT_LT(*d.lastProgress(), stalled);
}

TEST(DeadPathDetector, AcknowledgementsThatProgressWhileTheQueueGrowsAreCongestionNotADeadPath)
{
	FakeClock clock;
	DeadPathDetector d(2000ms);
	std::uint64_t sent = 0, acked = 0;
	bool congested = false;
	// The path carries only half of what is sent, for 20 s: ten detection windows.
	for (int turn = 0; turn < 200; ++turn) {
		sent += kPerTurn;
		if (turn % 4 == 3)
			acked += kSpacing; // a window acknowledged every 400 ms: ~1.3 Mbit/s
		const V v = d.update(clock.now, sent, acked, kSpacing);
		ASSERT_NE(v, V::Dead) << "turn " << turn;
		congested = congested || v == V::Congested;
		clock.advance(100ms);
	}
	EXPECT_TRUE(congested);
}

TEST(DeadPathDetector, NothingOutstandingIsNotADeadPath)
{
	FakeClock clock;
	DeadPathDetector d(500ms);
	// Everything sent was acknowledged, then the stream pauses (no media): no acknowledgement
	// can come because none is owed.
	EXPECT_EQ(d.update(clock.now, 200000, 200000, kSpacing), V::Healthy);
	for (int turn = 0; turn < 100; ++turn) {
		clock.advance(100ms);
		EXPECT_EQ(d.update(clock.now, 200000, 200000, kSpacing), V::Healthy);
	}
	// Less than a window outstanding: the server owes nothing yet either (a slow stream).
	for (int turn = 0; turn < 100; ++turn) {
		clock.advance(100ms);
		EXPECT_EQ(d.update(clock.now, 200000 + kSpacing, 200000, kSpacing), V::Healthy);
	}
}

TEST(DeadPathDetector, UnknownAcknowledgementsDecideNothing)
{
	FakeClock clock;
	DeadPathDetector d(500ms);
	for (int turn = 0; turn < 100; ++turn) {
		clock.advance(100ms);
		EXPECT_EQ(d.update(clock.now, std::uint64_t(turn) * kPerTurn, std::nullopt, kSpacing), V::Healthy);
	}
}

TEST(DeadPathDetector, TcpFactsAcknowledgeEveryRoundTripSoAnyStuckByteCounts)
{
	FakeClock clock;
	DeadPathDetector d(1000ms);
	EXPECT_EQ(d.update(clock.now, 1000, 1000, 0), V::Healthy);
	clock.advance(100ms);
	EXPECT_EQ(d.update(clock.now, 2000, 1000, 0), V::Healthy); // due from here
	clock.advance(999ms);
	EXPECT_EQ(d.update(clock.now, 3000, 1000, 0), V::Healthy);
	clock.advance(1ms);
	EXPECT_EQ(d.update(clock.now, 3000, 1000, 0), V::Dead);
	d.reset();
	EXPECT_EQ(d.update(clock.now, 3000, 1000, 0), V::Healthy); // a new session starts afresh
}

} // namespace
} // namespace goaway::handoff
