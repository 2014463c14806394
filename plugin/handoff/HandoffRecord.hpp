#pragma once
// What every handoff leaves behind (issue 5 B). Plain data: plugin/output serialises it for the
// `handoff` signal and the `get_handoffs` proc handler. Never holds a stream key.

#include "HandoffEvents.hpp"
#include "HandoffTypes.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace goaway::handoff {

enum class HandoffResult {
	Succeeded, // media continues on the new session, which confirmed its publish
	Failed,    // no target worked; the old session still streams (a retry may follow)
	FellBack,  // no target worked and no session was live: libobs' reconnect takes over
	Stopped,   // the output stopped during the handoff; both sessions were closed
};

const char *handoffResultName(HandoffResult result);

struct HandoffRecord {
	std::uint64_t id = 0;
	Trigger trigger = Trigger::Manual;
	std::string triggerDetail; // ReconnectRequest description, loss reason (server text, no key)
	HandoffMode mode = HandoffMode::MakeBeforeBreak; // as finally used (see brokeBeforeMake)
	int round = 1;                                   // 1 + retries after a failed round for the same server request

	Endpoint from;
	Endpoint to;               // empty host when no target was reached
	SessionId fromSession = 0; // for the output's dead-air measurement
	SessionId toSession = 0;   // 0 until a target's pre-connect completed
	std::optional<TargetSource> toSource;
	int targetsTried = 0;

	TimePoint triggeredAt{};
	std::optional<TimePoint> targetReadyAt; // pre-connect of the chosen target completed
	std::optional<TimePoint> cutOverAt;     // first packet routed to the new session
	std::optional<TimePoint> completedAt;   // record closed (publish confirmed, failure, stop)
	std::optional<std::int64_t> cutDtsMs;   // dts of the first packet on the new session

	std::int64_t waitedForKeyframeMs = 0; // target ready (BBM: candidates known) -> cut
	std::int64_t preconnectMs = 0;        // pre-connect of the chosen target
	ConnectTimings preconnectTimings;
	std::int64_t heldMs = 0; // packets held while no session was live
	/** Dead air at the output: the largest gap between media sends from 1 s before the trigger
	 *  to 1 s after the first send on `to` (issue 19). The machine has no clock of its own, so
	 *  the output fills this and switchGapMs before publishing the record. */
	std::optional<std::int64_t> deadAirMs;
	DeadAirBasis deadAirBasis = DeadAirBasis::Measured;
	/** The send gap between the last write on `from` and the first on `to`. */
	std::optional<std::int64_t> switchGapMs;

	std::uint64_t framesOnOldAfterTrigger = 0;
	std::uint64_t bytesOnOldAfterTrigger = 0;
	std::uint64_t framesOnNew = 0; // until the record closed, replays included
	std::uint64_t bytesOnNew = 0;
	std::uint64_t duplicates = 0; // packets replayed that an accepted session already had
	/** duplicates counts only what the old server acknowledged (after a lost connection); this
	 *  also counts what was sent to it unacknowledged: the server's count lies in between. */
	std::uint64_t duplicatesAtMost = 0;
	std::uint64_t framesLost = 0; // packets no session could take (see README: only with no
				      // resume keyframe, e.g. after the backlog cap), and packets the old
				      // server had not acknowledged that a replay could no longer reach
	/** framesLost is exact: true unless the old connection was lost with lossBasis Tcp / Assumed. */
	bool framesLostKnown() const { return !lossBasis || *lossBasis == AckSource::ServerAcks; }
	/** When the old connection was lost before the cut (reset, dead path): what said which
	 *  packets its server had, so how sure framesLost is. ServerAcks: exact; Tcp: a lower bound
	 *  (the server's machine may hold packets its application never read); Assumed: not known. */
	std::optional<AckSource> lossBasis;
	/** lossBasis ServerAcks: the oldest packet the old server had not acknowledged, i.e. its
	 *  application may not have read (nullopt with Tcp / Assumed: not known). The output bounds
	 *  the dead air from the send of the packet before it; duplicates counts only packets before it. */
	std::optional<PacketSeq> firstUnacknowledged;
	/** Dead path: from the moment an acknowledgement was due (and none came) to the trigger. */
	std::optional<std::int64_t> detectionMs;
	int coalescedTriggers = 0;

	bool oldLostBeforeCut = false;     // resumed from the last keyframe (duplicates possible)
	bool keyframeWaitExceeded = false; // cut by replaying from the last keyframe
	bool brokeBeforeMake = false;      // fell back to break-before-make (publish rejected)
	bool followUpQueued = false;       // the new session asked to go away too: another handoff follows

	HandoffResult result = HandoffResult::Succeeded;
	std::string failureReason; // a sentence; empty on success
};

} // namespace goaway::handoff
