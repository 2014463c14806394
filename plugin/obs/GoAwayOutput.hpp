#pragma once
// rtmp_goaway_output: the libobs output type. Adapts libobs (encoder packets, start/stop,
// statistics, signals and proc handlers) to the OBS-free StreamDriver.

#include "plugin/output/PacketQueue.hpp"
#include "plugin/output/StreamDriver.hpp"
#include "plugin/flv/FlvMuxer.hpp"

#include <obs-module.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace goaway::obs {

/** Registers the rtmp_goaway_output type with libobs (once, from obs_module_load). */
void registerGoAwayOutput();

class GoAwayOutput final : public output::DriverHost {
public:
	GoAwayOutput(obs_data_t *settings, obs_output_t *output);
	~GoAwayOutput() override;

	bool start();
	void stop(uint64_t ts);
	void onEncodedPacket(encoder_packet *packet);

	uint64_t totalBytes() const;
	int droppedFrames() const;
	float congestion() const;
	int connectTimeMs() const;

	nlohmann::json handoffsJson() const;
	nlohmann::json stateJson() const;
	nlohmann::json statsJson() const;
	bool requestHandoff();

	// DriverHost (send thread)
	output::StreamHeaders streamHeaders() override;
	void onStreamStarted() override;
	void onStartFailed(const Error &error) override;
	void onStateChanged(handoff::State state) override;
	void onHandoffRecord(const handoff::HandoffRecord &record) override;
	void onFallBack(const std::string &reason) override;
	void onStopped() override;

private:
	void registerSignalsAndProcs();
	void emitSignal(const char *name, const std::string &json);
	void finishPreviousRun();

	obs_output_t *output_;
	output::PacketQueue queue_;
	flv::FlvMuxer muxer_;

	mutable std::mutex lifecycleMutex_; // start / stop / destroy / proc calls vs the driver pointer
	std::unique_ptr<output::StreamDriver> driver_;
	uint64_t bytesOfEarlierRuns_ = 0;

	mutable std::mutex recordsMutex_;
	std::vector<nlohmann::json> records_;
	handoff::State state_ = handoff::State::Idle;
	std::string lastError_;
	bool fellBack_ = false; // the last run ended in libobs' reconnect: the next start continues it
	handoff::TimePoint startedAt_{};

	// Encoder thread.
	bool haveFirstDts_ = false;
	int64_t firstDtsUsec_ = 0;
	std::atomic<uint64_t> videoPackets_{0};
	std::atomic<uint64_t> audioPackets_{0};
};

} // namespace goaway::obs
