#include "FlvMuxer.hpp"
#include "AnnexB.hpp"
#include "Av1Config.hpp"
#include "AvcConfig.hpp"
#include "HevcConfig.hpp"

namespace goaway::flv {

namespace {

// FLV spec E.4.3.1 FrameType.
constexpr uint8_t kFrameKey = 1;
constexpr uint8_t kFrameInter = 2;
constexpr uint8_t kCodecAvc = 7;
// FLV spec E.4.3.1 AVCPacketType.
constexpr uint8_t kAvcSequenceHeader = 0;
constexpr uint8_t kAvcNalu = 1;
// E-RTMP extended video header.
constexpr uint8_t kIsExHeader = 0x80;
constexpr uint8_t kPacketSequenceStart = 0;
constexpr uint8_t kPacketCodedFrames = 1;
constexpr uint8_t kPacketCodedFramesX = 3;
// FLV spec E.4.2.1: AAC, 44 kHz, 16-bit, stereo — the fixed value the spec asks for with AAC.
constexpr uint8_t kAacSoundFlags = 0xAF;
constexpr uint8_t kAacSequenceHeader = 0;
constexpr uint8_t kAacRaw = 1;

void putSi24(std::vector<uint8_t> &out, int64_t value)
{
	auto v = static_cast<uint32_t>(static_cast<int32_t>(value));
	out.push_back(uint8_t(v >> 16));
	out.push_back(uint8_t(v >> 8));
	out.push_back(uint8_t(v));
}

void putFourCc(std::vector<uint8_t> &out, rtmp::VideoCodec codec)
{
	for (char c : rtmp::fourCc(codec))
		out.push_back(static_cast<uint8_t>(c));
}

} // namespace

MediaMessage FlvMuxer::metadata(const StreamMetadata &metadata)
{
	return MediaMessage{rtmp::MessageType::DataAmf0, 0, makeMetadataBody(metadata)};
}

Result<MediaMessage> FlvMuxer::videoSequenceHeader(std::span<const uint8_t> extradata, uint32_t timestampMs) const
{
	MediaMessage m{rtmp::MessageType::Video, timestampMs, {}};
	if (codec_ == rtmp::VideoCodec::H264) {
		auto record = makeAvcDecoderConfigurationRecord(extradata);
		if (!record)
			return std::unexpected(record.error());
		m.payload = {uint8_t(kFrameKey << 4 | kCodecAvc), kAvcSequenceHeader, 0, 0, 0};
		m.payload.insert(m.payload.end(), record->begin(), record->end());
		return m;
	}
	auto record = codec_ == rtmp::VideoCodec::Hevc ? makeHevcDecoderConfigurationRecord(extradata)
						       : makeAv1CodecConfigurationRecord(extradata);
	if (!record)
		return std::unexpected(record.error());
	m.payload.push_back(uint8_t(kIsExHeader | kFrameKey << 4 | kPacketSequenceStart));
	putFourCc(m.payload, codec_);
	m.payload.insert(m.payload.end(), record->begin(), record->end());
	return m;
}

MediaMessage FlvMuxer::videoFrame(const EncoderPacket &packet) const
{
	MediaMessage m{rtmp::MessageType::Video, static_cast<uint32_t>(packet.dtsMs), {}};
	const uint8_t frameType = packet.keyframe ? kFrameKey : kFrameInter;
	const int64_t cto = packet.ptsMs - packet.dtsMs;
	std::vector<uint8_t> &out = m.payload;
	out.reserve(packet.data.size() + 16);
	switch (codec_) {
	case rtmp::VideoCodec::H264: {
		out = {uint8_t(frameType << 4 | kCodecAvc), kAvcNalu};
		putSi24(out, cto);
		appendLengthPrefixed(packet.data, out);
		break;
	}
	case rtmp::VideoCodec::Hevc: {
		// CodedFramesX: composition time offset implied 0, saves 3 bytes (E-RTMP).
		uint8_t type = cto == 0 ? kPacketCodedFramesX : kPacketCodedFrames;
		out.push_back(uint8_t(kIsExHeader | frameType << 4 | type));
		putFourCc(out, codec_);
		if (type == kPacketCodedFrames)
			putSi24(out, cto);
		appendLengthPrefixed(packet.data, out);
		break;
	}
	case rtmp::VideoCodec::Av1: {
		// E-RTMP: AV1 CodedFrames carry no composition time offset.
		out.push_back(uint8_t(kIsExHeader | frameType << 4 | kPacketCodedFrames));
		putFourCc(out, codec_);
		auto body = stripTemporalDelimiters(packet.data);
		out.insert(out.end(), body.begin(), body.end());
		break;
	}
	}
	return m;
}

MediaMessage FlvMuxer::audioSequenceHeader(std::span<const uint8_t> audioSpecificConfig, uint32_t timestampMs)
{
	MediaMessage m{rtmp::MessageType::Audio, timestampMs, {kAacSoundFlags, kAacSequenceHeader}};
	m.payload.insert(m.payload.end(), audioSpecificConfig.begin(), audioSpecificConfig.end());
	return m;
}

MediaMessage FlvMuxer::audioFrame(const EncoderPacket &packet)
{
	MediaMessage m{rtmp::MessageType::Audio, static_cast<uint32_t>(packet.dtsMs), {kAacSoundFlags, kAacRaw}};
	m.payload.insert(m.payload.end(), packet.data.begin(), packet.data.end());
	return m;
}

} // namespace goaway::flv
