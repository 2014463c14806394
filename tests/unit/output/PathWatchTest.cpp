// PathWatch (issue 16): from a session's acknowledged bytes to the oldest packet the server may not
// have, congestion, a dead path, and the catch-up of a session that took over a stream.
#include "plugin/output/PathWatch.hpp"

#include <gtest/gtest.h>

using namespace goaway;
using namespace std::chrono_literals;

namespace {

constexpr handoff::SessionId kOld = 1;
constexpr handoff::SessionId kNew = 2;
const handoff::TimePoint t0 = handoff::TimePoint{} + 1000s;
/// The window the session asked the server for: an acknowledgement may be owed from 1.5 times it
/// on (PathWatch's margin), congestion needs more than twice that outstanding.
constexpr std::uint32_t kAckWindow = 100000;

output::PathWatch::AckFacts server(std::uint64_t given, std::uint64_t acked)
{
	output::PathWatch::AckFacts f;
	f.bytesGiven = given;
	f.serverAcknowledged = acked;
	f.ackWindowAsked = kAckWindow;
	return f;
}

/// Packets seq first..last of `bytes` each went to `id`, whose stream ended at `endOffset` before.
std::uint64_t send(output::PathWatch &w, handoff::SessionId id, handoff::PacketSeq first, handoff::PacketSeq last,
		   std::uint64_t endOffset, std::uint64_t bytes)
{
	for (auto seq = first; seq <= last; ++seq) {
		endOffset += bytes;
		w.noteSent(id, seq, endOffset);
	}
	return endOffset;
}

} // namespace

TEST(PathWatch, NothingBeforeTheFirstPacket)
{
	output::PathWatch w(2000ms);
	EXPECT_FALSE(w.observe(kOld, server(0, 0), t0).has_value());
}

TEST(PathWatch, TheOldestPacketNotAcknowledgedFollowsTheServer)
{
	output::PathWatch w(2000ms);
	const auto end = send(w, kOld, 1, 10, 0, 1000); // packet n ends at n * 1000
	auto o = w.observe(kOld, server(end, 0), t0);
	ASSERT_TRUE(o);
	EXPECT_EQ(o->source, handoff::AckSource::ServerAcks);
	EXPECT_EQ(o->firstUnacked, 1u);
	o = w.observe(kOld, server(end, 4500), t0 + 100ms); // packets 1-4 whole, 5 in part
	EXPECT_EQ(o->firstUnacked, 5u);
	EXPECT_EQ(o->bytesWaiting, 5500u);
	o = w.observe(kOld, server(end, end), t0 + 200ms);
	EXPECT_EQ(o->firstUnacked, 11u); // everything arrived: the next packet is the first unknown
	EXPECT_FALSE(o->deadPath);
	EXPECT_FALSE(w.congested());
}

TEST(PathWatch, WithoutServerAcknowledgementsTcpTellsAndWithoutEitherAllCountsAsReceived)
{
	output::PathWatch w(2000ms);
	const auto end = send(w, kOld, 1, 10, 0, 1000);
	output::PathWatch::AckFacts tcp;
	tcp.bytesGiven = end;
	tcp.tcpAcknowledged = 2000;
	auto o = w.observe(kOld, tcp, t0);
	EXPECT_EQ(o->source, handoff::AckSource::Tcp);
	EXPECT_EQ(o->firstUnacked, 3u);

	output::PathWatch none(2000ms);
	send(none, kOld, 1, 10, 0, 1000);
	output::PathWatch::AckFacts nothing;
	nothing.bytesGiven = end;
	o = none.observe(kOld, nothing, t0);
	EXPECT_EQ(o->source, handoff::AckSource::Assumed);
	EXPECT_EQ(o->firstUnacked, 11u);
	EXPECT_FALSE(o->deadPath);
}

TEST(PathWatch, AcknowledgementsThatFallBehindAreCongestionNotADeadPath)
{
	output::PathWatch w(2000ms);
	std::uint64_t end = send(w, kOld, 1, 100, 0, 10000);
	w.observe(kOld, server(end, 0), t0);
	// Caught up with what it had when first watched (1 MB): from now on growth is congestion.
	end = send(w, kOld, 101, 150, end, 10000);
	auto o = w.observe(kOld, server(end, 1000000), t0 + 200ms); // 500 kB outstanding
	EXPECT_FALSE(w.congested());
	end = send(w, kOld, 151, 250, end, 10000);
	o = w.observe(kOld, server(end, 1100000), t0 + 400ms); // 1.4 MB outstanding: it grows
	EXPECT_TRUE(w.congested());
	EXPECT_FALSE(o->deadPath);
	// Acknowledgements keep up again: congestion ends only after a calm of 2 s, not on one turn.
	o = w.observe(kOld, server(end, end), t0 + 600ms);
	EXPECT_TRUE(w.congested());
	o = w.observe(kOld, server(end, end), t0 + 2700ms);
	EXPECT_FALSE(w.congested());
}

