#include "Publisher.hpp"
#include "plugin/common/Log.hpp"

#include <atomic>
#include <thread>

namespace goaway::publish {

namespace {

using Clock = std::chrono::steady_clock;
std::atomic<bool> stopRequested{false};

double msSince(Clock::time_point t)
{
	return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

const char *triggerName(int t)
{
	static const char *const names[] = {"goaway", "reconnect-request", "connection-lost"};
	return names[t];
}

nlohmann::json timingsJson(const rtmp::ConnectTimings &t)
{
	return {{"tcpMs", t.tcpMs},
		{"tlsMs", t.tlsMs},
		{"handshakeMs", t.handshakeMs},
		{"connectMs", t.connectMs},
		{"createStreamMs", t.createStreamMs},
		{"publishMs", t.publishMs},
		{"totalMs", t.totalMs}};
}

/** The FLV script tag is "onMetaData" + array; published it becomes "@setDataFrame" + that. */
std::vector<uint8_t> setDataFrame(const std::vector<uint8_t> &scriptTag)
{
	static const char kName[] = "@setDataFrame";
	std::vector<uint8_t> out = {0x02, 0x00, uint8_t(sizeof(kName) - 1)};
	out.insert(out.end(), kName, kName + sizeof(kName) - 1);
	out.insert(out.end(), scriptTag.begin(), scriptTag.end());
	return out;
}

constexpr int kHandoffConnectAttempts = 3; // a target that fails 3 times in a row ends the run

} // namespace

void Publisher::requestStop()
{
	stopRequested = true;
}

Publisher::Publisher(PublishOptions options, std::vector<FlvTag> tags)
	: options_(std::move(options)),
	  tags_(std::move(tags))
{
}

Result<std::unique_ptr<rtmp::RtmpSession>> Publisher::openSession(const rtmp::RtmpUrl &target, bool publishNow)
{
	rtmp::SessionOptions so;
	so.url = target.tcUrl();
	so.streamKey = streamKey_;
	if (!options_.address.empty() && target.host == currentUrl_.host && connections_.empty())
		so.address = options_.address;
	so.bindAddress = options_.bindAddress;
	so.connectTimeoutMs = options_.connectTimeoutMs;
	so.ioTimeoutMs = options_.ioTimeoutMs;
	so.allowSelfSigned = options_.allowSelfSigned;
	so.codecForConnect = codec_;
	so.supportsGoAway = options_.announceGoAway;
	auto session = std::make_unique<rtmp::RtmpSession>();
	auto timings = session->connect(so);
	if (!timings)
		return std::unexpected(timings.error());
	if (publishNow) {
		if (auto ok = session->publish(options_.waitForPublishStart); !ok)
			return std::unexpected(ok.error());
	}
	return session;
}

void Publisher::noteConnection(const rtmp::RtmpSession &session)
{
	auto s = session.stats();
	connections_.push_back({{"server", s.server}, {"peer", s.peerAddress}, {"timings", timingsJson(s.timings)}});
}

Result<void> Publisher::sendHeaders(rtmp::RtmpSession &session, uint32_t timestampMs)
{
	if (metadata_) {
		auto body = setDataFrame(metadata_->data);
		if (auto ok = session.sendMessage(rtmp::MessageType::DataAmf0, timestampMs, body); !ok)
			return ok;
	}
	if (videoHeader_) {
		if (auto ok = session.sendMessage(rtmp::MessageType::Video, timestampMs, videoHeader_->data); !ok)
			return ok;
	}
	if (audioHeader_) {
		if (auto ok = session.sendMessage(rtmp::MessageType::Audio, timestampMs, audioHeader_->data); !ok)
			return ok;
	}
	return {};
}

void Publisher::startHandoff(Trigger trigger, rtmp::RtmpUrl target)
{
	if (pending_) {
		GOAWAY_LOG_INFO("Publisher::startHandoff", "%s while a handoff is pending: coalesced",
				triggerName(static_cast<int>(trigger)));
		if (trigger == Trigger::ConnectionLost)
			pending_->trigger = Trigger::ConnectionLost;
		return;
	}
	GOAWAY_LOG_INFO("Publisher::startHandoff", "%s: handing off to %s at the next keyframe",
			triggerName(static_cast<int>(trigger)), target.tcUrl().c_str());
	pending_ = PendingHandoff{trigger, std::move(target), Clock::now(), nullptr, -1};
	if (options_.mode == HandoffMode::MakeBeforeBreak && trigger != Trigger::ConnectionLost) {
		auto start = Clock::now();
		auto session = openSession(pending_->target, false);
		if (session) {
			pending_->preconnected = std::move(*session);
			pending_->preconnectMs = msSince(start);
		} else {
			GOAWAY_LOG_WARN("Publisher::startHandoff",
					"pre-connect failed (%s); will connect at the keyframe",
					session.error().message.c_str());
		}
	}
}

Result<void> Publisher::handleEvents()
{
	if (!session_)
		return {};
	for (auto &event : session_->poll()) {
		if (std::holds_alternative<rtmp::GoAwayEvent>(event)) {
			startHandoff(Trigger::GoAway, currentUrl_);
		} else if (auto *rr = std::get_if<rtmp::ReconnectRequestEvent>(&event)) {
			rtmp::RtmpUrl target = currentUrl_;
			if (rr->tcUrl) {
				auto resolved = rtmp::resolveTcUrl(currentUrl_, *rr->tcUrl);
				if (resolved)
					target = *resolved;
				else
					GOAWAY_LOG_WARN("Publisher::handleEvents",
							"%s; reconnecting to the current server",
							resolved.error().message.c_str());
			}
			startHandoff(Trigger::ReconnectRequest, target);
		} else if (auto *status = std::get_if<rtmp::StatusEvent>(&event)) {
			if (status->isError())
				return fail(ErrorCode::Rejected,
					    "the server said " + status->code + ": " + status->description);
		} else if (auto *closed = std::get_if<rtmp::ClosedEvent>(&event)) {
			GOAWAY_LOG_WARN("Publisher::handleEvents", "connection lost: %s",
					closed->reason.message.c_str());
			startHandoff(Trigger::ConnectionLost, currentUrl_);
		}
	}
	return {};
}

Result<void> Publisher::performHandoff(uint32_t timestampMs)
{
	PendingHandoff h = std::move(*pending_);
	pending_.reset();
	auto cutStart = Clock::now();
	double waitedMs = std::chrono::duration<double, std::milli>(cutStart - h.since).count();
	std::string from = session_ ? session_->stats().peerAddress : std::string();
	if (session_) {
		bytesSentClosed_ += session_->stats().bytesSent;
		if (h.trigger == Trigger::ReconnectRequest)
			session_->closeGracefully();
		else
			session_->closeSilently(); // Go Away: nothing sent, so the platform can stitch
		session_.reset();
	}
	std::unique_ptr<rtmp::RtmpSession> next = std::move(h.preconnected);
	if (next) {
		if (auto ok = next->publish(options_.waitForPublishStart); !ok) {
			GOAWAY_LOG_WARN("Publisher::performHandoff", "publish on the pre-connected session failed: %s",
					ok.error().message.c_str());
			next.reset();
		}
	}
	Error lastError;
	for (int attempt = 0; !next && attempt < kHandoffConnectAttempts; ++attempt) {
		auto opened = openSession(h.target, true);
		if (opened)
			next = std::move(*opened);
		else
			lastError = opened.error();
	}
	if (!next)
		return fail(lastError.code, "handoff to " + h.target.tcUrl() + " failed: " + lastError.message);
	currentUrl_ = h.target;
	noteConnection(*next);
	session_ = std::move(next);
	if (auto ok = sendHeaders(*session_, timestampMs); !ok)
		return ok;
	handoffs_.push_back({{"trigger", triggerName(static_cast<int>(h.trigger))},
			     {"from", from},
			     {"to", session_->stats().peerAddress},
			     {"server", currentUrl_.tcUrl()},
			     {"atTimestampMs", timestampMs},
			     {"waitedForKeyframeMs", waitedMs},
			     {"preconnectMs", h.preconnectMs},
			     {"cutoverMs", msSince(cutStart)},
			     {"deadAirMs", msSince(lastMediaSentAt_)}});
	return {};
}

Result<void> Publisher::sendTag(const FlvTag &tag, uint32_t timestampMs)
{
	if (!session_ || !session_->isOpen()) {
		framesSkipped_++;
		return {};
	}
	auto ok = session_->sendMessage(static_cast<rtmp::MessageType>(tag.type), timestampMs, tag.data);
	if (!ok) {
		framesSkipped_++;
		startHandoff(Trigger::ConnectionLost, currentUrl_);
		return {};
	}
	lastMediaSentAt_ = Clock::now();
	lastTimestampMs_ = timestampMs;
	if (tag.isVideo() && !tag.isVideoEndOfSequence())
		videoFrames_++;
	else if (tag.isAudio())
		audioFrames_++;
	return {};
}

void Publisher::waitUntil(Clock::time_point due)
{
	for (;;) {
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count();
		if (left <= 0 || stopRequested)
			return;
		int slice = static_cast<int>(std::min<long long>(left, 20));
		if (session_ && session_->isOpen())
			session_->waitReadable(slice);
		else
			std::this_thread::sleep_for(std::chrono::milliseconds(slice)); // pacing, not synchronisation
		if (session_)
			return; // let the caller process events, then wait again
	}
}

Result<void> Publisher::run()
{
	auto runStart = Clock::now();
	auto result = [&]() -> Result<void> {
		auto parsed = rtmp::parseRtmpUrl(options_.url, rtmp::StreamInPath::Yes);
		if (!parsed)
			return std::unexpected(parsed.error());
		streamKey_ = parsed->stream;
		currentUrl_ = *parsed;
		currentUrl_.stream.clear();

		std::vector<const FlvTag *> media;
		for (const auto &tag : tags_) {
			if (tag.isScript() && !metadata_)
				metadata_ = tag;
			else if (tag.isVideoSequenceHeader() && !videoHeader_)
				videoHeader_ = tag;
			else if (tag.isAudioSequenceHeader() && !audioHeader_)
				audioHeader_ = tag;
			else if (tag.isVideo() || tag.isAudio())
				media.push_back(&tag);
			hasVideo_ = hasVideo_ || tag.isVideo();
		}
		if (media.empty())
			return fail(ErrorCode::InvalidArgument, options_.input + " has no audio or video frames");
		if (videoHeader_)
			codec_ = videoHeader_->videoCodec();
		// Looping: each stream's pass is (its last frame + one of its intervals − its first frame);
		// the pass lasts the shorter of the two, and frames of the longer stream past it are left
		// out, so both cadences continue across the seam without a gap.
		const uint32_t first = media.front()->timestampMs;
		uint32_t passMs = UINT32_MAX;
		uint32_t streamFirst[2] = {UINT32_MAX, UINT32_MAX}; // [0] audio, [1] video
		for (bool video : {true, false}) {
			uint32_t last = 0, previous = UINT32_MAX, interval = 0;
			for (const auto *tag : media) {
				if (tag->isVideo() != video || tag->isVideoEndOfSequence())
					continue;
				streamFirst[video] = std::min(streamFirst[video], tag->timestampMs);
				if (previous != UINT32_MAX && tag->timestampMs > previous)
					interval = tag->timestampMs - previous; // the last regular interval
				previous = last = tag->timestampMs;
			}
			if (previous != UINT32_MAX)
				passMs = std::min(passMs, last + interval - streamFirst[video]);
		}
		passMs = std::max<uint32_t>(passMs, 1);

		auto opened = openSession(currentUrl_, true);
		if (!opened)
			return std::unexpected(opened.error());
		session_ = std::move(*opened);
		noteConnection(*session_);
		if (auto ok = sendHeaders(*session_, 0); !ok)
			return ok;

		const auto start = Clock::now();
		const double limitMs = options_.durationSeconds * 1000;
		for (int loop = 0; loop < options_.loops && !stopRequested; ++loop) {
			for (const FlvTag *tag : media) {
				const uint32_t ts = tag->timestampMs - first + static_cast<uint32_t>(loop) * passMs;
				if (limitMs > 0 && ts >= limitMs)
					break;
				if (options_.loops > 1 && tag->timestampMs - streamFirst[tag->isVideo()] >= passMs)
					continue;
				if (tag->isVideoEndOfSequence() && loop + 1 < options_.loops)
					continue; // the stream goes on: end of sequence only after the last pass
				if (options_.speed > 0) {
					auto due = start + std::chrono::microseconds(
								   static_cast<int64_t>(ts * 1000.0 / options_.speed));
					while (Clock::now() < due && !stopRequested) {
						waitUntil(due);
						if (auto ok = handleEvents(); !ok)
							return ok;
					}
				} else if (auto ok = handleEvents(); !ok) {
					return ok;
				}
				if (stopRequested)
					break;
				const bool switchPoint = hasVideo_ ? tag->isVideoKeyframe() : tag->isAudio();
				if (pending_ && switchPoint) {
					if (auto ok = performHandoff(ts); !ok)
						return ok;
				}
				if (auto ok = sendTag(*tag, ts); !ok)
					return ok;
			}
			if (limitMs > 0 && (loop + 1) * double(passMs) >= limitMs)
				break;
		}
		if (auto ok = handleEvents(); !ok)
			return ok;
		if (session_) {
			session_->closeGracefully();
			bytesSentClosed_ += session_->stats().bytesSent;
			session_.reset();
		}
		return {};
	}();
	wallMs_ = msSince(runStart);
	if (!result)
		error_ = result.error().message;
	if (session_) {
		bytesSentClosed_ += session_->stats().bytesSent;
		session_->closeSilently();
		session_.reset();
	}
	return result;
}

nlohmann::json Publisher::summary() const
{
	nlohmann::json j;
	j["ok"] = error_.empty();
	if (!error_.empty())
		j["error"] = error_;
	j["server"] = currentUrl_.redacted().empty() ? std::string() : currentUrl_.tcUrl() + "/****";
	j["connections"] = connections_;
	j["handoffs"] = handoffs_;
	j["handoffCount"] = handoffs_.size();
	j["videoFrames"] = videoFrames_;
	j["audioFrames"] = audioFrames_;
	j["framesSkipped"] = framesSkipped_;
	j["bytesSent"] = bytesSentClosed_;
	j["lastTimestampMs"] = lastTimestampMs_;
	j["wallMs"] = wallMs_;
	return j;
}

} // namespace goaway::publish
