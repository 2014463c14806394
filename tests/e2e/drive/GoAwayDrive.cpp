// goaway-drive: the output's engine (PacketQueue + StreamDriver + SessionConnector + the ingest
// resolver: plugin/output, without libobs) fed in real time with the packets of an FLV file (made by
// ffmpeg), looped with continuing timestamps. A cheap e2e that runs on any host and under TSan /
// ASan; prints JSON: packets pushed, handoff records, how the driver ended, and the process's
// RSS, open fds and threads before, during and after streaming (leak checks).
//
// usage: goaway-drive --url URL --key KEY --flv FILE --seconds S [--json PATH]
//          [--handoff-every S] [--resolver off|dns|ingest-list] [--ingest-list URL]
//          [--mode make-before-break|break-before-make] [--allow-self-signed]
//          [--stop-during-handoff] [--io-timeout-ms N] [--connect-timeout-ms N]
#include "plugin/common/Log.hpp"
#include "plugin/output/HandoffJson.hpp"
#include "plugin/output/PacketQueue.hpp"
#include "plugin/output/StreamDriver.hpp"
#include "tests/publish/FlvFileReader.hpp"

#include <nlohmann/json.hpp>

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>

namespace {

using json = nlohmann::json;
using namespace goaway;
using Clock = std::chrono::steady_clock;

struct DriveOptions {
	std::string url, key, flv, jsonPath, resolver = "off", ingestList, mode = "make-before-break";
	double seconds = 10, handoffEvery = 0;
	bool allowSelfSigned = false, stopDuringHandoff = false;
	int ioTimeoutMs = 0, connectTimeoutMs = 0;
};

long countEntries(const char *dir)
{
	DIR *d = ::opendir(dir);
	if (!d)
		return -1;
	long n = 0;
	while (auto *e = ::readdir(d))
		n += e->d_name[0] != '.';
	::closedir(d);
	return n;
}

long countOpenFds()
{
	return countEntries("/proc/self/fd") - 1; // less the directory stream's own fd
}

long countThreads()
{
	return countEntries("/proc/self/task");
}

/** pthread_join() returns before the kernel unlists the thread; 2 s is far beyond that moment. */
constexpr auto kUnlistLimit = std::chrono::seconds(2);

/**
 * pthread_join() returns when the kernel clears the thread's tid, which happens before the thread
 * is unlisted from /proc/self/task (and while it still has its memory map). A joined thread can
 * therefore be counted for a moment. This waits, bounded, until at most `expected` threads are
 * listed and returns the count then: a thread that really stays fails the caller's check.
 */
long settledThreadCount(long expected)
{
	const auto deadline = Clock::now() + kUnlistLimit;
	long n = countThreads();
	while (n > expected && Clock::now() < deadline) {
		std::this_thread::yield();
		n = countThreads();
	}
	return n;
}

/** Waits, bounded, until a joined thread is gone from /proc/self/task (see above). */
void waitUnlisted(pid_t tid)
{
	const std::string dir = "/proc/self/task/" + std::to_string(tid);
	const auto deadline = Clock::now() + kUnlistLimit;
	while (::access(dir.c_str(), F_OK) == 0 && Clock::now() < deadline)
		std::this_thread::yield();
}

json processFigures(long threads)
{
	long rssKb = -1;
	std::ifstream status("/proc/self/status");
	for (std::string line; std::getline(status, line);)
		if (line.rfind("VmRSS:", 0) == 0)
			rssKb = std::atol(line.c_str() + 6);
	return {{"rssKb", rssKb}, {"fds", countOpenFds()}, {"threads", threads}};
}

/** The driver's owner, as GoAwayOutput is in OBS: records what the send thread tells it. */
class DriveHost : public output::DriverHost {
public:
	explicit DriveHost(output::StreamHeaders headers) : headers_(std::move(headers)) {}
	output::StreamHeaders streamHeaders() override { return headers_; }
	void onStreamStarted() override
	{
		std::lock_guard lock(mutex_);
		started_ = true;
		changed_.notify_all();
	}
	void onStartFailed(const Error &error) override
	{
		std::lock_guard lock(mutex_);
		startError_ = error.message;
		ended_ = true;
		changed_.notify_all();
	}
	void onStateChanged(handoff::State state) override
	{
		std::lock_guard lock(mutex_);
		states_.push_back(output::stateSlug(state));
		if (started_ && state != handoff::State::Streaming && state != handoff::State::Idle)
			inHandoff_ = true;
		changed_.notify_all();
	}
	void onHandoffRecord(const handoff::HandoffRecord &record) override
	{
		std::lock_guard lock(mutex_);
		records_.push_back(output::handoffRecordToJson(record, epoch_));
		if (records_.size() == 1)
			warm_ = processFigures(countThreads());
	}
	void onFallBack(const std::string &reason) override
	{
		std::lock_guard lock(mutex_);
		fallBack_ = reason;
		ended_ = true;
		changed_.notify_all();
	}
	void onStopped() override
	{
		std::lock_guard lock(mutex_);
		stopped_ = true;
		ended_ = true;
		changed_.notify_all();
	}
	/** Waits until the stream starts or the driver ends; true when it started. */
	bool waitStarted(std::chrono::seconds limit)
	{
		std::unique_lock lock(mutex_);
		changed_.wait_for(lock, limit, [&] { return started_ || ended_; });
		return started_;
	}
	bool ended()
	{
		std::lock_guard lock(mutex_);
		return ended_;
	}
	bool inHandoff()
	{
		std::lock_guard lock(mutex_);
		return inHandoff_;
	}
	json result()
	{
		std::lock_guard lock(mutex_);
		return {{"started", started_}, {"startError", startError_}, {"fallBack", fallBack_},
			{"stopped", stopped_}, {"handoffs", records_},      {"states", states_},
			{"warm", warm_}};
	}

private:
	output::StreamHeaders headers_;
	handoff::TimePoint epoch_ = handoff::Clock::now();
	std::mutex mutex_;
	std::condition_variable changed_;
	bool started_ = false, ended_ = false, stopped_ = false, inHandoff_ = false;
	std::string startError_, fallBack_;
	std::vector<std::string> states_;
	json records_ = json::array();
	json warm_ = nullptr;
};

bool parseArgs(int argc, char **argv, DriveOptions &o)
{
	for (int i = 1; i < argc; ++i) {
		const std::string a = argv[i];
		if (a == "--allow-self-signed") {
			o.allowSelfSigned = true;
			continue;
		}
		if (a == "--stop-during-handoff") {
			o.stopDuringHandoff = true;
			continue;
		}
		if (i + 1 >= argc) {
			std::fprintf(stderr, "goaway-drive: %s needs a value\n", a.c_str());
			return false;
		}
		const std::string v = argv[++i];
		if (a == "--url")
			o.url = v;
		else if (a == "--key")
			o.key = v;
		else if (a == "--flv")
			o.flv = v;
		else if (a == "--json")
			o.jsonPath = v;
		else if (a == "--seconds")
			o.seconds = std::atof(v.c_str());
		else if (a == "--handoff-every")
			o.handoffEvery = std::atof(v.c_str());
		else if (a == "--resolver")
			o.resolver = v;
		else if (a == "--ingest-list")
			o.ingestList = v;
		else if (a == "--mode")
			o.mode = v;
		else if (a == "--io-timeout-ms")
			o.ioTimeoutMs = std::atoi(v.c_str());
		else if (a == "--connect-timeout-ms")
			o.connectTimeoutMs = std::atoi(v.c_str());
		else {
			std::fprintf(stderr, "goaway-drive: unknown flag %s\n", a.c_str());
			return false;
		}
	}
	if (o.url.empty() || o.key.empty() || o.flv.empty()) {
		std::fprintf(stderr, "goaway-drive: --url, --key and --flv are required\n");
		return false;
	}
	return true;
}

/** `bitrateKbps`: the media's, as the plugin takes it from its encoders (the acknowledgement window). */
output::DriverConfig makeConfig(const DriveOptions &o, uint32_t bitrateKbps)
{
	output::DriverConfig c;
	c.session.ackWindowBytes = rtmp::ackWindowForBitrate(bitrateKbps);
	c.session.unsentLimitBytes = rtmp::unsentLimitForBitrate(bitrateKbps);
	c.serverUrl = o.url;
	c.streamKey = o.key;
	c.session.allowSelfSigned = o.allowSelfSigned;
	if (o.ioTimeoutMs > 0)
		c.session.ioTimeoutMs = o.ioTimeoutMs;
	if (o.connectTimeoutMs > 0)
		c.session.connectTimeoutMs = o.connectTimeoutMs;
	c.handoff.mode = o.mode == "break-before-make" ? handoff::HandoffMode::BreakBeforeMake
						       : handoff::HandoffMode::MakeBeforeBreak;
	c.session.sendStallMs = int(c.handoff.deadPathWindow.count()); // as the output sets it
	using S = ingest::CandidateSource;
	if (o.resolver == "ingest-list") {
		c.resolve.ingestListUrl = o.ingestList;
		c.resolve.order = {S::TcUrl, S::IngestList, S::Dns, S::Configured};
	} else if (o.resolver == "dns") {
		c.resolve.order = {S::TcUrl, S::Dns, S::Configured};
	} else {
		c.resolve.order = {S::TcUrl, S::Configured};
		c.resolve.probe = false;
	}
	return c;
}

} // namespace

