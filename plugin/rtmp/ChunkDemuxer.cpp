#include "ChunkDemuxer.hpp"

#include "../common/Constants.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace goaway::rtmp {

namespace {

// RTMP spec 5.3.1.3: a timestamp field of 0xFFFFFF means "the real value follows in 4 bytes".
constexpr uint32_t kExtendedTimestampMarker = 0xFFFFFF;
// Message header sizes by chunk format (RTMP spec 5.3.1.2).
constexpr size_t kMessageHeaderSize[4] = {11, 7, 3, 0};

uint32_t readU24(const uint8_t *p)
{
	return (uint32_t(p[0]) << 16) | (uint32_t(p[1]) << 8) | p[2];
}

uint32_t readU32(const uint8_t *p)
{
	return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | p[3];
}

} // namespace

ChunkDemuxer::ChunkDemuxer(uint32_t maxChunkSize)
	: maxChunkSize_(maxChunkSize ? maxChunkSize : constants::kMaxIncomingChunkSize),
	  chunkSize_(constants::kDefaultChunkSize)
{
}

Result<void> ChunkDemuxer::feed(std::span<const uint8_t> bytes, std::vector<Message> &out)
{
	if (poisoned_)
		return std::unexpected(error_);
	bytesReceived_ += bytes.size();
	pending_.insert(pending_.end(), bytes.begin(), bytes.end());

	auto poison = [this](std::string message) -> Result<void> {
		poisoned_ = true;
		error_ = Error{ErrorCode::Protocol, std::move(message)};
		pending_.clear();
		streams_.clear();
		partialBytes_ = 0;
		return std::unexpected(error_);
	};

	size_t pos = 0; // start of the chunk being parsed; everything before it is consumed
	for (;;) {
		const uint8_t *p = pending_.data() + pos;
		const size_t avail = pending_.size() - pos;
		if (avail < 1)
			break;

		// Basic header (RTMP spec 5.3.1.1): 2 bits format, then a 1-, 2- or 3-byte chunk stream id.
		const uint8_t format = p[0] >> 6;
		size_t at = 1;
		uint32_t csid = p[0] & 0x3F;
		if (csid == 0) {
			if (avail < 2)
				break;
			csid = 64 + uint32_t(p[1]);
			at = 2;
		} else if (csid == 1) {
			if (avail < 3)
				break;
			csid = 64 + uint32_t(p[1]) + uint32_t(p[2]) * 256;
			at = 3;
		}
		if (avail < at + kMessageHeaderSize[format])
			break;

		auto found = streams_.find(csid);
		if (format != 0 && (found == streams_.end() || !found->second.hasHeader)) {
			char msg[128];
			std::snprintf(msg, sizeof(msg),
				      "chunk of format %u on chunk stream %u that never had a full header", format,
				      csid);
			return poison(msg);
		}
		static const StreamState kFresh;
		const StreamState *state = found != streams_.end() ? &found->second : &kFresh;

		uint32_t tsField = 0, length = state->length, streamId = state->streamId;
		uint8_t type = state->type;
		const uint8_t *h = p + at;
		if (format <= 2)
			tsField = readU24(h);
		if (format <= 1) {
			length = readU24(h + 3);
			type = h[6];
		}
		if (format == 0)
			streamId = uint32_t(h[7]) | (uint32_t(h[8]) << 8) | (uint32_t(h[9]) << 16) |
				   (uint32_t(h[10]) << 24);
		at += kMessageHeaderSize[format];

		// Format 3 repeats the extended field whenever the header it continues used one
		// (RTMP spec 5.3.1.3; librtmp, FFmpeg and OBS write it on every continuation chunk).
		const bool extended = format <= 2 ? tsField == kExtendedTimestampMarker : state->extendedTimestamp;
		uint32_t extendedValue = 0;
		if (extended) {
			if (avail < at + 4)
				break;
			extendedValue = readU32(p + at);
			at += 4;
		}

		// A format 0-2 header always starts a message; format 3 starts one when nothing is pending.
		const bool starts = format <= 2 || state->payload.empty();
		if (length > constants::kMaxMessageLength) {
			char msg[96];
			std::snprintf(msg, sizeof(msg), "message of %u bytes exceeds the %u byte limit", length,
				      constants::kMaxMessageLength);
			return poison(msg);
		}
		const uint32_t already = starts ? 0 : static_cast<uint32_t>(state->payload.size());
		const uint32_t take = std::min(chunkSize_, length - already);
		if (avail < at + take)
			break;

		// The whole chunk is here: commit it.
		StreamState &s = streams_[csid];
		if (starts) {
			// Timestamp field meaning (RTMP spec 5.3.1.2): absolute in format 0, a delta in 1 and 2;
			// format 3 re-applies the previous header's field, as FFmpeg reads and writes it.
			const uint32_t field = extended ? extendedValue : tsField;
			if (format == 0)
				s.timestamp = field;
			else if (format <= 2)
				s.timestamp += field;
			else
				s.timestamp += extended ? extendedValue : s.timestampDelta;
			if (format <= 2) {
				s.timestampDelta = field;
				s.extendedTimestamp = extended;
			}
			s.hasHeader = true;
			s.type = type;
			s.length = length;
			s.streamId = streamId;
			partialBytes_ -= s.payload.size();
			s.payload.clear(); // a new header drops a message left incomplete on this chunk stream
		}
		// Each message is bounded, but a peer could open thousands of chunk streams with a
		// message half sent on each: bound what all of them hold together.
		if (partialBytes_ + take > constants::kMaxDemuxerPartialBytes) {
			char msg[128];
			std::snprintf(msg, sizeof(msg),
				      "unfinished messages on %zu chunk streams exceed the %u byte limit",
				      streams_.size(), constants::kMaxDemuxerPartialBytes);
			return poison(msg);
		}
		s.payload.insert(s.payload.end(), p + at, p + at + take);
		partialBytes_ += take;
		pos += at + take;

		if (s.payload.size() < s.length)
			continue;
		partialBytes_ -= s.payload.size();

		Message m;
		m.type = s.type;
		m.timestamp = s.timestamp;
		m.streamId = s.streamId;
		m.chunkStreamId = csid;
		m.payload = std::move(s.payload);
		s.payload = {};

		// Protocol control messages that change how the next bytes are parsed take effect at once.
		if (m.messageType() == MessageType::SetChunkSize) {
			if (m.payload.size() < 4)
				return poison("Set Chunk Size message shorter than 4 bytes");
			const uint32_t size = readU32(m.payload.data()) & 0x7FFFFFFF; // first bit is reserved
			if (size == 0 || size > maxChunkSize_) {
				char msg[96];
				std::snprintf(msg, sizeof(msg), "peer set chunk size %u (accepted: 1..%u)", size,
					      maxChunkSize_);
				return poison(msg);
			}
			chunkSize_ = size;
		} else if (m.messageType() == MessageType::Abort && m.payload.size() >= 4) {
			auto aborted = streams_.find(readU32(m.payload.data()));
			if (aborted != streams_.end()) {
				partialBytes_ -= aborted->second.payload.size();
				aborted->second.payload.clear();
			}
		}
		out.push_back(std::move(m));
	}
	pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pos));
	return {};
}

} // namespace goaway::rtmp
