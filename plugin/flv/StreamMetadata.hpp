#pragma once
// `@setDataFrame onMetaData` (FLV spec v10.1 E.5 onMetaData; the "@setDataFrame" prefix is what
// FMLE, OBS and FFmpeg send so the server stores the metadata for late joiners).

#include "../rtmp/VideoCodec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace goaway::flv {

struct StreamMetadata {
	bool hasVideo = true;
	rtmp::VideoCodec videoCodec = rtmp::VideoCodec::H264;
	uint32_t width = 0;
	uint32_t height = 0;
	double frameRate = 0;
	double videoBitrateKbps = 0;
	bool hasAudio = true;
	double audioBitrateKbps = 0;
	uint32_t audioSampleRate = 48000;
	uint32_t audioChannels = 2;
	std::string encoder = "obs-rtmp-goaway";
};

/**
 * The type-18 body: "@setDataFrame", "onMetaData", ECMA array in this order: duration 0,
 * fileSize 0, [width, height, videocodecid, videodatarate, framerate], [audiocodecid 10,
 * audiodatarate, audiosamplerate, audiosamplesize 16, audiochannels, stereo], encoder.
 * videocodecid is 7 for H.264 and, per E-RTMP, the FourCC as a number for HEVC / AV1.
 */
std::vector<uint8_t> makeMetadataBody(const StreamMetadata &metadata);

} // namespace goaway::flv
