#include "ChunkWriter.hpp"

#include <algorithm>

namespace goaway::rtmp {

namespace {

// RTMP spec 5.3.1.3: timestamps at or above this value go to the extended timestamp field.
constexpr uint32_t kExtendedTimestampMarker = 0xFFFFFF;

void putU16(std::vector<uint8_t> &out, uint16_t v)
{
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}

void putU24(std::vector<uint8_t> &out, uint32_t v)
{
	out.push_back(static_cast<uint8_t>(v >> 16));
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}

void putU32(std::vector<uint8_t> &out, uint32_t v)
{
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<uint8_t>(v >> shift));
}

// RTMP spec 5.3.1.1: ids 2-63 fit the 1-byte form, 64-319 the 2-byte form, up to 65599 the 3-byte form.
void putBasicHeader(std::vector<uint8_t> &out, uint8_t format, uint32_t csid)
{
	const uint8_t fmt = static_cast<uint8_t>(format << 6);
	if (csid >= 2 && csid <= 63) {
		out.push_back(static_cast<uint8_t>(fmt | csid));
	} else if (csid >= 64 && csid <= 319) {
		out.push_back(fmt);
		out.push_back(static_cast<uint8_t>(csid - 64));
	} else {
		const uint32_t rest = (csid < 64 ? 64 : csid) - 64; // ids 0 / 1 are not representable
		out.push_back(static_cast<uint8_t>(fmt | 1));
		out.push_back(static_cast<uint8_t>(rest & 0xFF));
		out.push_back(static_cast<uint8_t>((rest >> 8) & 0xFF));
	}
}

Message controlMessage(MessageType type, std::vector<uint8_t> payload)
{
	Message m;
	m.type = static_cast<uint8_t>(type);
	m.chunkStreamId = chunk_stream::kProtocolControl;
	m.payload = std::move(payload);
	return m;
}

} // namespace

void ChunkWriter::write(const Message &message, std::vector<uint8_t> &out) const
{
	write(message.type, message.timestamp, message.streamId, message.chunkStreamId, message.payload, out);
}

void ChunkWriter::write(uint8_t type, uint32_t timestamp, uint32_t streamId, uint32_t chunkStreamId,
			std::span<const uint8_t> payload, std::vector<uint8_t> &out) const
{
	const bool extended = timestamp >= kExtendedTimestampMarker;
	const uint32_t chunkSize = chunkSize_ ? chunkSize_ : 128;
	const uint32_t length = static_cast<uint32_t>(payload.size());
	// Worst case per chunk: a 3-byte basic header and the 4-byte extended timestamp. One reserve
	// keeps a large video frame from reallocating the buffer chunk after chunk; it grows at least
	// geometrically, so callers that append many messages to one buffer stay linear.
	constexpr size_t kMaxChunkOverhead = 3 + 4;
	constexpr size_t kMessageHeader = 11;
	const size_t need = out.size() + length + kMessageHeader + (length / chunkSize + 1) * kMaxChunkOverhead;
	if (need > out.capacity())
		out.reserve(std::max(need, out.capacity() * 2));

	putBasicHeader(out, 0, chunkStreamId);
	putU24(out, extended ? kExtendedTimestampMarker : timestamp);
	putU24(out, length);
	out.push_back(type);
	// Message stream id is the one little-endian field of the header (RTMP spec 5.3.1.2.1).
	for (int shift = 0; shift < 32; shift += 8)
		out.push_back(static_cast<uint8_t>(streamId >> shift));
	if (extended)
		putU32(out, timestamp);

	uint32_t written = 0;
	do {
		if (written > 0) {
			putBasicHeader(out, 3, chunkStreamId);
			if (extended)
				putU32(out, timestamp);
		}
		const uint32_t n = std::min(chunkSize, length - written);
		out.insert(out.end(), payload.begin() + written, payload.begin() + written + n);
		written += n;
	} while (written < length);
}

Message ChunkWriter::setChunkSizeMessage(uint32_t size)
{
	std::vector<uint8_t> p;
	putU32(p, size & 0x7FFFFFFF); // the first bit must be zero (RTMP spec 5.4.1)
	return controlMessage(MessageType::SetChunkSize, std::move(p));
}

Message ChunkWriter::windowAckSizeMessage(uint32_t size)
{
	std::vector<uint8_t> p;
	putU32(p, size);
	return controlMessage(MessageType::WindowAckSize, std::move(p));
}

Message ChunkWriter::setPeerBandwidthMessage(uint32_t size, uint8_t limitType)
{
	std::vector<uint8_t> p;
	putU32(p, size);
	p.push_back(limitType);
	return controlMessage(MessageType::SetPeerBandwidth, std::move(p));
}

Message ChunkWriter::acknowledgementMessage(uint32_t sequenceNumber)
{
	std::vector<uint8_t> p;
	putU32(p, sequenceNumber);
	return controlMessage(MessageType::Acknowledgement, std::move(p));
}

Message ChunkWriter::userControlMessage(UserControlEvent event, uint32_t value)
{
	std::vector<uint8_t> p;
	putU16(p, static_cast<uint16_t>(event));
	putU32(p, value);
	return controlMessage(MessageType::UserControl, std::move(p));
}

} // namespace goaway::rtmp
