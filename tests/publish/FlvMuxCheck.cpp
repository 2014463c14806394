// goaway-flv-mux-check: turns a raw encoder elementary stream (what OBS's encoders hand over:
// Annex-B H.264 / HEVC with AUDs, or an AV1 low-overhead OBU stream) into an FLV file through
// plugin/flv's FlvMuxer, so a real decoder (ffprobe) can judge the muxing.
//
//   goaway-flv-mux-check h264|hevc|av1 INPUT OUTPUT.flv FPS
// Input must have no B-frames (PTS = DTS = frame index / FPS). Prints the frame count.

#include "plugin/flv/AnnexB.hpp"
#include "plugin/flv/FlvMuxer.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace goaway;
using Bytes = std::vector<uint8_t>;

namespace {

struct AccessUnit {
	Bytes data;
	bool keyframe = false;
};

Bytes withStartCode(std::span<const uint8_t> nal)
{
	Bytes out = {0, 0, 0, 1};
	out.insert(out.end(), nal.begin(), nal.end());
	return out;
}

/** Splits Annex-B at access unit delimiters; collects parameter sets as extradata. */
std::vector<AccessUnit> splitAnnexB(const Bytes &stream, bool hevc, Bytes &extradata)
{
	std::vector<AccessUnit> units;
	for (auto nal : flv::splitAnnexB(stream)) {
		int type = hevc ? (nal[0] >> 1) & 0x3F : nal[0] & 0x1F;
		bool aud = hevc ? type == 35 : type == 9;
		bool parameterSet = hevc ? (type >= 32 && type <= 34) : (type == 7 || type == 8);
		bool key = hevc ? (type >= 16 && type <= 23) : type == 5;
		if (aud || units.empty())
			units.push_back({});
		if (parameterSet && units.size() == 1) {
			auto sc = withStartCode(nal);
			extradata.insert(extradata.end(), sc.begin(), sc.end());
		}
		auto sc = withStartCode(nal);
		units.back().data.insert(units.back().data.end(), sc.begin(), sc.end());
		units.back().keyframe = units.back().keyframe || key;
	}
	return units;
}

/** Splits an AV1 OBU stream at temporal delimiters; the first sequence header is the extradata. */
std::vector<AccessUnit> splitObus(const Bytes &stream, Bytes &extradata)
{
	std::vector<AccessUnit> units;
	size_t pos = 0;
	while (pos < stream.size()) {
		uint8_t header = stream[pos];
		int type = (header >> 3) & 0x0F;
		size_t at = pos + ((header & 0x04) ? 2 : 1);
		uint64_t size = 0;
		for (int i = 0; i < 8 && at < stream.size(); ++i) {
			uint8_t b = stream[at++];
			size |= uint64_t(b & 0x7F) << (7 * i);
			if (!(b & 0x80))
				break;
		}
		size_t end = at + size;
		if (end > stream.size())
			break;
		if (type == 2 || units.empty())
			units.push_back({});
		if (type == 1) {
			if (extradata.empty())
				extradata.assign(stream.begin() + pos, stream.begin() + end);
			units.back().keyframe = true; // encoders repeat the sequence header on key frames
		}
		units.back().data.insert(units.back().data.end(), stream.begin() + pos, stream.begin() + end);
		pos = end;
	}
	return units;
}

void writeTag(std::ofstream &out, uint8_t type, uint32_t ts, const Bytes &body)
{
	uint8_t h[11] = {type,
			 uint8_t(body.size() >> 16),
			 uint8_t(body.size() >> 8),
			 uint8_t(body.size()),
			 uint8_t(ts >> 16),
			 uint8_t(ts >> 8),
			 uint8_t(ts),
			 uint8_t(ts >> 24),
			 0,
			 0,
			 0};
	out.write(reinterpret_cast<const char *>(h), 11);
	out.write(reinterpret_cast<const char *>(body.data()), static_cast<std::streamsize>(body.size()));
	uint32_t size = static_cast<uint32_t>(body.size() + 11);
	uint8_t t[4] = {uint8_t(size >> 24), uint8_t(size >> 16), uint8_t(size >> 8), uint8_t(size)};
	out.write(reinterpret_cast<const char *>(t), 4);
}

} // namespace

int main(int argc, char **argv)
{
	if (argc != 5) {
		std::fprintf(stderr, "usage: goaway-flv-mux-check h264|hevc|av1 INPUT OUTPUT.flv FPS\n");
		return 2;
	}
	std::string codecName = argv[1];
	rtmp::VideoCodec codec = codecName == "hevc"  ? rtmp::VideoCodec::Hevc
				 : codecName == "av1" ? rtmp::VideoCodec::Av1
						      : rtmp::VideoCodec::H264;
	std::ifstream in(argv[2], std::ios::binary);
	Bytes stream((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	const double fps = std::atof(argv[4]);
	Bytes extradata;
	auto units = codec == rtmp::VideoCodec::Av1 ? splitObus(stream, extradata)
						    : splitAnnexB(stream, codec == rtmp::VideoCodec::Hevc, extradata);
	if (units.empty() || extradata.empty() || fps <= 0) {
		std::fprintf(stderr, "goaway-flv-mux-check: no frames or no parameter sets in %s\n", argv[2]);
		return 1;
	}
	flv::FlvMuxer mux(codec);
	auto header = mux.videoSequenceHeader(extradata);
	if (!header) {
		std::fprintf(stderr, "goaway-flv-mux-check: %s\n", header.error().message.c_str());
		return 1;
	}
	std::ofstream out(argv[3], std::ios::binary);
	const uint8_t flvHeader[13] = {'F', 'L', 'V', 1, 0x01 /* video only */, 0, 0, 0, 9, 0, 0, 0, 0};
	out.write(reinterpret_cast<const char *>(flvHeader), sizeof(flvHeader));
	flv::StreamMetadata md;
	md.videoCodec = codec;
	md.hasAudio = false;
	md.frameRate = fps;
	auto metadata = flv::FlvMuxer::metadata(md).payload;
	// In a file the script tag is "onMetaData" + array: drop the leading "@setDataFrame" string.
	metadata.erase(metadata.begin(), metadata.begin() + 3 + 13);
	writeTag(out, 18, 0, metadata);
	writeTag(out, 9, 0, header->payload);
	for (size_t i = 0; i < units.size(); ++i) {
		int64_t ts = static_cast<int64_t>(i * 1000.0 / fps + 0.5);
		auto m = mux.videoFrame({units[i].data, ts, ts, units[i].keyframe});
		writeTag(out, 9, m.timestampMs, m.payload);
	}
	std::printf("%zu\n", units.size());
	return 0;
}
