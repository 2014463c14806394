// Issue 16: replays from what the server acknowledged, the DeadPath trigger and the loss figure.
#include "HandoffHarness.hpp"

namespace goaway::handoff::test {
namespace {

HandoffOptions withAcks(std::uint64_t capBytes = constants::kHandoffBacklogCapBytes)
{
	HandoffOptions o;
	o.replayFromAcknowledged = true;
	o.backlogCapBytes = capBytes;
	return o;
}

TEST(HandoffDeadPath, ReplaysFromTheKeyframeBeforeTheOldestUnacknowledgedPacketLeavingSilently)
{
	Harness h(withAcks());
	h.start();
	const PacketSeq first = h.video(true);
	h.video(false);
	const PacketSeq unacked = h.video(false); // the server acknowledged everything before this one
	h.audio();
	const PacketSeq second = h.video(true); // a newer keyframe the server may not have
	h.video(false);
	h.machine.onAcknowledged(1, unacked, AckSource::ServerAcks);
	h.advance(2000ms);
	h.exec(h.machine.onDeadPath(1, "no acknowledgement for 2000 ms", 2000ms, h.now));
	EXPECT_TRUE(h.session(1).closedSilently) << "a dead path is left without a word";
	EXPECT_FALSE(h.session(1).closedGracefully);
	ASSERT_EQ(h.resolves.size(), 1u);
	EXPECT_EQ(h.resolves[0].trigger, Trigger::DeadPath);
	h.candidates({makeTarget("ingest-b")});
	h.preconnectOk(2);
	const std::vector<PacketSeq> replayed = h.session(2).received;
	ASSERT_FALSE(replayed.empty());
	EXPECT_EQ(replayed.front(), first)
		<< "not the newest keyframe (" << second << "): the server lacks packets before it";
	h.publishOk(2);
	ASSERT_EQ(h.records.size(), 1u);
	const HandoffRecord &r = h.records[0];
	EXPECT_EQ(r.trigger, Trigger::DeadPath);
	EXPECT_EQ(r.detectionMs, std::optional<std::int64_t>(2000));
	EXPECT_EQ(r.framesLost, 0u);
	EXPECT_EQ(r.lossBasis, std::optional<AckSource>(AckSource::ServerAcks));
	EXPECT_TRUE(r.framesLostKnown());
	EXPECT_EQ(r.duplicates, 2u) << "only what the server acknowledged is surely a duplicate";
	EXPECT_EQ(r.duplicatesAtMost, 6u) << "everything from the first keyframe went out before";
}

TEST(HandoffDeadPath, AcknowledgementsMoveTheReplayPointForwardAndTheBacklogWithIt)
{
	Harness h(withAcks());
	h.start();
	h.gop(3);
	const PacketSeq second = h.video(true);
	h.video(false);
	const std::size_t held = h.machine.backlogPackets();
	EXPECT_EQ(held, 6u) << "nothing acknowledged yet: both GOPs stay";
	h.machine.onAcknowledged(1, second + 1, AckSource::ServerAcks);
	h.video(false); // trims on the next packet
	EXPECT_EQ(h.machine.backlogPackets(), 3u) << "the first GOP is acknowledged: only the second stays";
	h.machine.onAcknowledged(1, second - 1, AckSource::ServerAcks); // an older figure moves nothing back
	h.lose(1, "connection reset");
	h.candidates({makeTarget("ingest-b")});
	h.preconnectOk(2);
	EXPECT_EQ(h.session(2).received.front(), second);
	h.publishOk(2);
	EXPECT_EQ(h.records.at(0).trigger, Trigger::ConnectionLost);
	EXPECT_EQ(h.records.at(0).framesLost, 0u);
	EXPECT_TRUE(h.records.at(0).framesLostKnown());
}

TEST(HandoffDeadPath, CountsWhatTheCapCutFromBeforeTheReplayPoint)
{
	Harness h(withAcks(2500)); // room for two 1000-byte keyframes and a little
	h.start();
	const PacketSeq first = h.video(true);
	h.video(false, 100);
	h.video(true);
	const PacketSeq third = h.video(true); // the cap now drops the first keyframe and its delta
	h.machine.onAcknowledged(1, first + 1, AckSource::ServerAcks); // the server has only the first keyframe
	h.exec(h.machine.onDeadPath(1, "no acknowledgement", 2000ms, h.now));
	h.candidates({makeTarget("ingest-b")});
	h.preconnectOk(2);
	ASSERT_FALSE(h.session(2).received.empty());
	EXPECT_GT(h.session(2).received.front(), first + 1);
	EXPECT_LE(h.session(2).received.front(), third);
	h.publishOk(2);
	const HandoffRecord &r = h.records.at(0);
	EXPECT_EQ(r.framesLost, h.session(2).received.front() - (first + 1))
		<< "the packets the server lacked that no replay could reach";
	EXPECT_TRUE(r.framesLostKnown());
}

TEST(HandoffDeadPath, TcpFactsMakeTheLossFigureABoundAndNoFactsMakeItUnknown)
{
	for (const AckSource source : {AckSource::Tcp, AckSource::Assumed}) {
		Harness h(withAcks());
		h.start();
		h.gop(2);
		h.machine.onAcknowledged(1, h.lastSeq() + 1, source);
		h.exec(h.machine.onDeadPath(1, "no TCP acknowledgement", 1500ms, h.now));
		h.candidates({makeTarget("ingest-b")});
		h.preconnectOk(2);
		h.publishOk(2);
		const HandoffRecord &r = h.records.at(0);
		EXPECT_EQ(r.lossBasis, std::optional<AckSource>(source));
		EXPECT_FALSE(r.framesLostKnown()) << ackSourceName(source);
	}
}

TEST(HandoffDeadPath, WithoutTheOptionAcknowledgementsChangeNothing)
{
	Harness h;
	h.start();
	const PacketSeq first = h.video(true);
	h.video(false);
	const PacketSeq second = h.video(true);
	h.machine.onAcknowledged(1, first + 1, AckSource::ServerAcks);
	h.lose(1);
	h.candidates({makeTarget("ingest-b")});
	h.preconnectOk(2);
	EXPECT_EQ(h.session(2).received.front(), second) << "the last keyframe, as before issue 16";
	h.publishOk(2);
	EXPECT_FALSE(h.records.at(0).lossBasis);
}

} // namespace
} // namespace goaway::handoff::test
