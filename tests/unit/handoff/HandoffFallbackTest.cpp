// Fallbacks (issue 5 B, issue 8's fault matrix at the decision level): failing and hanging
// targets, the old connection dying before the cut, publish refused, coalescing, stop during a
// handoff, Go Away on the new session, the keyframe wait limit and the backlog cap.

#include "HandoffHarness.hpp"

namespace goaway::handoff::test {
namespace {

/** Streaming on session 1 with one GOP sent, a Go Away received and `targets` offered. */
void goAwayWith(Harness &h, std::vector<Target> targets)
{
	h.start();
	h.gop(3);
	h.goAway(1);
	h.candidates(std::move(targets));
}

TEST(HandoffFallback, FailingTargetMovesToTheNextWhileTheOldSessionStreams)
{
	Harness h;
	goAwayWith(h, {makeTarget("a2"), makeTarget("a3")});
	h.video(false);
	h.preconnectFail(2, "connection refused");
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.lastPreconnected(), 3u);
	EXPECT_EQ(h.session(3).target.host, "a3");
	const std::size_t before = h.session(1).received.size();
	h.video(false);
	EXPECT_EQ(h.session(1).received.size(), before + 1) << "still streaming on the old connection";
	h.preconnectOk(3);
	h.video(true);
	h.publishOk(3);
	EXPECT_EQ(h.records.at(0).targetsTried, 2);
	EXPECT_EQ(h.records.at(0).to.host, "a3");
	EXPECT_EQ(h.records.at(0).result, HandoffResult::Succeeded);
}

TEST(HandoffFallback, HangingTargetTimesOutThenTheNextIsTried)
{
	Harness h;
	goAwayWith(h, {makeTarget("hangs"), makeTarget("works")});
	h.advance(h.machine.options().preconnectTimeout - 1ms);
	EXPECT_EQ(h.lastPreconnected(), 2u);
	h.advance(1ms);
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.lastPreconnected(), 3u);
	h.preconnectOk(2); // a late answer from the abandoned session changes nothing
	EXPECT_EQ(h.machine.state(), State::Preconnecting);
}

TEST(HandoffFallback, NoWorkingTargetWithOldAliveFailsTheRoundAndRetriesAfterCoolDown)
{
	HandoffOptions o;
	o.maxRounds = 2;
	Harness h(o);
	goAwayWith(h, {makeTarget("bad")});
	h.preconnectFail(2);
	EXPECT_EQ(h.machine.state(), State::Streaming);
	ASSERT_EQ(h.records.size(), 1u);
	EXPECT_EQ(h.records[0].result, HandoffResult::Failed);
	EXPECT_NE(h.records[0].failureReason.find("connection refused"), std::string::npos);
	EXPECT_TRUE(h.fallbacks.empty()) << "the old session still works: no reconnect";
	h.video(false);
	EXPECT_FALSE(h.session(1).closed());
	EXPECT_EQ(h.machine.nextDeadline(), h.now + o.retryCooldown);
	h.advance(o.retryCooldown);
	ASSERT_EQ(h.resolves.size(), 2u);
	EXPECT_EQ(h.resolves[1].trigger, Trigger::GoAway);
	h.candidates({makeTarget("bad")});
	h.preconnectFail(3);
	ASSERT_EQ(h.records.size(), 2u);
	EXPECT_EQ(h.records[1].round, 2);
	EXPECT_FALSE(h.machine.nextDeadline()) << "rounds exhausted: stay on the old session";
}

TEST(HandoffFallback, NoWorkingTargetWithoutALiveSessionResolvesAgainThenFallsBackToReconnect)
{
	HandoffOptions o;
	o.maxRounds = 2;
	Harness h(o);
	h.start();
	h.gop(3);
	h.lose(1);
	h.candidates({makeTarget("x")});
	h.preconnectFail(2);
	EXPECT_TRUE(h.fallbacks.empty()) << "one more round first";
	ASSERT_EQ(h.resolves.size(), 2u);
	EXPECT_EQ(h.machine.state(), State::Resolving);
	h.candidates({makeTarget("x"), makeTarget("y")});
	h.preconnectFail(3);
	h.preconnectFail(4, "TLS verification failed");
	ASSERT_EQ(h.fallbacks.size(), 1u);
	EXPECT_NE(h.fallbacks[0].find("TLS verification failed"), std::string::npos) << h.fallbacks[0];
	EXPECT_EQ(h.machine.state(), State::FellBack);
	EXPECT_EQ(h.records.at(0).result, HandoffResult::FellBack);
	EXPECT_TRUE(h.backlog.empty());
	h.video(true);
	EXPECT_TRUE(h.backlog.empty()) << "after a fallback nothing is kept";
	h.start(makeTarget("x"), 10); // libobs reconnected: the machine starts over
	EXPECT_EQ(h.machine.state(), State::Streaming);
}

