#include "SyntheticEncoder.hpp"

#include <obs-module.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <vector>

namespace goaway::runner {

namespace {

/// Baseline-profile SPS (1280x720, level 3.1, POC type 2, no VUI) and PPS (CAVLC), Annex-B NAL
/// bodies written from the field list of ITU-T H.264 7.3.2.1 / 7.3.2.2. Outputs only copy them into
/// the AVCDecoderConfigurationRecord; nobody decodes the synthetic slices.
constexpr uint8_t kSps[] = {0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe4};
constexpr uint8_t kPps[] = {0x68, 0xce, 0x3c, 0x80};
constexpr uint8_t kStartCode[] = {0x00, 0x00, 0x00, 0x01};
constexpr uint8_t kIdrNalHeader = 0x65;    // nal_ref_idc 3, type 5 (IDR slice)
constexpr uint8_t kNonIdrNalHeader = 0x41; // nal_ref_idc 2, type 1 (non-IDR slice)
/// Frames rotate through a pool this many frame sizes long, so consecutive payloads differ.
constexpr size_t kPoolFrames = 8;

struct SyntheticEncoder {
	obs_encoder_t *encoder = nullptr;
	size_t frameBytes = 0;
	uint64_t keyintFrames = 60;
	uint64_t frames = 0;
	std::vector<uint8_t> headers; // SPS + PPS, Annex-B
	std::vector<uint8_t> pool;    // start code + NAL header + payload bytes (never 0: no start code emulation)
};

void *create(obs_data_t *settings, obs_encoder_t *encoder)
{
	auto *e = new SyntheticEncoder;
	e->encoder = encoder;
	const video_output_info *voi = video_output_get_info(obs_encoder_video(encoder));
	const double fps = voi && voi->fps_den ? double(voi->fps_num) / voi->fps_den : 30.0;
	const int64_t kbps = std::max<int64_t>(obs_data_get_int(settings, "bitrate"), 1);
	const int64_t keyintSec = std::max<int64_t>(obs_data_get_int(settings, "keyint_sec"), 1);
	e->frameBytes = std::max<size_t>(size_t(double(kbps) * 1000.0 / 8.0 / fps), 16);
	e->keyintFrames = std::max<uint64_t>(uint64_t(double(keyintSec) * fps), 1);
	for (auto part : {std::span<const uint8_t>(kSps), std::span<const uint8_t>(kPps)}) {
		e->headers.insert(e->headers.end(), std::begin(kStartCode), std::end(kStartCode));
		e->headers.insert(e->headers.end(), part.begin(), part.end());
	}
	e->pool.resize(e->frameBytes * (kPoolFrames + 1));
	std::mt19937 rng(12345);
	std::uniform_int_distribution<int> byte(1, 255);
	for (auto &b : e->pool)
		b = uint8_t(byte(rng));
	return e;
}

void destroy(void *data)
{
	delete static_cast<SyntheticEncoder *>(data);
}

bool encode(void *data, encoder_frame *frame, encoder_packet *packet, bool *receivedPacket)
{
	auto *e = static_cast<SyntheticEncoder *>(data);
	const bool key = e->frames % e->keyintFrames == 0;
	uint8_t *unit = e->pool.data() + (e->frames % kPoolFrames) * e->frameBytes;
	std::memcpy(unit, kStartCode, sizeof(kStartCode));
	unit[sizeof(kStartCode)] = key ? kIdrNalHeader : kNonIdrNalHeader;
	packet->data = unit;
	packet->size = e->frameBytes;
	packet->type = OBS_ENCODER_VIDEO;
	packet->pts = frame->pts;
	packet->dts = frame->pts;
	packet->keyframe = key;
	*receivedPacket = true;
	e->frames++;
	return true;
}

bool extraData(void *data, uint8_t **extra, size_t *size)
{
	auto *e = static_cast<SyntheticEncoder *>(data);
	*extra = e->headers.data();
	*size = e->headers.size();
	return true;
}

void defaults(obs_data_t *settings)
{
	obs_data_set_default_int(settings, "bitrate", 2500);
	obs_data_set_default_int(settings, "keyint_sec", 2);
}

void videoInfo(void *, video_scale_info *info)
{
	info->format = VIDEO_FORMAT_NV12;
}

} // namespace

void registerSyntheticEncoder()
{
	obs_encoder_info info = {};
	info.id = kSyntheticEncoderId;
	info.type = OBS_ENCODER_VIDEO;
	info.codec = "h264";
	info.get_name = [](void *) {
		return "Synthetic H.264 (benchmarks)";
	};
	info.create = create;
	info.destroy = destroy;
	info.encode = encode;
	info.get_extra_data = extraData;
	info.get_defaults = defaults;
	info.get_video_info = videoInfo;
	obs_register_encoder(&info);
}

} // namespace goaway::runner