TEST(PathWatch, ASessionThatTookOverCatchesUpBeforeItCanBeCongested)
{
	output::PathWatch w(2000ms);
	std::uint64_t oldEnd = send(w, kOld, 1, 10, 0, 10000);
	w.observe(kOld, server(oldEnd, oldEnd), t0);
	// The new session replays 1 MB (packets 11-110) through a fresh congestion window.
	std::uint64_t end = send(w, kNew, 11, 110, 0, 10000);
	auto o = w.observe(kNew, server(end, 0), t0 + 100ms);
	ASSERT_TRUE(o);
	EXPECT_EQ(o->firstUnacked, 11u);
	// Acknowledgements progress, and trail further behind as live media joins the replay.
	end = send(w, kNew, 111, 150, end, 10000);
	o = w.observe(kNew, server(end, 200000), t0 + 300ms); // 1.2 MB outstanding, was 1 MB
	EXPECT_FALSE(w.congested()) << "a replay through slow start is not congestion";
	EXPECT_EQ(o->firstUnacked, 31u);
	end = send(w, kNew, 151, 160, end, 10000);
	o = w.observe(kNew, server(end, 1000000), t0 + 500ms); // caught up with the first 1 MB
	EXPECT_FALSE(w.congested());
	// From here on it is a session like any other: acknowledgements falling behind are congestion.
	end = send(w, kNew, 161, 260, end, 10000);
	o = w.observe(kNew, server(end, 1100000), t0 + 700ms);
	EXPECT_TRUE(w.congested());
}

TEST(PathWatch, CatchingUpEndsAfterFiveSecondsEvenBehind)
{
	output::PathWatch w(2000ms);
	send(w, kOld, 1, 10, 0, 10000);
	std::uint64_t end = send(w, kNew, 11, 510, 0, 10000); // 5 MB to replay
	w.observe(kNew, server(end, 0), t0);
	std::uint64_t acked = 0;
	for (int turn = 1; turn <= 24; ++turn) { // 4.8 s of acknowledgements trailing ever further
		end = send(w, kNew, 510 + 20 * (turn - 1) + 1, 510 + 20 * turn, end, 10000);
		acked += 100000;
		w.observe(kNew, server(end, acked), t0 + turn * 200ms);
		ASSERT_FALSE(w.congested()) << "turn " << turn;
	}
	end = send(w, kNew, 991, 1010, end, 10000);
	w.observe(kNew, server(end, acked + 100000), t0 + 5000ms);
	EXPECT_TRUE(w.congested());
}

TEST(PathWatch, ADeadPathIsFoundWhileCatchingUp)
{
	output::PathWatch w(2000ms);
	send(w, kOld, 1, 10, 0, 10000);
	std::uint64_t end = send(w, kNew, 11, 110, 0, 10000);
	w.observe(kNew, server(end, 0), t0);
	w.observe(kNew, server(end, 200000), t0 + 100ms);
	// Nothing acknowledged after that while 800 kB wait (more than the 150 kB the server may hold).
	auto o = w.observe(kNew, server(end, 200000), t0 + 200ms);
	EXPECT_FALSE(o->deadPath);
	o = w.observe(kNew, server(end, 200000), t0 + 2100ms);
	EXPECT_FALSE(o->deadPath) << "1.9 s is inside the window";
	o = w.observe(kNew, server(end, 200000), t0 + 2200ms);
	ASSERT_TRUE(o->deadPath);
	EXPECT_EQ(o->detection, 2000ms);
	EXPECT_EQ(o->firstUnacked, 31u);
	EXPECT_NE(o->detail.find("no RTMP acknowledgement for 2000 ms with 800000 bytes waiting"), std::string::npos)
		<< o->detail;
}

TEST(PathWatch, WhatWasSentToAnEarlierSessionIsForgotten)
{
	output::PathWatch w(2000ms);
	send(w, kOld, 1, 10, 0, 1000);
	w.observe(kOld, server(10000, 0), t0);
	send(w, kNew, 11, 12, 0, 1000);
	w.observe(kNew, server(2000, 0), t0 + 100ms);
	// The old session's server acknowledges late: media never goes back there, nothing to map.
	EXPECT_FALSE(w.observe(kOld, server(10000, 5000), t0 + 200ms).has_value());
}
