#pragma once
// goaway-publish's engine: paces FLV tags through an RtmpSession and performs Go Away /
// ReconnectRequest handoffs at keyframe boundaries.

#include "FlvFileReader.hpp"
#include "PublishOptions.hpp"
#include "plugin/rtmp/RtmpSession.hpp"

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace goaway::publish {

class Publisher {
public:
	Publisher(PublishOptions options, std::vector<FlvTag> tags);

	/** Streams to the end; errors end the run (the summary holds them too). */
	Result<void> run();
	/** JSON summary: ok, error, server (no key), connections, handoffs, frames, bytes, timings. */
	nlohmann::json summary() const;
	/** Asks run() to stop at the next tag (signal handler safe: sets an atomic flag). */
	static void requestStop();

private:
	enum class Trigger { GoAway, ReconnectRequest, ConnectionLost };
	struct PendingHandoff {
		Trigger trigger;
		rtmp::RtmpUrl target;
		std::chrono::steady_clock::time_point since;
		std::unique_ptr<rtmp::RtmpSession> preconnected; // make-before-break
		double preconnectMs = -1;
	};

	Result<std::unique_ptr<rtmp::RtmpSession>> openSession(const rtmp::RtmpUrl &target, bool publishNow);
	Result<void> sendHeaders(rtmp::RtmpSession &session, uint32_t timestampMs);
	Result<void> handleEvents();
	void startHandoff(Trigger trigger, rtmp::RtmpUrl target);
	Result<void> performHandoff(uint32_t timestampMs);
	Result<void> sendTag(const FlvTag &tag, uint32_t timestampMs);
	void waitUntil(std::chrono::steady_clock::time_point due);
	void noteConnection(const rtmp::RtmpSession &session);

	PublishOptions options_;
	std::vector<FlvTag> tags_;
	std::optional<FlvTag> metadata_, videoHeader_, audioHeader_;
	rtmp::VideoCodec codec_ = rtmp::VideoCodec::H264;
	bool hasVideo_ = false;
	std::string streamKey_;
	rtmp::RtmpUrl currentUrl_;
	std::unique_ptr<rtmp::RtmpSession> session_;
	std::optional<PendingHandoff> pending_;
	std::chrono::steady_clock::time_point lastMediaSentAt_{};

	// summary
	nlohmann::json connections_ = nlohmann::json::array();
	nlohmann::json handoffs_ = nlohmann::json::array();
	uint64_t videoFrames_ = 0 /* coded frames: no headers, no end of sequence */, audioFrames_ = 0,
		 framesSkipped_ = 0, bytesSentClosed_ = 0;
	uint32_t lastTimestampMs_ = 0;
	double wallMs_ = 0;
	std::string error_;
};

} // namespace goaway::publish
