#pragma once
// Command line of goaway-stream.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace goaway::runner {

struct RunnerOptions {
	std::string url = "rtmp://127.0.0.1:1935/live";
	std::string key = "test";
	std::string outputId = "rtmp_goaway_output"; // or rtmp_output: OBS's stock output, as a peer
	double seconds = 30;
	uint32_t width = 1280, height = 720, fps = 30;
	int videoBitrateKbps = 2500;
	int audioBitrateKbps = 160;
	int keyintSec = 2;
	std::string x264Preset = "veryfast";
	std::string pluginDir;  // folder with obs-rtmp-goaway.so (build/<suite>/rundir/obs-rtmp-goaway/bin/64bit)
	std::string pluginData; // its data folder
	std::string moduleDir = "/usr/lib/x86_64-linux-gnu/obs-plugins";
	std::string moduleDataDir = "/usr/share/obs/obs-plugins";
	std::string jsonPath;    // also written to stdout
	double handoffEvery = 0; // seconds between manual handoffs (request_handoff proc); 0 = never
	std::vector<std::pair<std::string, std::string>> outputSettings; // --set key=value
	bool audioOnly = false;
	std::string videoEncoderId = "obs_x264"; // or goaway_bench_h264 (synthetic, for sender benchmarks)
	double cpuFrom = 0; // > 0: report CPU time (process, per thread) and bytes from this many seconds after start
};

/** Parses argv; on --help or an error prints usage and returns nullopt (exitCode set). */
std::optional<RunnerOptions> parseRunnerOptions(int argc, char **argv, int &exitCode);

} // namespace goaway::runner
