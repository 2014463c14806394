// StreamDriver: what the live session's server acknowledged, leaving a dead path (found by the
// acknowledgements, or by a write nothing was taken from), a lost session, and a stop while
// a lost connection's media waits for the next session (issue 16). A file of its own to keep
// StreamDriver.cpp readable.

#include "StreamDriver.hpp"

#include "plugin/common/Log.hpp"

namespace goaway::output {

using namespace std::chrono_literals;

namespace {

/// A stop while a lost connection's media waits for the next session lets that handoff finish for
/// at most this long: a pre-connect's own deadline plus a publish, without keeping OBS waiting
/// noticeably longer than a normal stop when no target answers.
constexpr auto kStopDrainLimit = 5s;
/// Media is waiting in the queue (PathWatch: a congested path stays so) from this share of the
/// drop threshold on: a quarter of 900 ms, several frames more than a healthy path ever holds.
constexpr float kMediaWaitingShare = 0.25f;

PathWatch::AckFacts ackFacts(const rtmp::RtmpSession &s)
{
	PathWatch::AckFacts facts;
	facts.bytesGiven = s.bytesGiven();
	facts.serverAcknowledged = s.serverAcknowledgedBytes();
	if (!facts.serverAcknowledged)
		facts.tcpAcknowledged = s.tcpAcknowledgedBytes(); // a system call: only when it is used
	facts.ackWindowAsked = s.ackWindowAsked();
	return facts;
}

} // namespace

void StreamDriver::watchPath()
{
	const auto live = machine_.liveSession();
	rtmp::RtmpSession *s = live ? session(*live) : nullptr;
	if (!s || !s->isOpen())
		return;
	// The queue's figure (its lock, shared with the encoder thread) only when it can matter.
	const bool mediaWaiting = pathWatch_.congested() && queue_.congestion() >= kMediaWaitingShare;
	const auto seen = pathWatch_.observe(*live, ackFacts(*s), now(), mediaWaiting);
	if (!seen)
		return;
	machine_.onAcknowledged(*live, seen->firstUnacked, seen->source);
	if (pathWatch_.congested() != congestedShown_) {
		congestedShown_ = pathWatch_.congested();
		if (congestedShown_)
			GOAWAY_LOG_WARN("StreamDriver::watchPath",
					"%s acknowledges less than is sent (%llu bytes waiting): congestion",
					s->url().hostPort().c_str(), (unsigned long long)seen->bytesWaiting);
		else
			GOAWAY_LOG_INFO("StreamDriver::watchPath", "%s keeps up again", s->url().hostPort().c_str());
		s->limitUnsent(congestedShown_);
		figures_.setPathCongested(congestedShown_); // only on a change: a lock, not one per turn
	}
	if (!seen->deadPath)
		return;
	const handoff::SessionId id = *live;
	GOAWAY_LOG_WARN("StreamDriver::watchPath", "session %llu to %s: dead path (%s); leaving it without a word",
			(unsigned long long)id, s->url().hostPort().c_str(), seen->detail.c_str());
	s->abandon(); // no flush, no FCUnpublish / deleteStream: the peer reads nothing
	closeSession(id, false);
	dropStandby("the path to the live session died");
	const auto detail = seen->detail;
	const auto detection = seen->detection;
	defer([this, id, detail, detection] { return machine_.onDeadPath(id, detail, detection, now()); });
}

void StreamDriver::sessionFailed(handoff::SessionId id, const Error &error, bool byWrite)
{
	if (!session(id))
		return;
	const std::string reason = error.message;
	const bool stalled = byWrite && error.code == ErrorCode::Timeout && config_.session.sendStallMs > 0;
	GOAWAY_LOG_WARN("StreamDriver::sessionFailed", "session %llu to %s %s: %s", (unsigned long long)id,
			session(id)->url().hostPort().c_str(), stalled ? "on a dead path" : "lost", reason.c_str());
	// The machine decides what replaces it; the dead connection is closed without a word.
	closeSession(id, false);
	if (stalled) {
		// A write that nothing was taken from for the dead-path window: the same finding as the
		// acknowledgement watch's, made while the loop could not watch.
		const std::chrono::milliseconds detection(config_.session.sendStallMs);
		dropStandby("the path to the live session died");
		defer([this, id, reason, detection] { return machine_.onDeadPath(id, reason, detection, now()); });
		return;
	}
	defer([this, id, reason] { return machine_.onSessionLost(id, reason, now()); });
}

bool StreamDriver::holdForPath()
{
	// On a congested path media waits in the queue (where the drop policy sees it and the loop
	// keeps turning) rather than in a blocked write, with one session carrying it; a handoff needs
	// its cut keyframe and a stop drains, both through the write as before.
	if (stopRequested_ || !congestedShown_ || machine_.state() != handoff::State::Streaming)
		return false;
	const auto live = machine_.liveSession();
	const rtmp::RtmpSession *s = live ? session(*live) : nullptr;
	return s && s->isOpen() && !s->writableNow();
}

void StreamDriver::stopOrDrain()
{
	if (machine_.holdingForHandoff()) {
		if (!drainUntil_) {
			drainUntil_ = now() + kStopDrainLimit;
			GOAWAY_LOG_INFO(
				"StreamDriver::stopOrDrain",
				"stop requested while the lost connection's media waits for the next session: "
				"finishing the handoff first (at most %lld s)",
				(long long)std::chrono::duration_cast<std::chrono::seconds>(kStopDrainLimit).count());
		}
		if (now() < *drainUntil_)
			return;
		GOAWAY_LOG_WARN("StreamDriver::stopOrDrain", "the handoff did not finish in time: stopping");
	}
	stop();
}

} // namespace goaway::output