TEST(HandoffFallback, ResolverSilenceOrEmptyAnswerFailsTheRound)
{
	Harness h;
	h.start();
	h.goAway(1);
	h.advance(h.machine.options().resolveTimeout);
	ASSERT_EQ(h.records.size(), 1u);
	EXPECT_NE(h.records[0].failureReason.find("resolver"), std::string::npos);
	const std::uint64_t stale = h.resolves[0].requestId;
	h.exec(h.machine.onCandidates(stale, {makeTarget("late")}, h.now));
	EXPECT_EQ(h.count("Preconnect"), 0) << "a late resolver answer is ignored";

	HandoffOptions one;
	one.maxRounds = 1;
	Harness e(one);
	e.start();
	e.lose(1);
	e.candidates({});
	ASSERT_EQ(e.fallbacks.size(), 1u);
	EXPECT_NE(e.fallbacks[0].find("no target"), std::string::npos);
}

TEST(HandoffFallback, OldDiesBeforeTheKeyframeResumesOnTheNewSessionFromTheLastKeyframe)
{
	Harness h;
	h.start();
	const PacketSeq key = h.video(true);
	h.video(false);
	h.goAway(1);
	h.candidates({makeTarget("b")});
	h.preconnectOk(2);
	h.video(false);
	h.lose(1);
	EXPECT_EQ(h.session(2).received, (std::vector<PacketSeq>{key, key + 1, key + 2}));
	EXPECT_EQ(h.machine.state(), State::Confirming);
	h.video(false);
	h.publishOk(2);
	const HandoffRecord &r = h.records.at(0);
	EXPECT_TRUE(r.oldLostBeforeCut);
	EXPECT_EQ(r.duplicates, 3u);
	EXPECT_EQ(r.trigger, Trigger::GoAway);
	EXPECT_EQ(h.session(2).received.back(), key + 3);
}

TEST(HandoffFallback, OldDiesWhilePreconnectingHoldsUntilTheNewSessionIsReady)
{
	Harness h;
	h.start();
	const PacketSeq key = h.video(true);
	h.goAway(1);
	h.candidates({makeTarget("b")});
	h.lose(1);
	EXPECT_EQ(h.machine.state(), State::Reconnecting);
	h.video(false);
	h.advance(70ms);
	h.preconnectOk(2);
	EXPECT_EQ(h.session(2).received, (std::vector<PacketSeq>{key, key + 1}));
	EXPECT_EQ(h.session(2).received.front(), key);
	h.publishOk(2);
	EXPECT_EQ(h.records.at(0).duplicates, 1u);
	EXPECT_EQ(h.records.at(0).heldMs, 70);
}

TEST(HandoffFallback, PublishRefusedBesideTheOldSessionResumesOnOldThenBreaksBeforeMake)
{
	Harness h;
	goAwayWith(h, {makeTarget("ingest-a", 1935, "10.0.0.1")});
	h.preconnectOk(2);
	const PacketSeq key = h.video(true);
	h.video(false);
	h.publishRejected(2, "Already publishing");
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.session(1).received.back(), key + 1) << "the old session takes the stream back";
	EXPECT_FALSE(h.session(1).closed());
	EXPECT_EQ(h.machine.state(), State::AwaitingCut);
	h.video(false);
	const PacketSeq key2 = h.video(true);
	EXPECT_TRUE(h.session(1).closedSilently);
	EXPECT_EQ(h.session(1).received.back(), key2 - 1);
	EXPECT_EQ(h.session(3).target.host, "ingest-a") << "the same target, now after leaving";
	h.preconnectOk(3);
	EXPECT_EQ(h.session(3).received.front(), key2);
	h.publishOk(3);
	const HandoffRecord &r = h.records.at(0);
	EXPECT_TRUE(r.brokeBeforeMake);
	EXPECT_EQ(r.duplicates, 0u);
	EXPECT_EQ(r.result, HandoffResult::Succeeded);
}

