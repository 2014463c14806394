#pragma once
// What the muxer produces: an RTMP message ready for RtmpSession::sendMessage(), and what it
// consumes: an encoder packet as OBS hands it over.

#include "../rtmp/RtmpMessage.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::flv {

/** One encoded frame. Timestamps in milliseconds, non-negative (the caller rebases OBS's
 *  possibly negative first DTS). Video data may be Annex-B (OBS) or length-prefixed. */
struct EncoderPacket {
	std::span<const uint8_t> data;
	int64_t ptsMs = 0;
	int64_t dtsMs = 0;
	bool keyframe = false;
};

/** An RTMP audio (8), video (9) or data (18) message body with its timestamp (the FLV tag body). */
struct MediaMessage {
	rtmp::MessageType type = rtmp::MessageType::Video;
	uint32_t timestampMs = 0;
	std::vector<uint8_t> payload;
};

} // namespace goaway::flv
