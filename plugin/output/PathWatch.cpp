#include "PathWatch.hpp"

#include "plugin/common/Log.hpp"

namespace goaway::output {

namespace {

/// What the server may hold unacknowledged beyond the window it was asked for before an
/// acknowledgement counts as overdue: half a window covers servers that acknowledge at read or
/// message boundaries rather than exactly at the window, and the bytes of the handshake and the
/// connect command that RtmpSession::serverAcknowledgedBytes() discounts.
constexpr std::uint64_t kAckSpacingMarginDivisor = 2;

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

std::optional<PathWatch::Observation> PathWatch::observe(handoff::SessionId id, const rtmp::RtmpSession &session,
							 handoff::TimePoint now)
{
	if (lastSeq_.find(id) == lastSeq_.end())
		return std::nullopt;
	Observation o;
	std::optional<std::uint64_t> acked = session.serverAcknowledgedBytes();
	std::uint64_t spacing = session.ackWindowAsked();
	spacing += spacing / kAckSpacingMarginDivisor;
	o.source = handoff::AckSource::ServerAcks;
	if (!acked) {
		acked = session.tcpAcknowledgedBytes(); // TCP acknowledges every round trip: no spacing
		spacing = 0;
		o.source = acked ? handoff::AckSource::Tcp : handoff::AckSource::Assumed;
	}
	if (watched_ != id) {
		std::erase_if(sent_, [id](const auto &entry) { return entry.first != id; });
		std::erase_if(lastSeq_, [id](const auto &entry) { return entry.first != id; });
	}
	if (watched_ != id || watchedSource_ != o.source) {
		detector_.reset(); // a new session, or the server's first acknowledgement: counts change
		watched_ = id;
		watchedSource_ = o.source;
		congested_ = false;
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
	const std::uint64_t given = session.bytesGiven();
	const auto verdict = detector_.update(now, given, acked, spacing);
	if ((verdict == handoff::DeadPathDetector::Verdict::Congested) != congested_) {
		congested_ = !congested_;
		if (congested_)
			GOAWAY_LOG_WARN("PathWatch::observe",
					"%s acknowledges less than is sent (%llu bytes waiting): congestion",
					session.url().hostPort().c_str(), (unsigned long long)(given - *acked));
		else
			GOAWAY_LOG_INFO("PathWatch::observe", "%s keeps up again", session.url().hostPort().c_str());
	}
	if (verdict == handoff::DeadPathDetector::Verdict::Dead) {
		o.deadPath = true;
		o.detection = std::chrono::duration_cast<std::chrono::milliseconds>(now - *detector_.dueSince());
		o.detail = std::string("no ") + (o.source == handoff::AckSource::Tcp ? "TCP " : "RTMP ") +
			   "acknowledgement for " + std::to_string(o.detection.count()) + " ms with " +
			   std::to_string(given - *acked) + " bytes waiting";
	}
	return o;
}

} // namespace goaway::output