TEST(HandoffFallback, PublishRefusedByAnotherNodeKeepsTheOldSessionAndTriesTheNextTarget)
{
	Harness h;
	goAwayWith(h, {makeTarget("other", 1935, "10.0.0.7"), makeTarget("ingest-b")});
	h.preconnectOk(2);
	const PacketSeq key = h.video(true);
	h.publishRejected(2, "bad name");
	EXPECT_EQ(h.session(1).received.back(), key);
	EXPECT_EQ(h.machine.state(), State::Preconnecting);
	EXPECT_EQ(h.session(3).target.host, "ingest-b");
	h.preconnectOk(3);
	h.video(true);
	h.publishOk(3);
	EXPECT_FALSE(h.records.at(0).brokeBeforeMake);
	EXPECT_EQ(h.records.at(0).result, HandoffResult::Succeeded);
}

TEST(HandoffFallback, PublishTimeoutOrNewSessionLossDuringConfirmingGoesBackToOld)
{
	Harness h;
	goAwayWith(h, {makeTarget("silent"), makeTarget("dies"), makeTarget("good")});
	h.preconnectOk(2);
	h.video(true);
	h.advance(h.machine.options().publishTimeout);
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.machine.state(), State::Preconnecting) << "a timeout is not a refusal: next target";
	h.video(false);
	EXPECT_EQ(h.session(1).received.back(), h.lastSeq());
	h.preconnectOk(3);
	h.video(true);
	h.lose(3);
	EXPECT_EQ(h.session(1).received.back(), h.lastSeq());
	h.preconnectOk(4);
	h.video(true);
	h.publishOk(4);
	EXPECT_EQ(h.records.at(0).to.host, "good");
	EXPECT_EQ(h.records.at(0).targetsTried, 3);
	// Every packet reached session 1 or session 4 exactly once.
	std::vector<PacketSeq> all = h.session(1).received;
	all.insert(all.end(), h.session(4).received.begin(), h.session(4).received.end());
	EXPECT_EQ(all.size(), h.produced.size());
}

TEST(HandoffFallback, GoAwayTwiceInARowHandsOffTwice)
{
	Harness h;
	goAwayWith(h, {makeTarget("b")});
	h.preconnectOk(2);
	h.video(true);
	h.publishOk(2);
	h.video(false);
	h.goAway(2);
	h.candidates({makeTarget("c")});
	h.preconnectOk(3);
	const PacketSeq key = h.video(true);
	h.publishOk(3);
	ASSERT_EQ(h.records.size(), 2u);
	EXPECT_EQ(h.records[1].from.host, "b");
	EXPECT_EQ(h.records[1].to.host, "c");
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.session(2).received.back(), key - 1);
	EXPECT_EQ(h.session(1).received.size() + h.session(2).received.size() + h.session(3).received.size(),
		  h.produced.size());
}

TEST(HandoffFallback, EarlyPublishRefusedBesideTheOldSessionFallsBackToBreakBeforeMake)
{
	HandoffOptions o;
	o.publishEarly = true;
	Harness h(o);
	goAwayWith(h, {makeTarget("ingest-a", 1935, "10.0.0.1")});
	h.preconnectOk(2);
	h.publishRejected(2);
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.machine.state(), State::AwaitingCut);
	h.video(false);
	EXPECT_EQ(h.session(1).received.back(), h.lastSeq());
	const PacketSeq key = h.video(true);
	EXPECT_TRUE(h.session(1).closedSilently);
	EXPECT_EQ(h.session(3).target.host, "ingest-a");
	h.preconnectOk(3);
	EXPECT_EQ(h.session(3).log.at(0), "publish");
	EXPECT_EQ(h.session(3).received.front(), key);
	h.publishOk(3);
	EXPECT_TRUE(h.records.at(0).brokeBeforeMake);
	EXPECT_EQ(h.records.at(0).result, HandoffResult::Succeeded);
}

