#pragma once
// RTMP chunk stream multiplexer (RTMP spec 5.3): messages in, bytes out. Pure.
// goaway-ingest writes everything it sends with it; tests use it to craft server byte streams.

#include "RtmpMessage.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::rtmp {

/**
 * Writes each message as a format-0 chunk followed by format-3 continuation chunks of at most
 * chunkSize() payload bytes. Timestamps >= 0xFFFFFF use the extended timestamp field, which is
 * then repeated on every continuation chunk (as librtmp, FFmpeg and OBS expect).
 */
class ChunkWriter {
public:
	/** Changes the size of the chunks written from now on. The caller announces it to the peer
	 *  first with setChunkSizeMessage(). */
	void setChunkSize(uint32_t size) { chunkSize_ = size; }
	uint32_t chunkSize() const { return chunkSize_; }

	/** Appends the chunks of `message` to `out`. */
	void write(const Message &message, std::vector<uint8_t> &out) const;
	/** The same from a header and a payload held elsewhere (a media packet is chunked straight
	 *  from the queued packet, without first copying it into a Message). */
	void write(uint8_t type, uint32_t timestamp, uint32_t streamId, uint32_t chunkStreamId,
		   std::span<const uint8_t> payload, std::vector<uint8_t> &out) const;

	// Protocol control messages (RTMP spec 5.4), ready for write().
	static Message setChunkSizeMessage(uint32_t size);
	static Message windowAckSizeMessage(uint32_t size);
	static Message setPeerBandwidthMessage(uint32_t size, uint8_t limitType);
	static Message acknowledgementMessage(uint32_t sequenceNumber);
	static Message userControlMessage(UserControlEvent event, uint32_t value);

private:
	uint32_t chunkSize_ = 128; // constants::kDefaultChunkSize
};

} // namespace goaway::rtmp
