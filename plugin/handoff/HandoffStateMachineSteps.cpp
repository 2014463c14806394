// HandoffStateMachine, second half: the steps the events share (begin, try, cut, complete,
// fail, fall back) and the routing helpers. Split only to keep each file readable.

#include "HandoffStateMachine.hpp"

#include "HandoffLogFormat.hpp"
#include "plugin/common/Log.hpp"

#include <algorithm>
#include <utility>

namespace goaway::handoff {

void HandoffStateMachine::setState(State next, Actions &out)
{
	if (next == state_)
		return;
	out.push_back(action::StateChanged{state_, next});
	GOAWAY_LOG_DEBUG("%s -> %s", stateName(state_), stateName(next));
	state_ = next;
}

void HandoffStateMachine::beginHandoff(Trigger trigger, std::optional<std::string> tcUrl, std::string detail,
				       const Session &fromSession, int round, TimePoint now, Actions &out)
{
	const Endpoint from = fromSession.target.endpoint();
	Handoff h;
	h.record.id = nextRecordId_++;
	h.record.fromSession = fromSession.id;
	h.record.trigger = trigger;
	h.record.triggerDetail = std::move(detail);
	h.record.mode = options_.mode;
	h.record.round = round;
	h.record.from = from;
	h.record.triggeredAt = now;
	h.mode = options_.mode;
	// Go Away spec: leave without FCUnpublish / deleteStream so the platform stitches the stream.
	h.closeOldSilently = trigger == Trigger::GoAway;
	h.tcUrl = std::move(tcUrl);
	h.resolveRequest = nextRequestId_++;
	if (!current_)
		h.holdingSince = now;
	out.push_back(action::ResolveTargets{*h.resolveRequest, trigger, from, h.tcUrl, from.address});
	GOAWAY_LOG_INFO("HandoffStateMachine::beginHandoff", "handoff #%llu: %s (round %d, %s) from %s",
			ull(h.record.id), triggerName(trigger), round, modeName(h.mode), hostPort(from).c_str());
	handoff_ = std::move(h);
	deadline_ = now + options_.resolveTimeout;
	keyframeDeadline_.reset();
	keyframeWaitExceeded_ = false;
	setState(State::Resolving, out);
}

void HandoffStateMachine::tryNextCandidate(TimePoint now, Actions &out)
{
	Handoff &h = *handoff_;
	keyframeDeadline_.reset();
	keyframeWaitExceeded_ = false;
	if (h.nextCandidate >= h.candidates.size()) {
		roundFailed(h.lastFailure.empty() ? "no target left to try"
						  : "every target failed; the last: " + h.lastFailure,
			    now, out);
		return;
	}
	Session s;
	s.id = nextSessionId_++;
	s.target = h.candidates[h.nextCandidate++];
	s.startedAt = now;
	++h.record.targetsTried;
	out.push_back(action::Preconnect{s.id, s.target});
	GOAWAY_LOG_INFO("HandoffStateMachine::tryNextCandidate",
			"handoff #%llu: pre-connecting session %llu to %s (%s)", ull(h.record.id), ull(s.id),
			hostPort(s.target.endpoint()).c_str(), targetSourceName(s.target.source));
	next_ = std::move(s);
	deadline_ = now + options_.preconnectTimeout;
	setState(current_ ? State::Preconnecting : State::Reconnecting, out);
}

void HandoffStateMachine::candidateFailed(const std::string &reason, TimePoint now, Actions &out)
{
	GOAWAY_LOG_WARN("HandoffStateMachine::candidateFailed", "%s", reason.c_str());
	if (next_) {
		out.push_back(action::CloseSilently{next_->id}); // it never carried media
		next_.reset();
	}
	handoff_->lastFailure = reason;
	deadline_.reset();
	tryNextCandidate(now, out);
}

void HandoffStateMachine::confirmingFailed(const std::string &reason, bool rejected, TimePoint now, Actions &out)
{
	Handoff &h = *handoff_;
	GOAWAY_LOG_WARN("HandoffStateMachine::confirmingFailed", "%s", reason.c_str());
	const bool breakBeforeMake = rejected && mayBreakBeforeMake(next_->target);
	out.push_back(action::CloseSilently{next_->id});
	next_.reset();
	deadline_.reset();
	h.lastFailure = reason;
	const PacketSeq cut = h.cutSeq.value_or(nextSeq_);
	h.cutSeq.reset();
	h.record.cutOverAt.reset();
	h.record.cutDtsMs.reset();
	if (current_) {
		// The old session is still open and has everything before the cut: it takes the
		// stream back without a gap and without duplicates.
		replayOn(*current_, current_->lastSent ? *current_->lastSent + 1 : cut, out);
		if (auto newest = backlog_.newestCutPoint())
			resumeFrom_ = newest;
		if (breakBeforeMake)
			startBreakBeforeMakeFallback(now, out);
		else
			tryNextCandidate(now, out);
		return;
	}
	// Nothing live: hold from the cut keyframe again and try the next target.
	if (!h.holdingSince)
		h.holdingSince = now;
	tryNextCandidate(now, out);
}

bool HandoffStateMachine::mayBreakBeforeMake(const Target &refused) const
{
	// Only a refusal by the node the old session publishes to is the "one publisher per key"
	// case; another node refusing says nothing about it, and leaving a working session for it
	// would trade a live stream for a likely second refusal.
	if (!handoff_ || handoff_->mode != HandoffMode::MakeBeforeBreak || handoff_->bbmFallbackUsed || !current_)
		return false;
	const Target &old = current_->target;
	if (!refused.address.empty() && !old.address.empty())
		return refused.address == old.address && refused.port == old.port;
	return refused.host == old.host && refused.port == old.port;
}

void HandoffStateMachine::startBreakBeforeMakeFallback(TimePoint now, Actions &out)
{
	// A publish refused while the old session still publishes usually means the server takes
	// one publisher per key (nginx-rtmp: "Already publishing"; go-away-protocol.md 5): retry
	// the same target after leaving the old node, once.
	Handoff &h = *handoff_;
	h.mode = HandoffMode::BreakBeforeMake;
	h.bbmFallbackUsed = true;
	h.record.brokeBeforeMake = true;
	h.record.mode = HandoffMode::BreakBeforeMake;
	if (h.nextCandidate > 0)
		--h.nextCandidate;
	h.awaitingCutSince = now;
	keyframeDeadline_ = now + options_.maxKeyframeWait;
	keyframeWaitExceeded_ = false;
	GOAWAY_LOG_INFO("HandoffStateMachine::startBreakBeforeMakeFallback",
			"handoff #%llu: publish refused beside the old session; retrying break-before-make",
			ull(h.record.id));
	setState(State::AwaitingCut, out);
}

void HandoffStateMachine::roundFailed(const std::string &reason, TimePoint now, Actions &out)
{
	Handoff &h = *handoff_;
	if (!current_ && h.record.round < options_.maxRounds) {
		// Nothing is live, so waiting would only grow the hold: resolve again at once (a node
		// may have come back, DNS may answer differently); bounded by maxRounds and the cap.
		++h.record.round;
		h.candidates.clear();
		h.nextCandidate = 0;
		h.resolveRequest = nextRequestId_++;
		out.push_back(action::ResolveTargets{*h.resolveRequest, h.record.trigger, h.record.from, h.tcUrl,
						     h.record.from.address});
		GOAWAY_LOG_WARN("HandoffStateMachine::roundFailed", "handoff #%llu: %s; resolving again (round %d)",
				ull(h.record.id), reason.c_str(), h.record.round);
		deadline_ = now + options_.resolveTimeout;
		setState(State::Resolving, out);
		return;
	}
	if (!current_) {
		fallBack(reason, now, out);
		return;
	}
	if (next_) {
		out.push_back(action::CloseSilently{next_->id});
		next_.reset();
	}
	finishRecord(HandoffResult::Failed, reason, now, out);
	const Trigger t = h.record.trigger;
	// The server still wants the client gone: try again after a pause, a bounded number of times;
	// after that the old session streams until it ends (then ConnectionLost takes over).
	if ((t == Trigger::GoAway || t == Trigger::ReconnectRequest) && h.record.round < options_.maxRounds)
		retry_ = Retry{now + options_.retryCooldown, t, h.tcUrl, h.record.triggerDetail, h.record.round + 1};
	handoff_.reset();
	deadline_.reset();
	keyframeDeadline_.reset();
	keyframeWaitExceeded_ = false;
	setState(State::Streaming, out);
}

void HandoffStateMachine::fallBack(const std::string &reason, TimePoint now, Actions &out)
{
	if (next_)
		out.push_back(action::CloseSilently{next_->id});
	if (current_)
		out.push_back(action::CloseSilently{current_->id});
	const std::string sentence =
		"no ingest could take the stream (" + reason + "); handing over to OBS's reconnect";
	if (handoff_)
		finishRecord(HandoffResult::FellBack, reason, now, out);
	GOAWAY_LOG_ERROR("HandoffStateMachine::fallBack", "%s", sentence.c_str());
	current_.reset();
	next_.reset();
	handoff_.reset();
	retry_.reset();
	deadline_.reset();
	keyframeDeadline_.reset();
	resumeFrom_.reset();
	backlog_.clear();
	out.push_back(action::TrimBacklog{nextSeq_});
	setState(State::FellBack, out);
	out.push_back(action::FallBackToReconnect{sentence});
}

void HandoffStateMachine::oldSessionLost(Trigger trigger, const std::string &reason, TimePoint now, Actions &out)
{
	const Session lost = *current_;
	const Endpoint from = lost.target.endpoint();
	out.push_back(action::CloseSilently{current_->id}); // release it; nothing can be said on a dead link
	GOAWAY_LOG_WARN("HandoffStateMachine::oldSessionLost", "session %llu to %s lost: %s", ull(current_->id),
			hostPort(from).c_str(), reason.c_str());
	current_.reset();
	if (state_ == State::Streaming) {
		retry_.reset();
		beginHandoff(trigger, std::nullopt, reason, lost, 1, now, out);
		noteUnacknowledgedLoss(lost.id);
		return;
	}
	if (!handoff_)
		return;
	Handoff &h = *handoff_;
	if (state_ == State::Confirming)
		return; // it was idle already; the new session carries the stream
	noteUnacknowledgedLoss(lost.id);
	// Issue 5 B: the old connection died before the cut: resume on the new session from the
	// last keyframe (duplicates allowed only here, and counted).
	h.record.oldLostBeforeCut = true;
	h.holdingSince = now;
	keyframeDeadline_.reset();
	keyframeWaitExceeded_ = false;
	if (state_ == State::Preconnecting) {
		setState(State::Reconnecting, out);
	} else if (state_ == State::AwaitingCut) {
		if (!next_)
			tryNextCandidate(now, out); // break-before-make had not connected yet
		else if (resumeFrom_)
			cutByReplay(now, out);
	}
}

// ---- the cut -----------------------------------------------------------------------------------

void HandoffStateMachine::cutAtPacket(PacketSeq seq, const PacketInfo &packet, TimePoint now, Actions &out)
{
	Handoff &h = *handoff_;
	Session &n = *next_;
	if (!n.publishSent) {
		// Media goes right after publish, before its onStatus: that keeps the seam short.
		out.push_back(action::Publish{n.id});
		n.publishSent = true;
		deadline_ = now + options_.publishTimeout;
	}
	sendOn(n, seq, packet, out);
	h.cutSeq = seq;
	resumeFrom_ = seq;
	h.record.cutOverAt = now;
	h.record.cutDtsMs = packet.dtsMs;
	if (h.awaitingCutSince)
		h.record.waitedForKeyframeMs = msBetween(*h.awaitingCutSince, now);
	h.awaitingCutSince.reset(); // measured once: a later replay is not a keyframe wait
	keyframeDeadline_.reset();
	enterConfirmingOrComplete(now, out);
}

void HandoffStateMachine::breakAtPacket(PacketSeq seq, bool replayFromResume, TimePoint now, Actions &out)
{
	Handoff &h = *handoff_;
	closeOld(out);
	if (replayFromResume) {
		h.record.keyframeWaitExceeded = true; // resumeFrom_ (the last keyframe) already went out
	} else {
		resumeFrom_ = seq; // this keyframe is held: nothing from it on reached the old node
	}
	h.cutSeq = resumeFrom_;
	h.holdingSince = now;
	if (h.awaitingCutSince)
		h.record.waitedForKeyframeMs = msBetween(*h.awaitingCutSince, now);
	h.awaitingCutSince.reset(); // measured once: a later replay is not a keyframe wait
	tryNextCandidate(now, out);
}

void HandoffStateMachine::cutByReplay(TimePoint now, Actions &out)
{
	Handoff &h = *handoff_;
	Session &n = *next_;
	if (!n.publishSent) {
		out.push_back(action::Publish{n.id});
		n.publishSent = true;
		deadline_ = now + options_.publishTimeout;
	}
	h.cutSeq = resumeFrom_;
	h.record.cutDtsMs = backlog_.dtsOf(*resumeFrom_);
	replayOn(n, *resumeFrom_, out);
	h.record.cutOverAt = now;
	if (h.awaitingCutSince)
		h.record.waitedForKeyframeMs = msBetween(*h.awaitingCutSince, now);
	h.awaitingCutSince.reset(); // measured once: a later replay is not a keyframe wait
	if (h.holdingSince)
		h.record.heldMs += msBetween(*h.holdingSince, now);
	h.holdingSince.reset();
	keyframeDeadline_.reset();
	enterConfirmingOrComplete(now, out);
}

void HandoffStateMachine::enterConfirmingOrComplete(TimePoint now, Actions &out)
{
	if (next_->accepted) {
		complete(now, out);
		return;
	}
	if (!deadline_)
		deadline_ = now + options_.publishTimeout;
	setState(State::Confirming, out);
}

void HandoffStateMachine::complete(TimePoint now, Actions &out)
{
	closeOld(out);
	current_ = std::move(next_);
	next_.reset();
	finishRecord(HandoffResult::Succeeded, {}, now, out);
	std::optional<FollowUp> followUp = std::move(handoff_->followUp);
	handoff_.reset();
	deadline_.reset();
	keyframeDeadline_.reset();
	keyframeWaitExceeded_ = false;
	// Everything held went to the now accepted session; with acknowledgements the replay point
	// stays until the new server acknowledges past it.
	if (auto newest = backlog_.newestCutPoint(); newest && !options_.replayFromAcknowledged)
		resumeFrom_ = newest;
	setState(State::Streaming, out);
	if (followUp)
		beginHandoff(followUp->trigger, std::move(followUp->tcUrl), std::move(followUp->detail), *current_, 1,
			     now, out);
}

void HandoffStateMachine::finishRecord(HandoffResult result, const std::string &reason, TimePoint now, Actions &out)
{
	HandoffRecord &r = handoff_->record;
	r.result = result;
	r.failureReason = reason;
	r.completedAt = now;
	if (handoff_->holdingSince)
		r.heldMs += msBetween(*handoff_->holdingSince, now);
	handoff_->holdingSince.reset();
	GOAWAY_LOG_INFO("HandoffStateMachine::finishRecord",
			"handoff #%llu %s: %s -> %s; keyframe wait %lld ms, pre-connect %lld ms, held %lld ms, "
			"%llu frames on new, %llu duplicates%s%s",
			ull(r.id), handoffResultName(result), hostPort(r.from).c_str(), hostPort(r.to).c_str(),
			static_cast<long long>(r.waitedForKeyframeMs), static_cast<long long>(r.preconnectMs),
			static_cast<long long>(r.heldMs), ull(r.framesOnNew), ull(r.duplicates),
			reason.empty() ? "" : ": ", reason.c_str());
	out.push_back(action::EmitRecord{r});
}

// ---- routing -----------------------------------------------------------------------------------

void HandoffStateMachine::sendOn(Session &session, PacketSeq seq, const PacketInfo &packet, Actions &out)
{
	if (!session.headersSent) {
		out.push_back(action::SendHeaders{session.id});
		session.headersSent = true;
	}
	out.push_back(action::SendPacket{session.id, seq});
	noteSent(session, seq);
	if (!handoff_)
		return;
	HandoffRecord &r = handoff_->record;
	if (next_ && session.id == next_->id) {
		++r.framesOnNew;
		r.bytesOnNew += packet.bytes;
	} else {
		++r.framesOnOldAfterTrigger;
		r.bytesOnOldAfterTrigger += packet.bytes;
	}
}

void HandoffStateMachine::replayOn(Session &session, PacketSeq fromSeq, Actions &out)
{
	const auto front = backlog_.frontSeq();
	if (front && fromSeq < *front) {
		// Only after the backlog cap trimmed what this replay needed.
		if (handoff_)
			handoff_->record.framesLost += *front - fromSeq;
		fromSeq = *front;
	}
	const BacklogLedger::Span span = backlog_.spanFrom(fromSeq);
	if (span.packets == 0)
		return;
	if (!session.headersSent) {
		out.push_back(action::SendHeaders{session.id});
		session.headersSent = true;
	}
	out.push_back(action::ReplayBacklog{session.id, fromSeq});
	if (handoff_) {
		HandoffRecord &r = handoff_->record;
		if (fromSeq <= deliveredThrough_) {
			// Issue 16: after a lost connection only what its server surely read is surely a
			// duplicate (nothing, when that is not known); the rest may never have been read.
			const PacketSeq unknown = r.lossBasis ? fromSeq : deliveredThrough_ + 1;
			const PacketSeq sureEnd =
				std::min(deliveredThrough_ + 1, r.firstUnacknowledged.value_or(unknown));
			r.duplicates += sureEnd > fromSeq ? backlog_.countBetween(fromSeq, sureEnd - 1) : 0;
			r.duplicatesAtMost += backlog_.countBetween(fromSeq, deliveredThrough_);
		}
		if (next_ && session.id == next_->id) {
			r.framesOnNew += span.packets;
			r.bytesOnNew += span.bytes;
		} else {
			r.framesOnOldAfterTrigger += span.packets;
			r.bytesOnOldAfterTrigger += span.bytes;
		}
	}
	noteSent(session, *backlog_.backSeq());
}

void HandoffStateMachine::noteSent(Session &session, PacketSeq seq)
{
	session.lastSent = seq;
	if (session.accepted)
		deliveredThrough_ = std::max(deliveredThrough_, seq);
}

void HandoffStateMachine::holdOrDrop(PacketSeq seq, bool cutPoint)
{
	if (resumeFrom_)
		return; // held: the replay from resumeFrom_ includes it
	if (cutPoint) {
		resumeFrom_ = seq;
		return;
	}
	// No keyframe to start a new session from yet (stream start, or the cap trimmed it): a
	// packet before the first cut point cannot be decoded by the new node. Counted as lost.
	if (handoff_) // packets are only ever held during a handoff
		++handoff_->record.framesLost;
}

void HandoffStateMachine::trimAndCap(PacketSeq seq, TimePoint now, Actions &out)
{
	const PacketSeq floor = resumeFrom_ ? *resumeFrom_ : seq + 1;
	const auto front = backlog_.frontSeq();
	if (front && *front < floor) {
		backlog_.trimBefore(floor);
		out.push_back(action::TrimBacklog{floor});
	}
	if (backlog_.bytes() <= options_.backlogCapBytes)
		return;
	if (holding()) {
		fallBack("the backlog passed its cap of " + std::to_string(options_.backlogCapBytes / 1024) +
				 " KiB while no session could take the stream",
			 now, out);
		return;
	}
	// A session is live, so nothing is lost now; only a later resume loses its keyframe.
	const std::optional<PacketSeq> keep = backlog_.oldestCutPointWithin(options_.backlogCapBytes);
	const PacketSeq newFloor = keep ? *keep : seq + 1;
	resumeFrom_ = keep;
	backlog_.trimBefore(newFloor);
	out.push_back(action::TrimBacklog{newFloor});
	GOAWAY_LOG_WARN("HandoffStateMachine::trimAndCap", "backlog above %llu KiB: trimmed to seq %llu",
			ull(options_.backlogCapBytes / 1024), ull(newFloor));
}

void HandoffStateMachine::closeOld(Actions &out)
{
	if (!current_)
		return;
	if (handoff_ && handoff_->closeOldSilently)
		out.push_back(action::CloseSilently{current_->id});
	else
		out.push_back(action::CloseGracefully{current_->id});
	current_.reset();
}

bool HandoffStateMachine::isCutPoint(const PacketInfo &packet) const
{
	return options_.audioOnly ? !packet.isVideo : (packet.isVideo && packet.isKeyframe);
}

bool HandoffStateMachine::holding() const
{
	return !current_ && state_ != State::Confirming;
}

} // namespace goaway::handoff
