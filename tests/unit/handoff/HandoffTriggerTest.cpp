// Every trigger and both modes, on the happy path: who gets which packet, in which order, and
// what the record says.

#include "HandoffHarness.hpp"

namespace goaway::handoff::test {
namespace {

HandoffOptions mode(HandoffMode m)
{
	HandoffOptions o;
	o.mode = m;
	return o;
}

TEST(HandoffTrigger, FirstPacketOnInitialSessionIsPrecededByHeaders)
{
	Harness h;
	h.start();
	EXPECT_EQ(h.machine.state(), State::Streaming);
	h.video(true);
	EXPECT_EQ(h.session(1).log, (std::vector<std::string>{"headers", "media"}));
	EXPECT_EQ(h.machine.liveSession(), SessionId{1});
}

TEST(HandoffTrigger, GoAwayMakeBeforeBreakCutsAtKeyframeAndClosesOldSilently)
{
	Harness h;
	h.start();
	h.gop(5);
	h.goAway(1);
	ASSERT_EQ(h.resolves.size(), 1u);
	EXPECT_EQ(h.resolves[0].trigger, Trigger::GoAway);
	EXPECT_EQ(h.resolves[0].avoidAddress, "10.0.0.1");
	EXPECT_FALSE(h.resolves[0].tcUrl);
	EXPECT_EQ(h.machine.state(), State::Resolving);

	h.video(false); // media keeps flowing on the old session while resolving
	h.advance(20ms);
	h.candidates({makeTarget("ingest-b", 1935, "10.0.0.2")});
	const SessionId next = h.lastPreconnected();
	EXPECT_EQ(next, 2u);
	EXPECT_EQ(h.machine.state(), State::Preconnecting);
	h.video(false);
	h.advance(80ms);
	h.preconnectOk(next, "10.0.0.2");
	EXPECT_EQ(h.machine.state(), State::AwaitingCut);
	EXPECT_TRUE(h.session(next).log.empty()) << "publish waits for the cut (publishEarly off)";

	h.video(false); // not a keyframe: still old
	h.audio();
	h.advance(40ms);
	const PacketSeq key = h.video(true);
	EXPECT_EQ(h.session(next).log, (std::vector<std::string>{"publish", "headers", "media"}));
	EXPECT_EQ(h.session(next).received.front(), key);
	EXPECT_EQ(h.session(1).received.back(), key - 1) << "the old session got everything before the keyframe";
	EXPECT_EQ(h.machine.state(), State::Confirming);
	EXPECT_FALSE(h.session(1).closed()) << "old stays open until the new publish is confirmed";

	h.video(false);
	h.advance(30ms);
	h.publishOk(next);
	EXPECT_TRUE(h.session(1).closedSilently) << "Go Away: no FCUnpublish / deleteStream";
	EXPECT_FALSE(h.session(1).closedGracefully);
	EXPECT_EQ(h.machine.state(), State::Streaming);
	h.video(false);
	EXPECT_EQ(h.session(next).received.size(), 3u);

	ASSERT_EQ(h.records.size(), 1u);
	const HandoffRecord &r = h.records[0];
	EXPECT_EQ(r.result, HandoffResult::Succeeded);
	EXPECT_EQ(r.trigger, Trigger::GoAway);
	EXPECT_EQ(r.from.host, "ingest-a");
	EXPECT_EQ(r.to.host, "ingest-b");
	EXPECT_EQ(r.to.address, "10.0.0.2");
	EXPECT_EQ(r.preconnectMs, 80);
	EXPECT_EQ(r.waitedForKeyframeMs, 40);
	EXPECT_EQ(r.framesOnOldAfterTrigger, 4u);
	EXPECT_EQ(r.framesOnNew, 2u);
	EXPECT_EQ(r.bytesOnNew, 2000u);
	EXPECT_EQ(r.duplicates, 0u);
	EXPECT_EQ(r.targetsTried, 1);
	EXPECT_EQ(msBetween(r.triggeredAt, *r.cutOverAt), 140);
	EXPECT_EQ(r.cutDtsMs, h.produced.at(key).dtsMs);
}

TEST(HandoffTrigger, ReconnectRequestWithTcUrlPassesItToTheResolverAndClosesOldGracefully)
{
	Harness h;
	h.start();
	h.gop(3);
	h.exec(h.machine.onReconnectRequest(1, "rtmp://node-2.example/live", "maintenance", h.now));
	ASSERT_EQ(h.resolves.size(), 1u);
	EXPECT_EQ(h.resolves[0].trigger, Trigger::ReconnectRequest);
	ASSERT_TRUE(h.resolves[0].tcUrl);
	EXPECT_EQ(*h.resolves[0].tcUrl, "rtmp://node-2.example/live");
	h.candidates({makeTarget("node-2.example", 1935, "10.0.0.9", TargetSource::TcUrl)});
	h.preconnectOk(2);
	h.video(true);
	h.publishOk(2);
	EXPECT_TRUE(h.session(1).closedGracefully) << "E-RTMP ReconnectRequest: the old node is told we left";
	ASSERT_EQ(h.records.size(), 1u);
	EXPECT_EQ(h.records[0].triggerDetail, "maintenance");
	EXPECT_EQ(h.records[0].toSource, TargetSource::TcUrl);
}

TEST(HandoffTrigger, ReconnectRequestWithoutTcUrlReResolvesAvoidingTheCurrentAddress)
{
	Harness h;
	h.start();
	h.exec(h.machine.onReconnectRequest(1, std::nullopt, {}, h.now));
	ASSERT_EQ(h.resolves.size(), 1u);
	EXPECT_FALSE(h.resolves[0].tcUrl);
	EXPECT_EQ(h.resolves[0].avoidAddress, "10.0.0.1");
	EXPECT_EQ(h.resolves[0].current.host, "ingest-a");
}

TEST(HandoffTrigger, ManualHandoffClosesOldGracefully)
{
	Harness h;
	h.start();
	h.gop(2);
	h.exec(h.machine.requestHandoff(h.now));
	EXPECT_EQ(h.resolves.at(0).trigger, Trigger::Manual);
	h.candidates({makeTarget("ingest-a", 1935, "10.0.0.1", TargetSource::Configured)});
	h.preconnectOk(2);
	h.video(true);
	h.publishOk(2);
	EXPECT_TRUE(h.session(1).closedGracefully);
	EXPECT_EQ(h.records.at(0).trigger, Trigger::Manual);
}

TEST(HandoffTrigger, ConnectionLostHoldsPacketsThenReplaysFromLastKeyframeCountingDuplicates)
{
	Harness h;
	h.start();
	const PacketSeq key = h.video(true);
	h.video(false);
	h.audio();
	h.lose(1, "peer reset");
	EXPECT_TRUE(h.session(1).closedSilently) << "a dead link is released without a word";
	ASSERT_EQ(h.resolves.size(), 1u);
	EXPECT_EQ(h.resolves[0].trigger, Trigger::ConnectionLost);
	EXPECT_EQ(h.machine.liveSession(), std::nullopt);
	h.video(false); // held
	h.advance(50ms);
	h.candidates({makeTarget("ingest-b")});
	EXPECT_EQ(h.machine.state(), State::Reconnecting);
	h.video(false); // held
	h.advance(100ms);
	h.preconnectOk(2);
	EXPECT_EQ(h.session(2).log.at(0), "publish");
	EXPECT_EQ(h.session(2).log.at(1), "headers");
	EXPECT_EQ(h.session(2).received, (std::vector<PacketSeq>{key, key + 1, key + 2, key + 3, key + 4}));
	h.publishOk(2);
	ASSERT_EQ(h.records.size(), 1u);
	const HandoffRecord &r = h.records[0];
	EXPECT_EQ(r.trigger, Trigger::ConnectionLost);
	EXPECT_EQ(r.triggerDetail, "peer reset");
	EXPECT_EQ(r.duplicates, 3u) << "key, P, audio were already sent on the lost session";
	EXPECT_EQ(r.heldMs, 150);
	EXPECT_EQ(r.cutDtsMs, h.produced.at(key).dtsMs) << "the replay starts at the last keyframe";
	EXPECT_EQ(r.result, HandoffResult::Succeeded);
}

TEST(HandoffTrigger, BreakBeforeMakeClosesAtKeyframeThenConnectsAndReplaysHeldPackets)
{
	Harness h(mode(HandoffMode::BreakBeforeMake));
	h.start();
	h.gop(3);
	h.goAway(1);
	h.candidates({makeTarget("ingest-b")});
	EXPECT_EQ(h.machine.state(), State::AwaitingCut);
	EXPECT_EQ(h.count("Preconnect"), 0) << "reference clients connect only after leaving";
	h.video(false);
	h.advance(33ms);
	const PacketSeq key = h.video(true);
	EXPECT_TRUE(h.session(1).closedSilently);
	EXPECT_EQ(h.session(1).received.back(), key - 1);
	EXPECT_EQ(h.machine.state(), State::Reconnecting);
	h.advance(33ms);
	h.video(false);
	h.audio();
	h.advance(100ms);
	h.preconnectOk(2);
	EXPECT_EQ(h.session(2).log.at(0), "publish");
	EXPECT_EQ(h.session(2).log.at(1), "headers");
	EXPECT_EQ(h.session(2).received, (std::vector<PacketSeq>{key, key + 1, key + 2}));
	h.publishOk(2);
	ASSERT_EQ(h.records.size(), 1u);
	EXPECT_EQ(h.records[0].mode, HandoffMode::BreakBeforeMake);
	EXPECT_EQ(h.records[0].duplicates, 0u);
	EXPECT_EQ(h.records[0].heldMs, 133);
	EXPECT_EQ(h.records[0].waitedForKeyframeMs, 33);
}

TEST(HandoffTrigger, PublishEarlyPublishesAtPreconnectAndClosesOldAtTheCut)
{
	HandoffOptions o;
	o.publishEarly = true;
	Harness h(o);
	h.start();
	h.gop(2);
	h.goAway(1);
	h.candidates({makeTarget("ingest-b")});
	h.preconnectOk(2);
	EXPECT_EQ(h.session(2).log, (std::vector<std::string>{"publish"}));
	h.publishOk(2);
	EXPECT_EQ(h.machine.state(), State::AwaitingCut);
	h.video(false);
	EXPECT_EQ(h.session(2).received.size(), 0u);
	const PacketSeq key = h.video(true);
	EXPECT_EQ(h.session(2).received, (std::vector<PacketSeq>{key}));
	EXPECT_TRUE(h.session(1).closedSilently) << "publish already confirmed: no Confirming state";
	EXPECT_EQ(h.machine.state(), State::Streaming);
	EXPECT_EQ(h.records.size(), 1u);
}

TEST(HandoffTrigger, AudioOnlyStreamCutsAtTheNextAudioFrame)
{
	HandoffOptions o;
	o.audioOnly = true;
	Harness h(o);
	h.start();
	h.audio();
	h.audio();
	h.goAway(1);
	h.candidates({makeTarget("ingest-b")});
	h.preconnectOk(2);
	const PacketSeq next = h.audio();
	EXPECT_EQ(h.session(2).received, (std::vector<PacketSeq>{next}));
	EXPECT_EQ(h.session(2).log.at(1), "headers");
	h.publishOk(2);
	EXPECT_EQ(h.records.at(0).waitedForKeyframeMs, 0);
}

TEST(HandoffTrigger, BacklogIsTrimmedAtEveryKeyframeWhileStreaming)
{
	Harness h;
	h.start();
	h.gop(4);
	h.gop(4);
	const PacketSeq key = h.video(true);
	EXPECT_EQ(h.backlog.begin()->first, key);
	EXPECT_EQ(h.machine.backlogPackets(), 1u);
	EXPECT_EQ(h.machine.backlogBytes(), 1000u);
	h.video(false);
	EXPECT_EQ(h.backlog.size(), 2u);
}

TEST(HandoffTrigger, NextDeadlineFollowsThePendingWait)
{
	Harness h;
	h.start();
	EXPECT_FALSE(h.machine.nextDeadline());
	h.goAway(1);
	EXPECT_EQ(h.machine.nextDeadline(), h.now + h.machine.options().resolveTimeout);
	h.candidates({makeTarget("ingest-b")});
	EXPECT_EQ(h.machine.nextDeadline(), h.now + h.machine.options().preconnectTimeout);
}

TEST(HandoffTrigger, RecordsNeverCarryTheStreamKey)
{
	Harness h;
	Target t = makeTarget("ingest-a");
	t.url = "rtmp://ingest-a/live/sk_SECRETKEY"; // an ingest template may leave a key in url
	h.start(t);
	h.goAway(1);
	Target b = makeTarget("ingest-b");
	b.url = "rtmp://ingest-b/live/sk_SECRETKEY";
	h.candidates({b});
	h.preconnectOk(2);
	h.video(true);
	h.publishOk(2);
	for (const std::string &line : h.trace)
		EXPECT_EQ(line.find("SECRET"), std::string::npos) << line;
	const HandoffRecord &r = h.records.at(0);
	EXPECT_EQ(r.from.host + r.to.host + r.triggerDetail + r.failureReason, "ingest-aingest-b");
}

} // namespace
} // namespace goaway::handoff::test
