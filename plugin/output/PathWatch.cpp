#include "PathWatch.hpp"

namespace goaway::output {

namespace {

/// What the server may hold unacknowledged beyond the window it was asked for before an
/// acknowledgement counts as overdue: half a window covers servers that acknowledge at read or
/// message boundaries rather than exactly at the window, and the bytes of the handshake and the
/// connect command that RtmpSession::serverAcknowledgedBytes() discounts.
constexpr std::uint64_t kAckSpacingMarginDivisor = 2;
/// Congestion ends only after this long without the verdict: from one acknowledgement to the next
/// a full queue grows and shrinks by a few packets, and the state (and its log line) must not flap
/// with them. Several acknowledgements' spacing at the window the output asks for (5 a second).
constexpr auto kCongestionCalm = std::chrono::seconds(2);
/// Once congested, media waiting in the output's queue keeps it so while acknowledgements come,
/// unless one has been due this long: that is the way to a dead path instead.
constexpr auto kAckLate = std::chrono::seconds(1);
/// A session that took over a stream first carries what it replays (after a dead path: the window
/// plus up to a GOP) through a fresh congestion window: acknowledgements trail behind that by
/// design, and calling it congestion would hold and drop the frames that follow. Until the server
/// has acknowledged what the session was given by its first watched turn, at most this long, it is
/// catching up, not congested; a dead path is still found meanwhile.
constexpr auto kCatchUpLimit = std::chrono::seconds(5);

} // namespace

handoff::HandoffOptions PathWatch::machineOptions(handoff::HandoffOptions options)
{
	options.replayFromAcknowledged = true;
	return options;
}

void PathWatch::noteSent(handoff::SessionId id, handoff::PacketSeq seq, std::uint64_t endOffset)
{
	sent_[id].push_back({seq, endOffset});
	lastSeq_[id] = seq;
}

std::optional<PathWatch::Observation> PathWatch::observe(handoff::SessionId id, const AckFacts &facts,
							 handoff::TimePoint now, bool mediaWaiting)
{
	if (lastSeq_.find(id) == lastSeq_.end())
		return std::nullopt;
	Observation o;
	std::optional<std::uint64_t> acked = facts.serverAcknowledged;
	std::uint64_t spacing = facts.ackWindowAsked;
	spacing += spacing / kAckSpacingMarginDivisor;
	o.source = handoff::AckSource::ServerAcks;
	if (!acked) {
		acked = facts.tcpAcknowledged; // TCP acknowledges every round trip: no spacing
		spacing = 0;
		o.source = acked ? handoff::AckSource::Tcp : handoff::AckSource::Assumed;
	}
	if (watched_ != id) {
		std::erase_if(sent_, [id](const auto &entry) { return entry.first != id; });
		std::erase_if(lastSeq_, [id](const auto &entry) { return entry.first != id; });
	}
	if (watched_ != id || watchedSource_ != o.source) {
		detector_.reset(); // a new session, or the server's first acknowledgement: counts change
		if (watched_ != id)
			catchUp_ = CatchUp{facts.bytesGiven, now};
		watched_ = id;
		watchedSource_ = o.source;
		congested_ = false;
		calmSince_.reset();
	}
	auto &sent = sent_[id];
	const handoff::PacketSeq lastSeq = lastSeq_[id];
	if (!acked) {
		sent.clear(); // nothing tells: every packet sent counts as received (as before issue 16)
		o.firstUnacked = lastSeq + 1;
		return o;
	}
	while (!sent.empty() && sent.front().endOffset <= *acked)
		sent.pop_front();
	o.firstUnacked = sent.empty() ? lastSeq + 1 : sent.front().seq;
	const std::uint64_t given = facts.bytesGiven;
	o.bytesWaiting = given > *acked ? given - *acked : 0;
	auto verdict = detector_.update(now, given, acked, spacing);
	if (catchUp_ && (*acked >= catchUp_->untilBytes || now - catchUp_->since >= kCatchUpLimit))
		catchUp_.reset();
	if (catchUp_ && verdict == handoff::DeadPathDetector::Verdict::Congested)
		verdict = handoff::DeadPathDetector::Verdict::Healthy;
	const auto due = detector_.dueSince();
	if (verdict == handoff::DeadPathDetector::Verdict::Healthy && congested_ && mediaWaiting &&
	    (!due || now - *due < kAckLate))
		verdict = handoff::DeadPathDetector::Verdict::Congested;
	if (verdict == handoff::DeadPathDetector::Verdict::Congested) {
		calmSince_.reset();
		congested_ = true;
	} else if (congested_) {
		if (!calmSince_)
			calmSince_ = now;
		if (now - *calmSince_ >= kCongestionCalm) {
			congested_ = false;
			calmSince_.reset();
		}
	}
	if (verdict == handoff::DeadPathDetector::Verdict::Dead) {
		o.deadPath = true;
		o.detection = std::chrono::duration_cast<std::chrono::milliseconds>(now - *detector_.dueSince());
		o.detail = std::string("no ") + (o.source == handoff::AckSource::Tcp ? "TCP " : "RTMP ") +
			   "acknowledgement for " + std::to_string(o.detection.count()) + " ms with " +
			   std::to_string(o.bytesWaiting) + " bytes waiting";
	}
	return o;
}

} // namespace goaway::output
