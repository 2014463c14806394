#include "RunnerOptions.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace goaway::runner {

namespace {

const char *kUsage =
	"usage: goaway-stream [options]\n"
	"Streams a synthetic scene (moving pattern + 440 Hz tone) through real libobs encoders\n"
	"(obs_x264, ffmpeg_aac) and an RTMP output, then prints JSON statistics.\n"
	"  --url URL               rtmp[s]://host:port/app (default rtmp://127.0.0.1:1935/live)\n"
	"  --key KEY               stream key (default test; never printed)\n"
	"  --output ID             rtmp_goaway_output (default) or rtmp_output (OBS's stock output)\n"
	"  --seconds S             how long to stream (default 30)\n"
	"  --size WxH --fps N      video format (default 1280x720, 30)\n"
	"  --bitrate KBPS          video bitrate (default 2500); --audio-bitrate KBPS (default 160)\n"
	"  --keyint SEC            keyframe interval (default 2)\n"
	"  --preset NAME           x264 preset (default veryfast)\n"
	"  --audio-only            no video encoder\n"
	"  --plugin-dir DIR        folder holding obs-rtmp-goaway.so; --plugin-data DIR its data folder\n"
	"  --module-dir DIR        OBS's plugin folder (default /usr/lib/x86_64-linux-gnu/obs-plugins)\n"
	"  --module-data-dir DIR   OBS's plugin data folder (default /usr/share/obs/obs-plugins)\n"
	"  --set KEY=VALUE         an output setting (repeatable; digits: an integer, true/false: a boolean),\n"
	"                          e.g. --set handoff_mode=break-before-make\n"
	"  --handoff-every S       ask the output for a manual handoff every S seconds\n"
	"  --json PATH             also write the statistics to PATH\n"
	"  --video-encoder ID      obs_x264 (default) or goaway_bench_h264 (synthetic H.264 of exactly the\n"
	"                          bitrate, nearly free: for sender benchmarks)\n"
	"  --output goaway_bench_null_output   discards the packets (the benchmarks' baseline)\n"
	"  --cpu-from S            report CPU time (process and per thread) and bytes sent between S seconds\n"
	"                          after the start and the end of the run\n";

bool parseSize(const char *s, uint32_t &w, uint32_t &h)
{
	return std::sscanf(s, "%ux%u", &w, &h) == 2 && w > 0 && h > 0;
}

} // namespace

std::optional<RunnerOptions> parseRunnerOptions(int argc, char **argv, int &exitCode)
{
	RunnerOptions o;
	exitCode = 0;
	for (int i = 1; i < argc; ++i) {
		const std::string arg = argv[i];
		auto value = [&]() -> const char * {
			if (i + 1 >= argc) {
				std::fprintf(stderr, "goaway-stream: %s needs a value\n", arg.c_str());
				return nullptr;
			}
			return argv[++i];
		};
		const char *v = nullptr;
		if (arg == "--help" || arg == "-h") {
			std::fputs(kUsage, stdout);
			return std::nullopt;
		} else if (arg == "--audio-only") {
			o.audioOnly = true;
			continue;
		}
		if (!(v = value())) {
			exitCode = 2;
			return std::nullopt;
		}
		if (arg == "--url")
			o.url = v;
		else if (arg == "--key")
			o.key = v;
		else if (arg == "--output")
			o.outputId = v;
		else if (arg == "--seconds")
			o.seconds = std::atof(v);
		else if (arg == "--size") {
			if (!parseSize(v, o.width, o.height)) {
				std::fprintf(stderr, "goaway-stream: --size wants WxH, e.g. 1280x720\n");
				exitCode = 2;
				return std::nullopt;
			}
		} else if (arg == "--fps")
			o.fps = uint32_t(std::atoi(v));
		else if (arg == "--bitrate")
			o.videoBitrateKbps = std::atoi(v);
		else if (arg == "--audio-bitrate")
			o.audioBitrateKbps = std::atoi(v);
		else if (arg == "--keyint")
			o.keyintSec = std::atoi(v);
		else if (arg == "--preset")
			o.x264Preset = v;
		else if (arg == "--plugin-dir")
			o.pluginDir = v;
		else if (arg == "--plugin-data")
			o.pluginData = v;
		else if (arg == "--module-dir")
			o.moduleDir = v;
		else if (arg == "--module-data-dir")
			o.moduleDataDir = v;
		else if (arg == "--json")
			o.jsonPath = v;
		else if (arg == "--video-encoder")
			o.videoEncoderId = v;
		else if (arg == "--cpu-from")
			o.cpuFrom = std::atof(v);
		else if (arg == "--handoff-every")
			o.handoffEvery = std::atof(v);
		else if (arg == "--set") {
			const char *eq = std::strchr(v, '=');
			if (!eq) {
				std::fprintf(stderr, "goaway-stream: --set wants KEY=VALUE\n");
				exitCode = 2;
				return std::nullopt;
			}
			o.outputSettings.emplace_back(std::string(v, eq), std::string(eq + 1));
		} else {
			std::fprintf(stderr, "goaway-stream: unknown option %s\n%s", arg.c_str(), kUsage);
			exitCode = 2;
			return std::nullopt;
		}
	}
	if (o.fps == 0 || o.seconds <= 0) {
		std::fprintf(stderr, "goaway-stream: --fps and --seconds must be positive\n");
		exitCode = 2;
		return std::nullopt;
	}
	return o;
}

} // namespace goaway::runner
