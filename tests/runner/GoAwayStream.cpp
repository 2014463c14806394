// goaway-stream: a headless libobs program that streams a synthetic scene through real OBS encoders
// and an RTMP output (ours or OBS's stock rtmp_output), then prints JSON statistics.
// Needs an X display (Xvfb) for libobs' OpenGL renderer. Run it inside `unshare -n`.

#include "RunnerOptions.hpp"
#include "NullOutput.hpp"
#include "SyntheticEncoder.hpp"
#include "SyntheticSources.hpp"
#include "ThreadCpu.hpp"

#include <obs.h>
#include <obs.hpp>
#include <obs-nix-platform.h>
#include <util/platform.h>

#include <X11/Xlib.h>
#include <dirent.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

using goaway::runner::RunnerOptions;
using json = nlohmann::json;

namespace {

/// How long obs_output_stop may take before we give up waiting for the "stop" signal.
constexpr auto kStopTimeout = std::chrono::seconds(20);
/// How soon SIGINT / SIGTERM end the streaming wait (the benchmarks stop the runner that way).
constexpr auto kInterruptPoll = std::chrono::milliseconds(100);
/// libobs' end_data_capture thread raises the "stop" signal and clears its own "still running"
/// flag before it returns, so obs_output_destroy joins it only if it is slower than that: after
/// the release it may still be finishing. Threads that are not in the figures from before the
/// creation get this long to end before the figures count them as left behind.
constexpr auto kThreadExitGrace = std::chrono::seconds(2);
constexpr auto kThreadExitPoll = std::chrono::milliseconds(10);

std::atomic<bool> interrupted{false};

/** What the output's signals told us, guarded by one mutex. */
struct OutputEvents {
	std::mutex mutex;
	std::condition_variable changed;
	bool started = false;
	bool stopped = false;
	int stopCode = 0;
	std::string lastError;
	int reconnects = 0;
	int reconnectSuccesses = 0;
	int handoffSignals = 0;
};

void onStart(void *param, calldata_t *)
{
	auto *ev = static_cast<OutputEvents *>(param);
	std::lock_guard lock(ev->mutex);
	ev->started = true;
	ev->changed.notify_all();
}

void onStop(void *param, calldata_t *cd)
{
	auto *ev = static_cast<OutputEvents *>(param);
	std::lock_guard lock(ev->mutex);
	ev->stopped = true;
	ev->stopCode = int(calldata_int(cd, "code"));
	const char *err = calldata_string(cd, "last_error");
	ev->lastError = err ? err : "";
	ev->changed.notify_all();
}

void onReconnect(void *param, calldata_t *)
{
	auto *ev = static_cast<OutputEvents *>(param);
	std::lock_guard lock(ev->mutex);
	ev->reconnects++;
}

void onReconnectSuccess(void *param, calldata_t *)
{
	auto *ev = static_cast<OutputEvents *>(param);
	std::lock_guard lock(ev->mutex);
	ev->reconnectSuccesses++;
}

void onHandoff(void *param, calldata_t *)
{
	auto *ev = static_cast<OutputEvents *>(param);
	std::lock_guard lock(ev->mutex);
	ev->handoffSignals++;
}

void installStopHandlers()
{
	std::signal(SIGINT, [](int) { interrupted = true; });
	std::signal(SIGTERM, [](int) { interrupted = true; });
}

bool loadModule(const std::string &dir, const std::string &dataDir, const char *name)
{
	const std::string path = dir + "/" + name + ".so";
	obs_module_t *module = nullptr;
	const int rc = obs_open_module(&module, path.c_str(), dataDir.c_str());
	if (rc != MODULE_SUCCESS) {
		std::fprintf(stderr, "goaway-stream: cannot open module %s (code %d)\n", path.c_str(), rc);
		return false;
	}
	if (!obs_init_module(module)) {
		std::fprintf(stderr, "goaway-stream: module %s failed to initialise\n", name);
		return false;
	}
	return true;
}

/** Calls a proc of the output that returns a JSON string in "json"; null when absent. */
json callJsonProc(obs_output_t *output, const char *name)
{
	proc_handler_t *ph = obs_output_get_proc_handler(output);
	calldata_t cd = {};
	json result = nullptr;
	if (ph && proc_handler_call(ph, name, &cd)) {
		const char *text = calldata_string(&cd, "json");
		if (text)
			result = json::parse(text, nullptr, false);
	}
	calldata_free(&cd);
	return result;
}

/** A /proc/self/status field in kB (VmRSS, VmHWM), or -1. */
long statusKb(const char *field)
{
	std::ifstream status("/proc/self/status");
	const std::string prefix = std::string(field) + ":";
	for (std::string line; std::getline(status, line);)
		if (line.rfind(prefix, 0) == 0)
			return std::atol(line.c_str() + prefix.size());
	return -1;
}

/**
 * Open fds, threads and memory of this process: the hostile suite checks that what the output
 * opened is gone once it is stopped and released.
 */
json processFigures()
{
	json threads = json::array();
	if (DIR *dir = opendir("/proc/self/task")) {
		while (dirent *e = readdir(dir)) {
			if (e->d_name[0] == '.')
				continue;
			std::string name;
			std::getline(std::ifstream("/proc/self/task/" + std::string(e->d_name) + "/comm"), name);
			// "tid name": a thread is the same one only if its id is (names repeat).
			threads.push_back(std::string(e->d_name) + " " + name);
		}
		closedir(dir);
	}
	// "fd target": a descriptor is the same one only if both match (numbers are reused; sockets
	// and pipes carry their inode in the target). opendir's own descriptor is left out.
	json fds = json::array();
	if (DIR *dir = opendir("/proc/self/fd")) {
		const int own = dirfd(dir);
		while (dirent *e = readdir(dir)) {
			if (e->d_name[0] == '.' || std::atoi(e->d_name) == own)
				continue;
			char target[512] = {};
			const std::string link = "/proc/self/fd/" + std::string(e->d_name);
			const ssize_t n = readlink(link.c_str(), target, sizeof(target) - 1);
			fds.push_back(std::string(e->d_name) + " " + (n > 0 ? std::string(target, size_t(n)) : "?"));
		}
		closedir(dir);
	}
	return {{"fds", fds.size()},          {"fdList", fds},
		{"threads", threads.size()},  {"threadNames", threads},
		{"rssKb", statusKb("VmRSS")}, {"peakRssKb", statusKb("VmHWM")}};
}

/**
 * The process figures once every thread that was not running before the creation has ended, or
 * after kThreadExitGrace: a thread still there then is one left behind. "threadExitWaitMs" says
 * how long it took.
 */
json figuresOnceThreadsEnded(const json &threadsBefore)
{
	const auto began = std::chrono::steady_clock::now();
	json figures = processFigures();
	auto onlyEarlier = [&](const json &f) {
		return std::all_of(f["threadNames"].begin(), f["threadNames"].end(), [&](const json &t) {
			return std::find(threadsBefore.begin(), threadsBefore.end(), t) != threadsBefore.end();
		});
	};
	while (!onlyEarlier(figures) && std::chrono::steady_clock::now() - began < kThreadExitGrace) {
		std::this_thread::sleep_for(kThreadExitPoll);
		figures = processFigures();
	}
	figures["threadExitWaitMs"] =
		std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - began).count();
	return figures;
}

