#include "MediaInfo.hpp"

namespace goaway::ingest {

namespace {

// FLV video tag header: frame type in the high nibble, codec id in the low one (FLV spec E.4.3.1).
constexpr uint8_t kVideoKeyframe = 1;
constexpr uint8_t kVideoCommandFrame = 5; // video info / command frame: no picture
constexpr uint8_t kCodecAvc = 7;
// Enhanced RTMP: bit 7 of the first byte marks the extended video header; the low nibble is then
// a packet type (0 SequenceStart, 1 CodedFrames, 2 SequenceEnd, 3 CodedFramesX, 4 Metadata,
// 5 MPEG2TSSequenceStart, 6 Multitrack, 7 ModEx).
constexpr uint8_t kExVideoHeaderBit = 0x80;
// FLV audio tag header: sound format in the high nibble; 10 = AAC; 9 = Enhanced RTMP ex header.
constexpr uint8_t kSoundAac = 10;
constexpr uint8_t kSoundExHeader = 9;

} // namespace

MediaInfo MediaInfo::classify(Track track, std::span<const uint8_t> body)
{
	MediaInfo info;
	info.track = track;
	if (body.empty())
		return info;
	const uint8_t first = body[0];
	if (track == Track::Video) {
		if (first & kExVideoHeaderBit) {
			const uint8_t frameType = (first >> 4) & 0x07;
			const uint8_t packetType = first & 0x0F;
			if (packetType == 0 || packetType == 5) {
				info.sequenceHeader = true;
			} else if ((packetType == 1 || packetType == 3) && frameType != kVideoCommandFrame) {
				info.frame = true;
				info.keyframe = frameType == kVideoKeyframe;
			}
			return info;
		}
		const uint8_t frameType = first >> 4;
		const uint8_t codec = first & 0x0F;
		if (frameType == kVideoCommandFrame)
			return info;
		if (codec == kCodecAvc) {
			// AVCPacketType: 0 sequence header, 1 NALUs, 2 end of sequence.
			if (body.size() < 2)
				return info;
			if (body[1] == 0) {
				info.sequenceHeader = true;
				return info;
			}
			if (body[1] != 1)
				return info;
		}
		info.frame = true;
		info.keyframe = frameType == kVideoKeyframe;
		return info;
	}
	const uint8_t format = first >> 4;
	if (format == kSoundExHeader) {
		// Enhanced RTMP audio packet types: 0 SequenceStart, 1 CodedFrames, 2 SequenceEnd,
		// 4 MultichannelConfig, 5 Multitrack, 7 ModEx.
		const uint8_t packetType = first & 0x0F;
		info.sequenceHeader = packetType == 0 || packetType == 4;
		info.frame = packetType == 1;
		return info;
	}
	if (format == kSoundAac) {
		if (body.size() < 2)
			return info;
		info.sequenceHeader = body[1] == 0; // AACPacketType 0 = AudioSpecificConfig
		info.frame = body[1] == 1;
		return info;
	}
	info.frame = body.size() > 1;
	return info;
}

} // namespace goaway::ingest
