#pragma once
// Encoder packets → RTMP media message bodies (FLV tag bodies).
// H.264: FLV spec v10.1 E.4.3.1 (VideoTagHeader, AVCPacketType, CompositionTime).
// HEVC / AV1: E-RTMP (veovera/enhanced-rtmp) extended VideoTagHeader: IsExHeader bit, FrameType,
// VideoPacketType (SequenceStart 0, CodedFrames 1, SequenceEnd 2, CodedFramesX 3), FourCC.
// AAC: FLV spec E.4.2.1 (SoundFormat 10, AACPacketType 0 = AudioSpecificConfig, 1 = raw).

#include "MediaMessage.hpp"
#include "StreamMetadata.hpp"
#include "../common/Result.hpp"
#include "../rtmp/VideoCodec.hpp"

namespace goaway::flv {

class FlvMuxer {
public:
	explicit FlvMuxer(rtmp::VideoCodec codec = rtmp::VideoCodec::H264) : codec_(codec) {}

	rtmp::VideoCodec videoCodec() const { return codec_; }

	/** `@setDataFrame onMetaData` as a type-18 message at timestamp 0. */
	static MediaMessage metadata(const StreamMetadata &metadata);

	/**
	 * The video sequence header from the encoder's extradata: H.264 Annex-B SPS/PPS → AVC
	 * sequence header (AVCDecoderConfigurationRecord); HEVC VPS/SPS/PPS → SequenceStart with
	 * hvcC; AV1 sequence header OBU → SequenceStart with av1C. Errors: InvalidArgument.
	 */
	Result<MediaMessage> videoSequenceHeader(std::span<const uint8_t> extradata, uint32_t timestampMs = 0) const;

	/**
	 * One video frame: keyframe → FrameType 1, else 2; timestamp = DTS; composition time
	 * offset = PTS − DTS (H.264, HEVC CodedFrames; HEVC with offset 0 uses CodedFramesX; AV1 has
	 * none). H.264 / HEVC Annex-B is converted to 4-byte length prefixes; AV1 temporal delimiter
	 * OBUs are dropped (av1-isobmff 2.4).
	 */
	MediaMessage videoFrame(const EncoderPacket &packet) const;

	/** AAC sequence header: SoundFormat 10 / 44 kHz / 16-bit / stereo flags (0xAF, as the FLV
	 *  spec requires for AAC), AACPacketType 0, the AudioSpecificConfig (OBS's AAC extradata). */
	static MediaMessage audioSequenceHeader(std::span<const uint8_t> audioSpecificConfig, uint32_t timestampMs = 0);
	/** One raw AAC frame (AACPacketType 1), timestamp = DTS. */
	static MediaMessage audioFrame(const EncoderPacket &packet);

private:
	rtmp::VideoCodec codec_;
};

} // namespace goaway::flv