TEST(HandoffFallback, SecondTriggersDuringAHandoffAreCoalesced)
{
	Harness h;
	h.start();
	h.exec(h.machine.requestHandoff(h.now));
	h.goAway(1);
	h.exec(h.machine.onReconnectRequest(1, "rtmp://elsewhere/live", {}, h.now));
	h.exec(h.machine.requestHandoff(h.now));
	EXPECT_EQ(h.resolves.size(), 1u);
	h.candidates({makeTarget("b")});
	h.preconnectOk(2);
	h.video(true);
	h.publishOk(2);
	ASSERT_EQ(h.records.size(), 1u);
	EXPECT_EQ(h.records[0].coalescedTriggers, 3);
	EXPECT_TRUE(h.session(1).closedSilently) << "a Go Away among them: leave silently";
}

TEST(HandoffFallback, StopDuringAHandoffClosesBothSessions)
{
	Harness h;
	goAwayWith(h, {makeTarget("b")});
	h.preconnectOk(2);
	h.stop();
	EXPECT_TRUE(h.session(1).closedGracefully) << "stop ends the stream on the live session";
	EXPECT_TRUE(h.session(2).closedSilently) << "never published: nothing to unpublish";
	EXPECT_EQ(h.records.at(0).result, HandoffResult::Stopped);
	EXPECT_EQ(h.machine.state(), State::Idle);
	EXPECT_TRUE(h.backlog.empty());

	Harness c;
	goAwayWith(c, {makeTarget("b")});
	c.preconnectOk(2);
	c.video(true);
	c.stop(); // during Confirming: the new session carries the stream
	EXPECT_TRUE(c.session(2).closedGracefully);
	EXPECT_TRUE(c.session(1).closedSilently) << "after a Go Away the old one leaves silently";
	EXPECT_EQ(c.records.at(0).result, HandoffResult::Stopped);
}

TEST(HandoffFallback, StopWhileBreakBeforeMakeReconnectsClosesTheNewSessionAndDropsTheHold)
{
	HandoffOptions o;
	o.mode = HandoffMode::BreakBeforeMake;
	Harness h(o);
	goAwayWith(h, {makeTarget("b")});
	h.video(true);
	EXPECT_EQ(h.machine.state(), State::Reconnecting);
	h.video(false);
	EXPECT_EQ(h.machine.backlogPackets(), 2u);
	h.stop();
	EXPECT_TRUE(h.session(1).closedSilently);
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.records.at(0).result, HandoffResult::Stopped);
	EXPECT_EQ(h.records.at(0).heldMs, 0);
	EXPECT_TRUE(h.backlog.empty());
	EXPECT_EQ(h.machine.backlogPackets(), 0u);
}

TEST(HandoffFallback, ATriggerDuringTheCoolDownStartsAtOnce)
{
	Harness h;
	goAwayWith(h, {makeTarget("bad")});
	h.preconnectFail(2);
	ASSERT_TRUE(h.machine.nextDeadline());
	h.advance(100ms);
	h.exec(h.machine.onReconnectRequest(1, "rtmp://other/live", {}, h.now));
	ASSERT_EQ(h.resolves.size(), 2u);
	EXPECT_EQ(h.resolves[1].trigger, Trigger::ReconnectRequest);
	EXPECT_EQ(h.machine.nextDeadline(), h.now + h.machine.options().resolveTimeout) << "the retry was dropped";
}

