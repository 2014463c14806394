#pragma once
// RTMP chunk stream de-multiplexer (RTMP spec 5.3): bytes in, whole messages out.
// Pure: no socket, no clock. Used by the client's incoming pump and by goaway-ingest.

#include "RtmpMessage.hpp"
#include "../common/Result.hpp"

#include <cstdint>
#include <map>
#include <span>
#include <vector>

namespace goaway::rtmp {

/**
 * Feed it any split of the incoming byte stream (one byte at a time works); it returns every
 * message completed so far. Handles all four chunk header formats, 1-3 byte basic headers,
 * extended timestamps (including on type-3 continuation chunks), interleaved chunk streams,
 * Set Chunk Size (applied immediately, to the very next chunk, and also returned as a message)
 * and Abort (discards the partial message of that chunk stream).
 *
 * After an error the demuxer is poisoned: every later feed() returns the same error. The caller
 * closes the connection.
 */
class ChunkDemuxer {
public:
	explicit ChunkDemuxer(uint32_t maxChunkSize = 0 /* 0 = constants::kMaxIncomingChunkSize */);

	/**
	 * Consumes all of `bytes` (partial chunks are kept for the next call) and appends completed
	 * messages to `out`. Errors (ErrorCode::Protocol): Set Chunk Size of 0 or above the maximum,
	 * a message longer than constants::kMaxMessageLength, a chunk of format 1-3 on a chunk
	 * stream that never had a format-0 header.
	 */
	Result<void> feed(std::span<const uint8_t> bytes, std::vector<Message> &out);

	uint32_t chunkSize() const { return chunkSize_; }
	/** Total bytes consumed so far (for Acknowledgement messages, RTMP spec 5.4.3). */
	uint64_t bytesReceived() const { return bytesReceived_; }

private:
	// Private members are the implementation's to change.
	struct StreamState {
		bool hasHeader = false; // a format-0 header has been seen on this chunk stream
		uint8_t type = 0;
		uint32_t length = 0;
		uint32_t timestamp = 0;      // absolute timestamp of the current / last message
		uint32_t timestampDelta = 0; // last delta, reused by format-3 chunks starting a message
		uint32_t streamId = 0;
		bool extendedTimestamp = false; // the last header used the extended timestamp field
		std::vector<uint8_t> payload;   // partial payload of the message being reassembled
	};
	uint32_t maxChunkSize_;
	uint32_t chunkSize_;
	uint64_t bytesReceived_ = 0;
	std::vector<uint8_t> pending_; // bytes of an incomplete chunk
	std::map<uint32_t, StreamState> streams_;
	uint64_t partialBytes_ = 0; // sum of every chunk stream's partial payload
	bool poisoned_ = false;
	Error error_;
};

} // namespace goaway::rtmp
