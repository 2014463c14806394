#include "SyntheticSources.hpp"

#include <obs-module.h>
#include <util/platform.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>
#include <vector>

namespace goaway::runner {

namespace {

constexpr uint32_t kSampleRate = 48000;
/// 10 ms audio chunks: what OBS's own capture sources deliver; keeps audio timestamps fine-grained.
constexpr uint32_t kAudioChunkFrames = kSampleRate / 100;
constexpr double kToneHz = 440.0;
constexpr float kToneAmplitude = 0.2f;

/** Common part: a pacing thread that runs while the source exists. */
struct PacedSource {
	obs_source_t *source = nullptr;
	std::atomic<bool> running{true};
	std::thread thread;

	void stop()
	{
		running = false;
		if (thread.joinable())
			thread.join();
	}
};

struct PatternSource : PacedSource {
	uint32_t width = 1280, height = 720, fps = 30;
	std::vector<uint8_t> pixels;

	void run()
	{
		pixels.assign(size_t(width) * height * 4, 0);
		const uint64_t interval = 1000000000ull / fps;
		const uint64_t start = os_gettime_ns();
		for (uint64_t n = 0; running; ++n) {
			const uint64_t ts = start + n * interval;
			os_sleepto_ns(ts);
			draw(n);
			obs_source_frame frame = {};
			frame.data[0] = pixels.data();
			frame.linesize[0] = width * 4;
			frame.width = width;
			frame.height = height;
			frame.format = VIDEO_FORMAT_BGRA;
			frame.timestamp = ts;
			obs_source_output_video(source, &frame);
		}
	}

	/** A bar that sweeps across the frame and the frame number as 24 binary blocks: every frame differs. */
	void draw(uint64_t n)
	{
		const uint32_t bg = 0xFF202830u;
		auto *px = reinterpret_cast<uint32_t *>(pixels.data());
		std::fill(px, px + size_t(width) * height, bg);
		const uint32_t barWidth = width / 16;
		const uint32_t barX = uint32_t((n * 8) % (width - barWidth));
		for (uint32_t y = height / 4; y < height * 3 / 4; ++y)
			std::fill(px + size_t(y) * width + barX, px + size_t(y) * width + barX + barWidth, 0xFFE0E0E0u);
		const uint32_t block = width / 32;
		for (uint32_t bit = 0; bit < 24; ++bit) {
			const uint32_t color = (n >> bit) & 1 ? 0xFF30C060u : 0xFF603030u;
			for (uint32_t y = 0; y < block; ++y) {
				uint32_t *row = px + size_t(y + block / 2) * width + block / 2 + bit * (block + 2);
				std::fill(row, row + block, color);
			}
		}
	}
};

struct ToneSource : PacedSource {
	void run()
	{
		std::vector<float> left(kAudioChunkFrames), right(kAudioChunkFrames);
		const uint64_t start = os_gettime_ns();
		for (uint64_t chunk = 0; running; ++chunk) {
			const uint64_t firstSample = chunk * kAudioChunkFrames;
			const uint64_t ts = start + firstSample * 1000000000ull / kSampleRate;
			os_sleepto_ns(ts);
			for (uint32_t i = 0; i < kAudioChunkFrames; ++i) {
				const double t = double(firstSample + i) / kSampleRate;
				left[i] = right[i] = kToneAmplitude * float(std::sin(2.0 * M_PI * kToneHz * t));
			}
			obs_source_audio audio = {};
			audio.data[0] = reinterpret_cast<const uint8_t *>(left.data());
			audio.data[1] = reinterpret_cast<const uint8_t *>(right.data());
			audio.frames = kAudioChunkFrames;
			audio.speakers = SPEAKERS_STEREO;
			audio.format = AUDIO_FORMAT_FLOAT_PLANAR;
			audio.samples_per_sec = kSampleRate;
			audio.timestamp = ts;
			obs_source_output_audio(source, &audio);
		}
	}
};

const char *patternName(void *)
{
	return "goaway test pattern";
}

void *patternCreate(obs_data_t *settings, obs_source_t *source)
{
	auto *self = new PatternSource;
	self->source = source;
	self->width = uint32_t(obs_data_get_int(settings, "width"));
	self->height = uint32_t(obs_data_get_int(settings, "height"));
	self->fps = uint32_t(obs_data_get_int(settings, "fps"));
	self->thread = std::thread([self] { self->run(); });
	return self;
}

void patternDestroy(void *data)
{
	auto *self = static_cast<PatternSource *>(data);
	self->stop();
	delete self;
}

void patternDefaults(obs_data_t *settings)
{
	obs_data_set_default_int(settings, "width", 1280);
	obs_data_set_default_int(settings, "height", 720);
	obs_data_set_default_int(settings, "fps", 30);
}

const char *toneName(void *)
{
	return "goaway test tone";
}

void *toneCreate(obs_data_t *, obs_source_t *source)
{
	auto *self = new ToneSource;
	self->source = source;
	self->thread = std::thread([self] { self->run(); });
	return self;
}

void toneDestroy(void *data)
{
	auto *self = static_cast<ToneSource *>(data);
	self->stop();
	delete self;
}

} // namespace

void registerSyntheticSources()
{
	obs_source_info pattern = {};
	pattern.id = kPatternSourceId;
	pattern.type = OBS_SOURCE_TYPE_INPUT;
	pattern.output_flags = OBS_SOURCE_ASYNC_VIDEO;
	pattern.get_name = patternName;
	pattern.create = patternCreate;
	pattern.destroy = patternDestroy;
	pattern.get_defaults = patternDefaults;
	obs_register_source(&pattern);

	obs_source_info tone = {};
	tone.id = kToneSourceId;
	tone.type = OBS_SOURCE_TYPE_INPUT;
	tone.output_flags = OBS_SOURCE_AUDIO;
	tone.get_name = toneName;
	tone.create = toneCreate;
	tone.destroy = toneDestroy;
	obs_register_source(&tone);
}

} // namespace goaway::runner