TEST(HandoffFallback, GoAwayOnTheNewSessionMovesOnOrQueuesAFollowUpHandoff)
{
	Harness h;
	goAwayWith(h, {makeTarget("draining-too"), makeTarget("fine")});
	h.preconnectOk(2);
	h.goAway(2);
	EXPECT_TRUE(h.session(2).closedSilently);
	EXPECT_EQ(h.session(3).target.host, "fine");

	Harness f; // the only target drains as well: use it, then hand off again
	goAwayWith(f, {makeTarget("only")});
	f.preconnectOk(2);
	f.goAway(2);
	EXPECT_FALSE(f.session(2).closed());
	f.video(true);
	f.publishOk(2);
	ASSERT_EQ(f.records.size(), 1u);
	EXPECT_TRUE(f.records[0].followUpQueued);
	ASSERT_EQ(f.resolves.size(), 2u);
	EXPECT_EQ(f.resolves[1].current.host, "only");
	EXPECT_EQ(f.machine.state(), State::Resolving);

	Harness c; // during Confirming
	goAwayWith(c, {makeTarget("b"), makeTarget("c")});
	c.preconnectOk(2);
	c.video(true);
	c.goAway(2);
	c.publishOk(2);
	EXPECT_EQ(c.resolves.size(), 2u);
	EXPECT_EQ(c.resolves[1].trigger, Trigger::GoAway);
}

TEST(HandoffFallback, KeyframeWaitLimitCutsAtTheNextVideoPacketByReplayingFromTheLastKeyframe)
{
	HandoffOptions o;
	o.maxKeyframeWait = 500ms;
	Harness h(o);
	h.start();
	const PacketSeq key = h.video(true);
	h.goAway(1);
	h.candidates({makeTarget("b")});
	h.preconnectOk(2);
	h.advance(499ms);
	h.video(false);
	EXPECT_TRUE(h.session(2).received.empty()) << "within the limit: wait for a keyframe";
	h.advance(1ms);
	h.audio();
	EXPECT_TRUE(h.session(2).received.empty()) << "the cut waits for a video packet";
	const PacketSeq p = h.video(false);
	ASSERT_FALSE(h.session(2).received.empty());
	EXPECT_EQ(h.session(2).received.front(), key) << "the new session starts with a keyframe";
	EXPECT_EQ(h.session(2).received.back(), p);
	EXPECT_EQ(h.session(1).received.back(), p - 1);
	h.publishOk(2);
	const HandoffRecord &r = h.records.at(0);
	EXPECT_TRUE(r.keyframeWaitExceeded);
	EXPECT_EQ(r.duplicates, 3u) << "key, P, audio went out twice; nothing is missing";
}

TEST(HandoffFallback, BacklogCapTrimsWhileLiveAndFallsBackWhenHoldingPastIt)
{
	HandoffOptions o;
	o.backlogCapBytes = 10'000;
	o.maxRounds = 1;
	Harness h(o);
	h.start();
	h.video(true, 4000);
	h.video(false, 4000);
	EXPECT_EQ(h.machine.backlogBytes(), 8000u);
	h.video(false, 4000); // 12000 > cap while live: trimmed, nothing lost now
	EXPECT_LE(h.machine.backlogBytes(), 10'000u);
	EXPECT_EQ(h.backlog.size(), h.machine.backlogPackets());
	EXPECT_TRUE(h.fallbacks.empty());
	h.video(true, 4000);
	h.lose(1);
	h.video(false, 4000);
	h.video(false, 4000); // held past the cap: a clear error rather than unbounded memory
	ASSERT_EQ(h.fallbacks.size(), 1u);
	EXPECT_NE(h.fallbacks[0].find("cap"), std::string::npos) << h.fallbacks[0];
	EXPECT_TRUE(h.backlog.empty());
}

TEST(HandoffFallback, ConnectionLostBeforeAnyKeyframeWaitsForOneAndCountsWhatItCannotUse)
{
	Harness h;
	h.start();
	h.video(false); // a stream whose first packets are not decodable on their own
	h.lose(1);
	h.video(false);
	const PacketSeq key = h.video(true);
	h.candidates({makeTarget("b")});
	h.preconnectOk(2);
	EXPECT_EQ(h.session(2).received, (std::vector<PacketSeq>{key}));
	h.publishOk(2);
	EXPECT_EQ(h.records.at(0).framesLost, 1u);
}

TEST(HandoffFallback, EventsForUnknownOrClosedSessionsAreIgnored)
{
	Harness h;
	h.start();
	h.goAway(42);
	h.lose(42);
	h.preconnectOk(42);
	h.exec(h.machine.onPublishResult(42, Result<void>{}, h.now));
	EXPECT_EQ(h.machine.state(), State::Streaming);
	EXPECT_TRUE(h.resolves.empty());
}

} // namespace
} // namespace goaway::handoff::test