int main(int argc, char **argv)
{
	DriveOptions o;
	if (!parseArgs(argc, argv, o))
		return 2;
	auto tags = publish::FlvFileReader::readAll(o.flv);
	if (!tags) {
		std::fprintf(stderr, "goaway-drive: %s\n", tags.error().message.c_str());
		return 2;
	}
	output::StreamHeaders headers;
	std::vector<publish::FlvTag> media;
	int64_t lastVideoTs = -1, firstVideoTs = -1;
	size_t videoTags = 0;
	for (auto &t : *tags) {
		if (t.isScript() && headers.metadata.empty()) {
			// FLV files hold onMetaData; a publisher sends @setDataFrame first (RTMP data message).
			static const uint8_t kSetDataFrame[] = {0x02, 0x00, 0x0d, '@', 's', 'e', 't', 'D',
								'a',  't',  'a',  'F', 'r', 'a', 'm', 'e'};
			headers.metadata.assign(std::begin(kSetDataFrame), std::end(kSetDataFrame));
			headers.metadata.insert(headers.metadata.end(), t.data.begin(), t.data.end());
		} else if (t.isVideoSequenceHeader()) {
			headers.videoHeader = t.data;
		} else if (t.isAudioSequenceHeader()) {
			headers.audioHeader = t.data;
		} else if ((t.isVideo() && !t.isVideoEndOfSequence()) || t.isAudio()) {
			if (t.isVideo()) {
				firstVideoTs = firstVideoTs < 0 ? t.timestampMs : firstVideoTs;
				lastVideoTs = t.timestampMs;
				++videoTags;
			}
			media.push_back(std::move(t));
		}
	}
	auto firstVideo = std::find_if(media.begin(), media.end(), [](const auto &t) { return t.isVideo(); });
	if (videoTags < 2 || firstVideo == media.end() || !firstVideo->isVideoKeyframe()) {
		std::fprintf(stderr, "goaway-drive: the FLV needs video starting with a keyframe\n");
		return 2;
	}
	// One loop lasts until one frame interval after its last video frame; audio past that is cut
	// so the next loop's timestamps continue without overlap.
	const int64_t interval = (lastVideoTs - firstVideoTs) / int64_t(videoTags - 1);
	const int64_t loopMs = lastVideoTs - firstVideoTs + interval;
	uint64_t mediaBytes = 0;
	for (const auto &t : media)
		mediaBytes += t.data.size();
	const auto bitrateKbps = uint32_t(mediaBytes * 8 / uint64_t(std::max<int64_t>(1, loopMs)));

	// Sanitizer runtimes (TSan) start a helper thread with the first thread of the process: start
	// and join one now so the baseline already counts it.
	pid_t helloTid = 0;
	std::thread([&helloTid] { helloTid = ::gettid(); }).join();
	waitUnlisted(helloTid);
	const json before = processFigures(countThreads());
	json figures;
	json out;
	uint64_t videoPushed = 0, audioPushed = 0, dropped = 0;
	{
		output::PacketQueue queue;
		DriveHost host(headers);
		output::StreamDriver driver(makeConfig(o, bitrateKbps), host, queue);
		driver.start();
		if (!host.waitStarted(std::chrono::seconds(30))) {
			driver.join();
			out = host.result();
		} else {
			figures["started"] = processFigures(countThreads());
			const auto start = Clock::now();
			const int64_t endMs = int64_t(o.seconds * 1000);
			auto nextHandoff = o.handoffEvery > 0
						   ? start + std::chrono::milliseconds(int64_t(o.handoffEvery * 1000))
						   : Clock::time_point::max();
			int64_t lastSysUsec = 0;
			bool stoppedEarly = false;
			for (int64_t loop = 0; !stoppedEarly; ++loop) {
				bool done = false;
				for (const auto &t : media) {
					const int64_t dts = loop * loopMs + t.timestampMs;
					if (t.timestampMs >= loopMs)
						continue;
					if (dts >= endMs) {
						done = true;
						break;
					}
					// Real-time pacing, as an encoder produces packets (not synchronisation).
					std::this_thread::sleep_until(start + std::chrono::milliseconds(dts));
					if (host.ended()) {
						stoppedEarly = true;
						break;
					}
					if (o.stopDuringHandoff && host.inHandoff()) {
						driver.requestStop(0); // stop at once, in the middle of the handoff
						stoppedEarly = true;
						break;
					}
					if (Clock::now() >= nextHandoff) {
						driver.requestHandoff();
						nextHandoff +=
							std::chrono::milliseconds(int64_t(o.handoffEvery * 1000));
					}
					output::QueuedPacket q;
					q.isVideo = t.isVideo();
					q.keyframe = t.isVideoKeyframe();
					q.priority = q.keyframe ? output::PacketPriority::Highest
								: output::PacketPriority::High;
					q.dtsMs = dts;
					q.dtsUsec = dts * 1000;
					q.sysDtsUsec = std::chrono::duration_cast<std::chrono::microseconds>(
							       Clock::now().time_since_epoch())
							       .count();
					lastSysUsec = q.sysDtsUsec;
					q.data = std::make_shared<const std::vector<uint8_t>>(t.data);
					if (queue.push(std::move(q)))
						(q.isVideo ? videoPushed : audioPushed)++;
				}
				if (done)
					break;
			}
			figures["end"] = processFigures(countThreads());
			if (!stoppedEarly)
				driver.requestStop(lastSysUsec + 1); // send everything pushed, then stop
			driver.join();
			dropped = queue.droppedFrames();
			const output::PacketCounts afterStop = queue.afterStop();
			out = host.result();
			out["afterStop"] = {{"video", afterStop.video}, {"audio", afterStop.audio}};
			out["stoppedEarly"] = stoppedEarly;
			out["snapshot"] = output::snapshotToJson(driver.snapshot());
		}
	}
	figures["before"] = before;
	figures["warm"] = out["warm"];
	out.erase("warm");
	figures["after"] = processFigures(settledThreadCount(before["threads"].get<long>()));
	out["figures"] = figures;
	out["videoPacketsPushed"] = videoPushed;
	out["audioPacketsPushed"] = audioPushed;
	out["droppedFrames"] = dropped;
	const std::string text = out.dump(1);
	std::printf("%s\n", text.c_str());
	if (!o.jsonPath.empty())
		std::ofstream(o.jsonPath) << text << "\n";
	return out["started"].get<bool>() ? 0 : 1;
}
