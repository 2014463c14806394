#pragma once
// The video codecs the wire and the muxer know. H.264 uses the legacy FLV video tag; HEVC and AV1
// use the E-RTMP extended video header with their FourCC (veovera/enhanced-rtmp).

#include <string_view>

namespace goaway::rtmp {

enum class VideoCodec { H264, Hevc, Av1 };

/** The E-RTMP FourCC ("avc1", "hvc1", "av01"). */
constexpr std::string_view fourCc(VideoCodec codec)
{
	switch (codec) {
	case VideoCodec::Hevc:
		return "hvc1";
	case VideoCodec::Av1:
		return "av01";
	case VideoCodec::H264:
		break;
	}
	return "avc1";
}

/** True when the codec needs the E-RTMP connect fields and extended video headers. */
constexpr bool needsEnhancedRtmp(VideoCodec codec)
{
	return codec != VideoCodec::H264;
}

} // namespace goaway::rtmp
