#include "NullOutput.hpp"

#include <obs-module.h>

#include <atomic>
#include <cstdint>

namespace goaway::runner {

namespace {

struct NullOutput {
	obs_output_t *output = nullptr;
	std::atomic<uint64_t> bytes{0};
};

void *create(obs_data_t *, obs_output_t *output)
{
	auto *o = new NullOutput;
	o->output = output;
	return o;
}

void destroy(void *data)
{
	delete static_cast<NullOutput *>(data);
}

bool start(void *data)
{
	auto *o = static_cast<NullOutput *>(data);
	if (!obs_output_can_begin_data_capture(o->output, 0) || !obs_output_initialize_encoders(o->output, 0))
		return false;
	return obs_output_begin_data_capture(o->output, 0);
}

void stop(void *data, uint64_t)
{
	obs_output_end_data_capture(static_cast<NullOutput *>(data)->output);
}

void packet(void *data, encoder_packet *p)
{
	if (p)
		static_cast<NullOutput *>(data)->bytes += p->size;
}

uint64_t totalBytes(void *data)
{
	return static_cast<NullOutput *>(data)->bytes;
}

} // namespace

void registerNullOutput()
{
	obs_output_info info = {};
	info.id = kNullOutputId;
	info.flags = OBS_OUTPUT_AV | OBS_OUTPUT_ENCODED;
	info.get_name = [](void *) {
		return "Null output (benchmarks)";
	};
	info.create = create;
	info.destroy = destroy;
	info.start = start;
	info.stop = stop;
	info.encoded_packet = packet;
	info.get_total_bytes = totalBytes;
	info.encoded_video_codecs = "h264";
	info.encoded_audio_codecs = "aac";
	obs_register_output(&info);
}

} // namespace goaway::runner
