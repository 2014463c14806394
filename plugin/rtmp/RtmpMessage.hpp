#pragma once
// An RTMP message (RTMP spec 5.4 / 6.1) after chunk reassembly, and the message type ids we use.

#include <cstdint>
#include <vector>

namespace goaway::rtmp {

/** RTMP message type ids. GoAway is the facebookarchive/rtmp-go-away extension. */
enum class MessageType : uint8_t {
	SetChunkSize = 1,
	Abort = 2,
	Acknowledgement = 3,
	UserControl = 4,
	WindowAckSize = 5,
	SetPeerBandwidth = 6,
	Audio = 8,
	Video = 9,
	DataAmf3 = 15,
	SharedObjectAmf3 = 16,
	CommandAmf3 = 17,
	DataAmf0 = 18,
	SharedObjectAmf0 = 19,
	CommandAmf0 = 20,
	Aggregate = 22,
	/// RTMP Go Away (facebookarchive/rtmp-go-away): no defined payload, chunk stream or stream id.
	GoAway = 32,
};

/** User Control event types (RTMP spec 7.1.7). */
enum class UserControlEvent : uint16_t {
	StreamBegin = 0,
	StreamEof = 1,
	StreamDry = 2,
	SetBufferLength = 3,
	StreamIsRecorded = 4,
	PingRequest = 6,
	PingResponse = 7,
};

/** Chunk stream ids conventionally used for each kind of message (librtmp / OBS / FFmpeg agree). */
namespace chunk_stream {
inline constexpr uint32_t kProtocolControl = 2;
inline constexpr uint32_t kCommand = 3;
inline constexpr uint32_t kAudio = 4; // librtmp sends audio on 4 and video on 4 or 6; any works
inline constexpr uint32_t kVideo = 6;
inline constexpr uint32_t kData = 5;
} // namespace chunk_stream

/** A reassembled message. `timestamp` is absolute (deltas already applied), in milliseconds. */
struct Message {
	uint8_t type = 0; // a MessageType value; kept raw so unknown types survive
	uint32_t timestamp = 0;
	uint32_t streamId = 0;
	uint32_t chunkStreamId = 0;
	std::vector<uint8_t> payload;

	MessageType messageType() const { return static_cast<MessageType>(type); }
};

} // namespace goaway::rtmp
