#pragma once
// Handoff records on their way out of the send thread: each cut's record waits until its dead-air
// window has closed, then gets the largest gap between media sends in that window (issue 19; the
// ingest measures the same window on arrival). When the old connection was lost before the cut
// (a reset, a dead path), its server stopped reading at a moment the sends do not show: the dead
// air is then bounded from the acknowledgements (issue 16). Send thread only; time is passed in.

#include "SendTimeline.hpp"
#include "plugin/handoff/HandoffRecord.hpp"
#include "plugin/handoff/HandoffTypes.hpp"

#include <deque>
#include <optional>
#include <vector>

namespace goaway::output {

/** Media sends and the records the handoff machine emitted, until each record can be published. */
class HandoffRecordBook {
public:
	/** Media packet `seq` was sent on `session` at `at` (`delivered`: the session took it; a failed
	 *  send still marks the switch). A change of session is a cut's switch. */
	void onSend(handoff::SessionId session, handoff::PacketSeq seq, handoff::TimePoint at, bool delivered);
	/** The machine emitted `record` (EmitRecord): held until its window closes. */
	void hold(handoff::HandoffRecord record);
	/** When the first held record's window closes, if it has one: the send loop wakes for it. */
	std::optional<handoff::TimePoint> nextWindowClose() const;
	/** The records due at `at` (`all`: every one, with what was measured so far: the stream stops
	 *  or falls back), in the order the machine emitted them, dead air filled in; each is logged. */
	std::vector<handoff::HandoffRecord> takeDue(handoff::TimePoint at, bool all);
	/** The session the last media packet went to. */
	std::optional<handoff::SessionId> lastSendSession() const { return lastSendSession_; }

private:
	struct HeldRecord {
		handoff::HandoffRecord record;
		std::optional<handoff::TimePoint> windowFrom;
		std::optional<handoff::TimePoint> windowTo;
		std::optional<std::int64_t> upToMs; // the bound from the acknowledgements (UpTo)
	};
	struct Sent {
		handoff::SessionId session;
		handoff::PacketSeq seq;
		handoff::TimePoint at;
	};
	/** When the newest packet before `firstUnacknowledged` left on `session`, if still kept. */
	std::optional<handoff::TimePoint> lastAcknowledgedSend(handoff::SessionId session,
							       handoff::PacketSeq firstUnacknowledged) const;
	void fillDeadAir(HeldRecord &held, handoff::TimePoint at) const;

	SendTimeline sendTimeline_;
	std::deque<Sent> sent_; // delivered media sends, as long as the timeline keeps them
	std::optional<handoff::SessionId> lastSendSession_;
	handoff::TimePoint lastSendAt_{};
	std::optional<int64_t> pendingSwitchGapMs_; // send gap at the last change of session
	handoff::TimePoint switchedAt_{};           // first send on the session media goes to now
	std::deque<HeldRecord> heldRecords_;
};

} // namespace goaway::output
