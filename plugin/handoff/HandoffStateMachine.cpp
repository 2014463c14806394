#include "HandoffStateMachine.hpp"

#include "HandoffLogFormat.hpp"
#include "plugin/common/Log.hpp"

#include <algorithm>
#include <utility>

namespace goaway::handoff {

HandoffStateMachine::HandoffStateMachine(HandoffOptions options) : options_(std::move(options)) {}

// ---- life cycle ------------------------------------------------------------------------------

Actions HandoffStateMachine::onConnected(SessionId session, const Target &target, TimePoint now)
{
	Actions out;
	if (state_ != State::Idle && state_ != State::FellBack) {
		GOAWAY_LOG_WARN("HandoffStateMachine::onConnected", "ignored in state %s", stateName(state_));
		return out;
	}
	Session s;
	s.id = session;
	s.target = target;
	s.startedAt = now;
	s.ready = s.publishSent = s.accepted = true; // the output published it itself
	current_ = std::move(s);
	next_.reset();
	handoff_.reset();
	retry_.reset();
	deadline_.reset();
	keyframeDeadline_.reset();
	keyframeWaitExceeded_ = false;
	backlog_.clear();
	resumeFrom_.reset();
	deliveredThrough_ = nextSeq_ - 1;
	nextSessionId_ = std::max(nextSessionId_, session + 1);
	setState(State::Streaming, out);
	return out;
}

Actions HandoffStateMachine::stop(TimePoint now)
{
	Actions out;
	if (state_ == State::Idle)
		return out;
	const bool confirming = state_ == State::Confirming;
	if (next_) {
		// The new session ends the stream only if it already carries it.
		if (confirming && next_->publishSent)
			out.push_back(action::CloseGracefully{next_->id});
		else
			out.push_back(action::CloseSilently{next_->id});
	}
	if (current_) {
		if (confirming)
			closeOld(out);
		else
			out.push_back(action::CloseGracefully{current_->id});
	}
	if (handoff_)
		finishRecord(HandoffResult::Stopped, "the output stopped during the handoff", now, out);
	current_.reset();
	next_.reset();
	handoff_.reset();
	retry_.reset();
	deadline_.reset();
	keyframeDeadline_.reset();
	resumeFrom_.reset();
	backlog_.clear();
	out.push_back(action::TrimBacklog{nextSeq_});
	setState(State::Idle, out);
	return out;
}

// ---- triggers ----------------------------------------------------------------------------------

Actions HandoffStateMachine::onGoAway(SessionId session, TimePoint now)
{
	return trigger(Trigger::GoAway, session, std::nullopt, {}, now);
}

Actions HandoffStateMachine::onReconnectRequest(SessionId session, std::optional<std::string> tcUrl,
						std::string description, TimePoint now)
{
	return trigger(Trigger::ReconnectRequest, session, std::move(tcUrl), std::move(description), now);
}

Actions HandoffStateMachine::requestHandoff(TimePoint now)
{
	if (!current_)
		return trigger(Trigger::Manual, 0, std::nullopt, {}, now);
	return trigger(Trigger::Manual, current_->id, std::nullopt, {}, now);
}

Actions HandoffStateMachine::trigger(Trigger trigger, SessionId session, std::optional<std::string> tcUrl,
				     std::string detail, TimePoint now)
{
	Actions out;
	if (state_ == State::Idle || state_ == State::FellBack)
		return out;
	const bool onCurrent = current_ && current_->id == session;
	const bool onNext = next_ && next_->id == session;
	if (onCurrent && state_ == State::Streaming) {
		retry_.reset();
		beginHandoff(trigger, std::move(tcUrl), std::move(detail), *current_, 1, now, out);
	} else if ((onCurrent || trigger == Trigger::Manual) && handoff_) {
		// One handoff at a time: a second request for the same move is already being served.
		++handoff_->record.coalescedTriggers;
		if (trigger == Trigger::GoAway)
			handoff_->closeOldSilently = true; // the platform stitches only after a silent close
		GOAWAY_LOG_INFO("HandoffStateMachine::trigger", "%s coalesced into handoff #%llu", triggerName(trigger),
				ull(handoff_->record.id));
	} else if (onNext && handoff_) {
		// The node we are moving to is draining as well (issue 8: Go Away on the new connection).
		const bool others = handoff_->nextCandidate < handoff_->candidates.size();
		if (state_ != State::Confirming && others) {
			candidateFailed("the new node asked the client to go away as well", now, out);
		} else {
			handoff_->followUp = FollowUp{trigger, std::move(tcUrl), std::move(detail)};
			handoff_->record.followUpQueued = true;
			GOAWAY_LOG_INFO("HandoffStateMachine::trigger",
					"%s on the new session: another handoff follows #%llu", triggerName(trigger),
					ull(handoff_->record.id));
		}
	}
	return out;
}

Actions HandoffStateMachine::onSessionLost(SessionId session, std::string reason, TimePoint now)
{
	Actions out;
	if (current_ && current_->id == session) {
		oldSessionLost(Trigger::ConnectionLost, reason, now, out);
	} else if (next_ && next_->id == session && handoff_) {
		if (state_ == State::Confirming)
			confirmingFailed("the new session was lost: " + reason, false, now, out);
		else
			candidateFailed("the new session closed before the cut: " + reason, now, out);
	}
	return out;
}

Actions HandoffStateMachine::onDeadPath(SessionId session, std::string detail, std::chrono::milliseconds detection,
					TimePoint now)
{
	if (!current_ || current_->id != session)
		return onSessionLost(session, std::move(detail), now); // the new session (Confirming)
	Actions out;
	oldSessionLost(Trigger::DeadPath, detail, now, out);
	if (handoff_)
		handoff_->record.detectionMs = detection.count();
	return out;
}

void HandoffStateMachine::onAcknowledged(SessionId session, PacketSeq firstUnacked, AckSource source)
{
	if (!options_.replayFromAcknowledged || !current_ || current_->id != session || !current_->accepted ||
	    state_ == State::Confirming)
		return;
	if (firstUnackedSession_ != session)
		firstUnacked_.reset();
	firstUnackedSession_ = session;
	if (!firstUnacked_ || firstUnacked > *firstUnacked_)
		firstUnacked_ = firstUnacked;
	ackSource_ = source;
	// The keyframe at or before the oldest packet the server may not have: a replay from it
	// leaves no hole. Never backwards: what it already covers stays covered.
	const auto from = backlog_.newestCutPointAtOrBefore(std::min(*firstUnacked_, current_->lastSent.value_or(0)));
	if (from && (!resumeFrom_ || *from > *resumeFrom_))
		resumeFrom_ = from;
}

void HandoffStateMachine::noteUnacknowledgedLoss(SessionId lost)
{
	if (!handoff_ || !options_.replayFromAcknowledged)
		return;
	const bool acksKnown = firstUnackedSession_ == lost && firstUnacked_;
	HandoffRecord &r = handoff_->record;
	r.lossBasis = acksKnown ? ackSource_ : AckSource::Assumed;
	// Only the server's own acknowledgements say what its application read. TCP's say what its
	// machine took, which a server that stopped reading keeps unread in a buffer of a size only
	// it knows: no bound on that can be given.
	if (acksKnown && ackSource_ == AckSource::ServerAcks)
		r.firstUnacknowledged = *firstUnacked_;
	if (acksKnown && resumeFrom_ && *resumeFrom_ > *firstUnacked_)
		r.framesLost += *resumeFrom_ - *firstUnacked_;
}

// ---- answers to actions ----------------------------------------------------------------------

Actions HandoffStateMachine::onCandidates(std::uint64_t requestId, std::vector<Target> candidates, TimePoint now)
{
	Actions out;
	if (!handoff_ || state_ != State::Resolving || handoff_->resolveRequest != requestId)
		return out; // a late answer to a request that no longer matters
	Handoff &h = *handoff_;
	h.resolveRequest.reset();
	deadline_.reset();
	h.candidates = std::move(candidates);
	h.nextCandidate = 0;
	if (h.candidates.empty()) {
		roundFailed("the resolver found no target to hand off to", now, out);
	} else if (h.mode == HandoffMode::BreakBeforeMake && current_) {
		// Reference clients: keep streaming until the keyframe, only then leave and connect.
		h.awaitingCutSince = now;
		keyframeDeadline_ = now + options_.maxKeyframeWait;
		keyframeWaitExceeded_ = false;
		setState(State::AwaitingCut, out);
	} else {
		tryNextCandidate(now, out);
	}
	return out;
}

Actions HandoffStateMachine::onPreconnectSucceeded(SessionId session, const ConnectInfo &info, TimePoint now)
{
	Actions out;
	if (!handoff_ || !next_ || next_->id != session || next_->ready)
		return out;
	Session &n = *next_;
	n.ready = true;
	if (!info.address.empty())
		n.target.address = info.address;
	HandoffRecord &r = handoff_->record;
	r.to = n.target.endpoint();
	r.toSession = n.id;
	r.toSource = n.target.source;
	r.targetReadyAt = now;
	r.preconnectMs = msBetween(n.startedAt, now);
	r.preconnectTimings = info.timings;
	deadline_.reset();
	if (current_) {
		if (options_.publishEarly) {
			out.push_back(action::Publish{n.id});
			n.publishSent = true;
			deadline_ = now + options_.publishTimeout;
		}
		handoff_->awaitingCutSince = now;
		keyframeDeadline_ = now + options_.maxKeyframeWait;
		keyframeWaitExceeded_ = false;
		setState(State::AwaitingCut, out);
	} else if (resumeFrom_) {
		cutByReplay(now, out); // the old session is gone: resume from the last keyframe
	} else {
		// Nothing decodable held yet: the next cut point starts the new session.
		handoff_->awaitingCutSince = now;
		setState(State::AwaitingCut, out);
	}
	return out;
}

Actions HandoffStateMachine::onPreconnectFailed(SessionId session, const Error &error, TimePoint now)
{
	Actions out;
	if (!handoff_ || !next_ || next_->id != session || next_->ready)
		return out;
	candidateFailed("pre-connect to " + hostPort(next_->target.endpoint()) + " failed: " + error.message, now, out);
	return out;
}

Actions HandoffStateMachine::onPublishResult(SessionId session, const Result<void> &result, TimePoint now)
{
	Actions out;
	if (!handoff_ || !next_ || next_->id != session || !next_->publishSent)
		return out;
	if (result) {
		next_->accepted = true;
		if (next_->lastSent)
			deliveredThrough_ = std::max(deliveredThrough_, *next_->lastSent);
		if (state_ == State::Confirming)
			complete(now, out);
		else
			deadline_.reset(); // published early and confirmed before the cut
		return out;
	}
	const std::string reason = hostPort(next_->target.endpoint()) + " rejected publish: " + result.error().message;
	if (state_ == State::Confirming) {
		confirmingFailed(reason, true, now, out);
	} else if (mayBreakBeforeMake(next_->target)) {
		out.push_back(action::CloseSilently{next_->id});
		next_.reset();
		deadline_.reset();
		handoff_->lastFailure = reason;
		startBreakBeforeMakeFallback(now, out);
	} else {
		candidateFailed(reason, now, out);
	}
	return out;
}

// ---- time ------------------------------------------------------------------------------------

Actions HandoffStateMachine::tick(TimePoint now)
{
	Actions out;
	const bool due = deadline_ && now >= *deadline_;
	switch (state_) {
	case State::Streaming:
		if (retry_ && now >= retry_->at && current_) {
			const Retry r = *retry_;
			retry_.reset();
			beginHandoff(r.trigger, r.tcUrl, r.detail, *current_, r.round, now, out);
		}
		break;
	case State::Resolving:
		if (due) {
			handoff_->resolveRequest.reset();
			deadline_.reset();
			roundFailed("the resolver gave no answer within " +
					    std::to_string(options_.resolveTimeout.count()) + " ms",
				    now, out);
		}
		break;
	case State::Preconnecting:
	case State::Reconnecting:
		if (due && next_)
			candidateFailed("pre-connect to " + hostPort(next_->target.endpoint()) + " timed out after " +
						std::to_string(options_.preconnectTimeout.count()) + " ms",
					now, out);
		break;
	case State::AwaitingCut:
		if (due && next_) {
			deadline_.reset();
			candidateFailed(hostPort(next_->target.endpoint()) + " did not answer publish within " +
						std::to_string(options_.publishTimeout.count()) + " ms",
					now, out);
		} else if (keyframeDeadline_ && now >= *keyframeDeadline_ && !keyframeWaitExceeded_) {
			keyframeWaitExceeded_ = true;
			GOAWAY_LOG_WARN(
				"HandoffStateMachine::tick",
				"no keyframe within %lld ms: cutting over at the next video packet from the last keyframe",
				static_cast<long long>(options_.maxKeyframeWait.count()));
		}
		break;
	case State::Confirming:
		if (due && next_)
			confirmingFailed(hostPort(next_->target.endpoint()) + " did not answer publish within " +
						 std::to_string(options_.publishTimeout.count()) + " ms",
					 false, now, out);
		break;
	default:
		break;
	}
	return out;
}

std::optional<TimePoint> HandoffStateMachine::nextDeadline() const
{
	std::optional<TimePoint> next;
	auto consider = [&next](std::optional<TimePoint> t) {
		if (t && (!next || *t < *next))
			next = t;
	};
	consider(deadline_);
	if (!keyframeWaitExceeded_)
		consider(keyframeDeadline_);
	if (retry_)
		consider(retry_->at);
	return next;
}

// ---- media -----------------------------------------------------------------------------------

PacketVerdict HandoffStateMachine::onPacket(const PacketInfo &packet, TimePoint now)
{
	PacketVerdict verdict;
	const PacketSeq seq = nextSeq_++;
	verdict.seq = seq;
	if (state_ != State::Idle && state_ != State::FellBack)
		verdict.actions = tick(now);
	Actions &out = verdict.actions;
	if (state_ == State::Idle || state_ == State::FellBack) {
		out.push_back(action::TrimBacklog{seq + 1}); // nowhere to send it
		return verdict;
	}
	const bool cut = isCutPoint(packet);
	backlog_.push({seq, packet.bytes, cut, packet.dtsMs});

	switch (state_) {
	case State::Confirming:
		sendOn(*next_, seq, packet, out);
		break;
	case State::AwaitingCut:
		if (current_) {
			const bool exceeded = keyframeWaitExceeded_ || (keyframeDeadline_ && now >= *keyframeDeadline_);
			if (cut) {
				if (next_)
					cutAtPacket(seq, packet, now, out);
				else
					breakAtPacket(seq, false, now, out);
			} else if (exceeded && resumeFrom_ && (packet.isVideo || options_.audioOnly)) {
				// Why replay rather than cut here: a new session that starts on a non-keyframe
				// cannot decode until the next one (frames lost in effect); replaying from the
				// last keyframe loses nothing at the cost of counted duplicates.
				handoff_->record.keyframeWaitExceeded = true;
				if (next_)
					cutByReplay(now, out);
				else
					breakAtPacket(seq, true, now, out);
			} else {
				sendOn(*current_, seq, packet, out);
			}
		} else {
			holdOrDrop(seq, cut);
			if (resumeFrom_ && next_ && next_->ready)
				cutByReplay(now, out);
		}
		break;
	case State::Streaming:
	case State::Resolving:
	case State::Preconnecting:
	case State::Reconnecting:
		if (current_)
			sendOn(*current_, seq, packet, out);
		else
			holdOrDrop(seq, cut);
		break;
	default:
		break;
	}
	// A keyframe the established session accepted is where a replay would start from now on.
	// (With replayFromAcknowledged only the first one: then the acknowledgements move it.)
	if (cut && current_ && current_->accepted && current_->lastSent == seq && state_ != State::Confirming &&
	    (!options_.replayFromAcknowledged || !resumeFrom_))
		resumeFrom_ = seq;
	if (state_ != State::FellBack && state_ != State::Idle)
		trimAndCap(seq, now, out);
	return verdict;
}

std::optional<SessionId> HandoffStateMachine::liveSession() const
{
	if (state_ == State::Confirming && next_)
		return next_->id;
	if (current_)
		return current_->id;
	return std::nullopt;
}

std::optional<HandoffRecord> HandoffStateMachine::currentHandoff() const
{
	if (!handoff_)
		return std::nullopt;
	return handoff_->record;
}

} // namespace goaway::handoff
