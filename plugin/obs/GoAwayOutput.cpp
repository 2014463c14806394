#include "GoAwayOutput.hpp"
#include "PluginInfo.hpp"

#include <obs-module.h>

namespace goaway::obs {

namespace {

struct OutputData {
	obs_output_t *output = nullptr;
};

const char *outputName(void *)
{
	return obs_module_text("Output.Name");
}

void *outputCreate(obs_data_t *, obs_output_t *output)
{
	auto *data = new OutputData;
	data->output = output;
	return data;
}

void outputDestroy(void *data)
{
	delete static_cast<OutputData *>(data);
}

bool outputStart(void *data)
{
	auto *self = static_cast<OutputData *>(data);
	blog(LOG_WARNING, "[obs-rtmp-goaway] [GoAwayOutput::start] streaming is not implemented in this build");
	obs_output_signal_stop(self->output, OBS_OUTPUT_UNSUPPORTED);
	return false;
}

void outputStop(void *, uint64_t) {}

void outputEncodedPacket(void *, encoder_packet *) {}

} // namespace

void registerGoAwayOutput()
{
	obs_output_info info = {};
	info.id = kOutputId;
	info.flags = OBS_OUTPUT_AV | OBS_OUTPUT_ENCODED | OBS_OUTPUT_SERVICE;
	info.protocols = "RTMP;RTMPS";
	info.encoded_video_codecs = "h264;hevc;av1";
	info.encoded_audio_codecs = "aac";
	info.get_name = outputName;
	info.create = outputCreate;
	info.destroy = outputDestroy;
	info.start = outputStart;
	info.stop = outputStop;
	info.encoded_packet = outputEncodedPacket;
	obs_register_output(&info);
}

} // namespace goaway::obs
