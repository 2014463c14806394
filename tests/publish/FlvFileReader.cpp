#include "FlvFileReader.hpp"

#include <fstream>
#include <iterator>

namespace goaway::publish {

namespace {

uint32_t be(const uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int i = 0; i < n; ++i)
		v = (v << 8) | p[i];
	return v;
}

} // namespace

bool FlvTag::isVideoSequenceHeader() const
{
	if (!isVideo() || data.size() < 2)
		return false;
	if (data[0] & 0x80) // E-RTMP extended header: PacketType in the low nibble
		return (data[0] & 0x0F) == 0;
	return (data[0] & 0x0F) == 7 && data[1] == 0;
}

bool FlvTag::isVideoEndOfSequence() const
{
	if (!isVideo() || data.size() < 2)
		return false;
	if (data[0] & 0x80)
		return (data[0] & 0x0F) == 2;
	return (data[0] & 0x0F) == 7 && data[1] == 2;
}

bool FlvTag::isVideoKeyframe() const
{
	if (!isVideo() || data.empty() || isVideoSequenceHeader() || isVideoEndOfSequence())
		return false;
	uint8_t frameType = (data[0] & 0x80) ? ((data[0] >> 4) & 0x07) : (data[0] >> 4);
	return frameType == 1;
}

bool FlvTag::isAudioSequenceHeader() const
{
	return isAudio() && data.size() >= 2 && (data[0] >> 4) == 10 && data[1] == 0;
}

rtmp::VideoCodec FlvTag::videoCodec() const
{
	if (data.size() >= 5 && (data[0] & 0x80)) {
		std::string cc(data.begin() + 1, data.begin() + 5);
		if (cc == "hvc1")
			return rtmp::VideoCodec::Hevc;
		if (cc == "av01")
			return rtmp::VideoCodec::Av1;
	}
	return rtmp::VideoCodec::H264;
}

Result<std::vector<FlvTag>> FlvFileReader::readAll(const std::string &path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
		return fail(ErrorCode::Io, "cannot open " + path);
	std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	if (bytes.size() < 9 || bytes[0] != 'F' || bytes[1] != 'L' || bytes[2] != 'V')
		return fail(ErrorCode::Protocol, path + " is not an FLV file");
	size_t pos = be(&bytes[5], 4) + 4; // DataOffset, then PreviousTagSize0
	std::vector<FlvTag> tags;
	while (pos + 11 <= bytes.size()) {
		const uint8_t *h = &bytes[pos];
		uint32_t size = be(h + 1, 3);
		if (pos + 11 + size > bytes.size())
			break;
		FlvTag tag;
		tag.type = h[0] & 0x1F;
		tag.timestampMs = be(h + 4, 3) | (uint32_t(h[7]) << 24); // TimestampExtended is the high byte
		tag.data.assign(bytes.begin() + pos + 11, bytes.begin() + pos + 11 + size);
		if (tag.type == 8 || tag.type == 9 || tag.type == 18)
			tags.push_back(std::move(tag));
		pos += 11 + size + 4;
	}
	return tags;
}

} // namespace goaway::publish
