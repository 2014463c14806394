#include "plugin/output/HandoffRecordBook.hpp"

#include <gtest/gtest.h>

using goaway::handoff::AckSource;
using goaway::handoff::DeadAirBasis;
using goaway::handoff::HandoffRecord;
using goaway::handoff::TimePoint;
using goaway::output::HandoffRecordBook;
using namespace std::chrono_literals;

namespace {

const TimePoint t0 = TimePoint{} + 10s;

HandoffRecord cutRecord(uint64_t id, TimePoint triggeredAt, TimePoint cutOverAt)
{
	HandoffRecord r;
	r.id = id;
	r.triggeredAt = triggeredAt;
	r.cutOverAt = cutOverAt;
	return r;
}

} // namespace

TEST(HandoffRecordBook, CutRecordWaitsForItsWindowThenCarriesTheLargestSendGap)
{
	HandoffRecordBook book;
	for (int i = 0; i <= 30; ++i)
		book.onSend(1, i, t0 + i * 33ms, true); // session 1 up to 990 ms
	const TimePoint switchAt = t0 + 1000ms;
	book.onSend(2, 31, switchAt, true);         // the cut: 10 ms after the last send on session 1
	book.onSend(2, 32, switchAt + 120ms, true); // then a 120 ms hole on session 2
	book.hold(cutRecord(7, t0 + 500ms, switchAt));

	ASSERT_EQ(book.nextWindowClose(), switchAt + 1000ms);
	EXPECT_TRUE(book.takeDue(switchAt + 999ms, false).empty());
	auto due = book.takeDue(switchAt + 1000ms, false);
	ASSERT_EQ(due.size(), 1u);
	EXPECT_EQ(due[0].id, 7u);
	EXPECT_EQ(due[0].switchGapMs, 10);
	EXPECT_EQ(due[0].deadAirMs, 120);
	EXPECT_FALSE(book.nextWindowClose());
}

TEST(HandoffRecordBook, FailedHandoffRecordWaitsBehindAnEarlierHeldOneAndStopReleasesBoth)
{
	HandoffRecordBook book;
	book.onSend(1, 1, t0, true);
	book.onSend(2, 2, t0 + 40ms, true);
	book.hold(cutRecord(1, t0, t0 + 40ms));
	HandoffRecord failed;
	failed.id = 2; // no cut: no window of its own
	book.hold(failed);

	EXPECT_TRUE(book.takeDue(t0 + 100ms, false).empty());
	auto due = book.takeDue(t0 + 100ms, true);
	ASSERT_EQ(due.size(), 2u);
	EXPECT_EQ(due[0].id, 1u);
	EXPECT_EQ(due[1].id, 2u);
	EXPECT_FALSE(due[1].deadAirMs);
}

TEST(HandoffRecordBook, FailedSendStillMarksTheSwitchButLeavesNoSendTime)
{
	HandoffRecordBook book;
	book.onSend(1, 1, t0, true);
	book.onSend(2, 2, t0 + 30ms, false); // the new session refused the packet
	EXPECT_EQ(book.lastSendSession(), 2u);
	book.onSend(2, 2, t0 + 200ms, true);
	book.hold(cutRecord(3, t0, t0 + 30ms));
	auto due = book.takeDue(t0 + 2s, false);
	ASSERT_EQ(due.size(), 1u);
	EXPECT_EQ(due[0].switchGapMs, 30);
	EXPECT_EQ(due[0].deadAirMs, 200); // the failed send at 30 ms is no send
}

namespace {

/** Session 1 sends packets 0..60 every 33 ms (about 2 s) into a path that died at packet 30; the
 *  replay on session 2 starts 50 ms after the last send on session 1. */
TimePoint sendsAcrossADeadPath(HandoffRecordBook &book)
{
	for (int i = 0; i <= 60; ++i)
		book.onSend(1, i, t0 + i * 33ms, true);
	const TimePoint switchAt = t0 + 60 * 33ms + 50ms;
	for (int i = 0; i < 10; ++i)
		book.onSend(2, 24 + i, switchAt + i * 5ms, true); // the replay from keyframe 24
	return switchAt;
}

HandoffRecord lostRecord(TimePoint switchAt, std::optional<AckSource> basis, std::optional<uint64_t> firstUnacked)
{
	HandoffRecord r = cutRecord(9, switchAt - 100ms, switchAt);
	r.fromSession = 1;
	r.lossBasis = basis;
	r.firstUnacknowledged = firstUnacked;
	return r;
}

} // namespace

TEST(HandoffRecordBook, DeadPathDeadAirIsBoundedFromTheLastAcknowledgedSend)
{
	// The sends look smooth (33 ms) but the server stopped reading after packet 29 (ack known):
	// it waited from about the send of packet 29 to the first send on session 2.
	HandoffRecordBook book;
	const TimePoint switchAt = sendsAcrossADeadPath(book);
	book.hold(lostRecord(switchAt, AckSource::ServerAcks, 30));
	auto due = book.takeDue(switchAt + 1s, false);
	ASSERT_EQ(due.size(), 1u);
	EXPECT_EQ(due[0].deadAirBasis, DeadAirBasis::UpTo);
	EXPECT_EQ(due[0].deadAirMs, (60 - 29) * 33 + 50);
}

TEST(HandoffRecordBook, LostConnectionWithoutAcknowledgementsGivesTheSwitchGapAsALowerBound)
{
	HandoffRecordBook book;
	const TimePoint switchAt = sendsAcrossADeadPath(book);
	book.hold(lostRecord(switchAt, AckSource::Assumed, std::nullopt));
	auto due = book.takeDue(switchAt + 1s, false);
	ASSERT_EQ(due.size(), 1u);
	EXPECT_EQ(due[0].deadAirBasis, DeadAirBasis::AtLeast);
	EXPECT_EQ(due[0].deadAirMs, 50);
}

TEST(HandoffRecordBook, SignalledHandoffKeepsTheMeasuredSendGap)
{
	HandoffRecordBook book;
	const TimePoint switchAt = sendsAcrossADeadPath(book);
	book.hold(lostRecord(switchAt, std::nullopt, std::nullopt));
	auto due = book.takeDue(switchAt + 1s, false);
	ASSERT_EQ(due.size(), 1u);
	EXPECT_EQ(due[0].deadAirBasis, DeadAirBasis::Measured);
	EXPECT_EQ(due[0].deadAirMs, 50);
}