int run(const RunnerOptions &o)
{
	Display *display = XOpenDisplay(nullptr);
	if (!display) {
		std::fprintf(stderr, "goaway-stream: no X display (run under Xvfb / xvfb-run)\n");
		return 1;
	}
	obs_set_nix_platform(OBS_NIX_PLATFORM_X11_EGL);
	obs_set_nix_platform_display(display);

	char configTemplate[] = "/tmp/goaway-stream-XXXXXX";
	const char *configDir = mkdtemp(configTemplate);
	if (!configDir || !obs_startup("en-US", configDir, nullptr)) {
		std::fprintf(stderr, "goaway-stream: obs_startup failed\n");
		return 1;
	}

	int exitCode = 1;
	{
		obs_video_info ovi = {};
		ovi.graphics_module = "libobs-opengl";
		ovi.fps_num = o.fps;
		ovi.fps_den = 1;
		ovi.base_width = ovi.output_width = o.width;
		ovi.base_height = ovi.output_height = o.height;
		ovi.output_format = VIDEO_FORMAT_NV12;
		ovi.gpu_conversion = true;
		ovi.colorspace = VIDEO_CS_709;
		ovi.range = VIDEO_RANGE_PARTIAL;
		ovi.scale_type = OBS_SCALE_BICUBIC;
		const int videoRc = obs_reset_video(&ovi);
		obs_audio_info oai = {48000, SPEAKERS_STEREO};
		if (videoRc != OBS_VIDEO_SUCCESS || !obs_reset_audio(&oai)) {
			std::fprintf(stderr, "goaway-stream: video (code %d) or audio reset failed\n", videoRc);
			obs_shutdown();
			return 1;
		}

		bool modulesOk = true;
		for (const char *name : {"obs-x264", "obs-ffmpeg", "obs-outputs", "rtmp-services"})
			modulesOk = loadModule(o.moduleDir, o.moduleDataDir + "/" + name, name) && modulesOk;
		if (o.outputId == "rtmp_goaway_output")
			modulesOk = loadModule(o.pluginDir, o.pluginData, "obs-rtmp-goaway") && modulesOk;
		obs_post_load_modules();
		// Again: a module may have installed its own handlers (with Debian 12's OBS 29 SIGINT no
		// longer reached ours); the benchmarks stop the runner with SIGINT.
		installStopHandlers();
		goaway::runner::registerSyntheticSources();
		goaway::runner::registerSyntheticEncoder();
		goaway::runner::registerNullOutput();

		OBSDataAutoRelease patternSettings = obs_data_create();
		obs_data_set_int(patternSettings, "width", o.width);
		obs_data_set_int(patternSettings, "height", o.height);
		obs_data_set_int(patternSettings, "fps", o.fps);
		OBSSourceAutoRelease pattern =
			obs_source_create(goaway::runner::kPatternSourceId, "pattern", patternSettings, nullptr);
		OBSSourceAutoRelease tone = obs_source_create(goaway::runner::kToneSourceId, "tone", nullptr, nullptr);
		obs_set_output_source(0, pattern);
		obs_set_output_source(1, tone);

		// Before the encoders and the output exist: they may start threads when created (x264 when
		// initialised, even if the output then fails to connect) and end them when released.
		const json figuresBeforeCreate = processFigures();
		OBSDataAutoRelease videoSettings = obs_data_create();
		obs_data_set_string(videoSettings, "rate_control", "CBR");
		obs_data_set_int(videoSettings, "bitrate", o.videoBitrateKbps);
		obs_data_set_int(videoSettings, "keyint_sec", o.keyintSec);
		obs_data_set_string(videoSettings, "preset", o.x264Preset.c_str());
		obs_data_set_string(videoSettings, "profile", "high");
		OBSEncoderAutoRelease videoEncoder =
			o.audioOnly
				? nullptr
				: obs_video_encoder_create(o.videoEncoderId.c_str(), "video", videoSettings, nullptr);
		OBSDataAutoRelease audioSettings = obs_data_create();
		obs_data_set_int(audioSettings, "bitrate", o.audioBitrateKbps);
		OBSEncoderAutoRelease audioEncoder =
			obs_audio_encoder_create("ffmpeg_aac", "audio", audioSettings, 0, nullptr);

		OBSDataAutoRelease serviceSettings = obs_data_create();
		obs_data_set_string(serviceSettings, "server", o.url.c_str());
		obs_data_set_string(serviceSettings, "key", o.key.c_str());
		OBSServiceAutoRelease service = obs_service_create("rtmp_custom", "service", serviceSettings, nullptr);

		OBSDataAutoRelease outputSettings = obs_data_create();
		for (const auto &[k, v] : o.outputSettings) {
			// Typed as OBS reads them: digits are an integer setting, true / false a boolean.
			const bool digits = !v.empty() && v.size() < 10 && std::all_of(v.begin(), v.end(), [](char c) {
				return c >= '0' && c <= '9';
			});
			if (digits)
				obs_data_set_int(outputSettings, k.c_str(), std::stoll(v));
			else if (v == "true" || v == "false")
				obs_data_set_bool(outputSettings, k.c_str(), v == "true");
			else
				obs_data_set_string(outputSettings, k.c_str(), v.c_str());
		}
		OBSOutputAutoRelease output = obs_output_create(o.outputId.c_str(), "stream", outputSettings, nullptr);

		json stats;
		stats["figures"]["beforeCreate"] = figuresBeforeCreate;
		stats["output"] = o.outputId;
		stats["obsVersion"] = obs_get_version_string();
		// Also in the log at once: a run that has to be killed writes no statistics.
		std::fprintf(stderr, "goaway-stream: libobs %s, output %s\n", obs_get_version_string(),
			     o.outputId.c_str());
		if (!modulesOk || !output || !service || !audioEncoder || (!o.audioOnly && !videoEncoder)) {
			stats["error"] = "could not create the modules, encoders, service or output";
		} else {
			if (videoEncoder) {
				obs_encoder_set_video(videoEncoder, obs_get_video());
				obs_output_set_video_encoder(output, videoEncoder);
			}
			obs_encoder_set_audio(audioEncoder, obs_get_audio());
			obs_output_set_audio_encoder(output, audioEncoder, 0);
			obs_output_set_service(output, service);

			OutputEvents events;
			signal_handler_t *sh = obs_output_get_signal_handler(output);
			OBSSignal startSignal(sh, "start", onStart, &events);
			OBSSignal stopSignal(sh, "stop", onStop, &events);
			OBSSignal reconnectSignal(sh, "reconnect", onReconnect, &events);
			OBSSignal reconnectOkSignal(sh, "reconnect_success", onReconnectSuccess, &events);
			OBSSignal handoffSignal(sh, "handoff", onHandoff, &events);

			stats["figures"]["beforeStart"] = processFigures();
			const auto threadsBeforeStart = goaway::runner::ThreadCpu::now();
			const auto began = std::chrono::steady_clock::now();
			if (!obs_output_start(output)) {
				const char *err = obs_output_get_last_error(output);
				stats["error"] =
					std::string("output did not start: ") + (err ? err : "no reason given");
			} else {
				const auto end = began + std::chrono::duration<double>(o.seconds);
				auto nextHandoff = o.handoffEvery > 0
							   ? began + std::chrono::duration<double>(o.handoffEvery)
							   : std::chrono::steady_clock::time_point::max();
				// Sender benchmark: CPU and bytes between cpuFrom (steady streaming) and the end.
				auto cpuAt =
					o.cpuFrom > 0
						? began + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
								  std::chrono::duration<double>(o.cpuFrom))
						: std::chrono::steady_clock::time_point::max();
				goaway::runner::ThreadCpu cpuBefore;
				uint64_t bytesBefore = 0;
				std::unique_lock lock(events.mutex);
				while (!events.stopped && !interrupted && std::chrono::steady_clock::now() < end) {
					auto wakeAt = std::min(end, nextHandoff);
					if (cpuAt < wakeAt)
						wakeAt = cpuAt;
					// A signal handler cannot notify the condition variable: look at `interrupted` often.
					const auto poll = std::chrono::steady_clock::now() + kInterruptPoll;
					if (poll < wakeAt)
						wakeAt = poll;
					events.changed.wait_until(lock, wakeAt);
					if (std::chrono::steady_clock::now() >= cpuAt) {
						cpuBefore = goaway::runner::ThreadCpu::now();
						bytesBefore = obs_output_get_total_bytes(output);
						cpuAt = std::chrono::steady_clock::time_point::max();
						stats["cpuStarted"] = true;
					}
					if (std::chrono::steady_clock::now() >= nextHandoff) {
						lock.unlock();
						calldata_t cd = {};
						proc_handler_call(obs_output_get_proc_handler(output),
								  "request_handoff", &cd);
						calldata_free(&cd);
						lock.lock();
						nextHandoff +=
							std::chrono::duration_cast<std::chrono::steady_clock::duration>(
								std::chrono::duration<double>(o.handoffEvery));
					}
				}
				const bool stoppedByItself = events.stopped;
				lock.unlock();
				if (stats.contains("cpuStarted")) {
					stats["cpu"] = goaway::runner::ThreadCpu::delta(
						cpuBefore, goaway::runner::ThreadCpu::now(), threadsBeforeStart);
					stats["cpu"]["bytes"] = obs_output_get_total_bytes(output) - bytesBefore;
				}
				// Statistics first: the output's own counters are final only while it exists.
				stats["handoffs"] = callJsonProc(output, "get_handoffs");
				stats["state"] = callJsonProc(output, "get_state");
				if (!stoppedByItself)
					obs_output_stop(output);
				lock.lock();
				const bool stopSeen =
					events.changed.wait_for(lock, kStopTimeout, [&] { return events.stopped; });
				stats["stoppedByItself"] = stoppedByItself;
				stats["stopSignalSeen"] = stopSeen;
				stats["stopCode"] = events.stopCode;
				stats["lastError"] = events.lastError;
				// The statistics are written with invalid UTF-8 replaced; this says whether the
				// output handed over a last_error that was not UTF-8 at all.
				bool lastErrorValidUtf8 = true;
				try {
					(void)json(events.lastError).dump();
				} catch (const json::exception &) {
					lastErrorValidUtf8 = false;
				}
				stats["lastErrorValidUtf8"] = lastErrorValidUtf8;
				stats["reconnects"] = events.reconnects;
				stats["reconnectSuccesses"] = events.reconnectSuccesses;
				stats["handoffSignals"] = events.handoffSignals;
				lock.unlock();
				stats["finalStats"] = callJsonProc(output, "get_stats");
				stats["figures"]["afterStop"] = processFigures();
				stats["seconds"] =
					std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
				stats["totalBytes"] = obs_output_get_total_bytes(output);
				stats["totalFrames"] = obs_output_get_total_frames(output);
				stats["framesDropped"] = obs_output_get_frames_dropped(output);
				stats["connectTimeMs"] = obs_output_get_connect_time_ms(output);
				if (videoEncoder) {
					video_t *video = obs_get_video();
					stats["renderedFrames"] = video_output_get_total_frames(video);
					stats["skippedFrames"] = video_output_get_skipped_frames(video);
				}
				exitCode = (stoppedByItself && events.stopCode != OBS_OUTPUT_SUCCESS) ? 1 : 0;
			}
		}
		if (stats.contains("figures")) {
			// Released here, after its signal connections above are gone: the figures after the
			// release are what a leak check compares with the ones before the creation.
			output = nullptr;
			videoEncoder = nullptr;
			audioEncoder = nullptr;
			service = nullptr;
			stats["figures"]["afterRelease"] =
				figuresOnceThreadsEnded(stats["figures"]["beforeCreate"]["threadNames"]);
		}
		const std::string text = stats.dump(2, ' ', false, json::error_handler_t::replace);
		std::printf("%s\n", text.c_str());
		if (!o.jsonPath.empty())
			std::ofstream(o.jsonPath) << text << "\n";
		obs_set_output_source(0, nullptr);
		obs_set_output_source(1, nullptr);
	}
	obs_shutdown();
	XCloseDisplay(display);
	return exitCode;
}

} // namespace

int main(int argc, char **argv)
{
	int exitCode = 0;
	auto options = goaway::runner::parseRunnerOptions(argc, argv, exitCode);
	if (!options)
		return exitCode;
	installStopHandlers();
	return run(*options);
}
