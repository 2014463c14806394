#include "GoAwayOutput.hpp"
#include "CallData.hpp"
#include "plugin/output/HandoffJson.hpp"
#include "OutputSettings.hpp"
#include "PluginInfo.hpp"

#include "plugin/common/Boundary.hpp"
#include "plugin/common/Log.hpp"

#include <obs.hpp>

#include <algorithm>

namespace goaway::obs {

namespace {

rtmp::VideoCodec codecOf(obs_encoder_t *video)
{
	const char *codec = video ? obs_encoder_get_codec(video) : nullptr;
	if (codec && std::string_view(codec) == "hevc")
		return rtmp::VideoCodec::Hevc;
	if (codec && std::string_view(codec) == "av1")
		return rtmp::VideoCodec::Av1;
	return rtmp::VideoCodec::H264;
}

/** OBS stop codes by name for each kind of start-up failure. */
int stopCodeFor(ErrorCode code)
{
	switch (code) {
	case ErrorCode::InvalidArgument:
		return OBS_OUTPUT_BAD_PATH;
	case ErrorCode::Rejected:
		return OBS_OUTPUT_INVALID_STREAM;
	default:
		return OBS_OUTPUT_CONNECT_FAILED;
	}
}

std::span<const uint8_t> extraData(obs_encoder_t *encoder)
{
	uint8_t *data = nullptr;
	size_t size = 0;
	if (!encoder || !obs_encoder_get_extra_data(encoder, &data, &size))
		return {};
	return {data, size};
}

double encoderBitrate(obs_encoder_t *encoder)
{
	if (!encoder)
		return 0;
	OBSDataAutoRelease settings = obs_encoder_get_settings(encoder);
	return double(obs_data_get_int(settings, "bitrate"));
}

// ---- obs_output_info callbacks: thin noexcept trampolines; no exception leaves them ----------

GoAwayOutput *self(void *data)
{
	return static_cast<GoAwayOutput *>(data);
}

const char *outputName(void *) noexcept
{
	// cannot throw: a C call
	return obs_module_text("Output.Name");
}

void *outputCreate(obs_data_t *settings, obs_output_t *output) noexcept
{
	// nullptr tells libobs the output could not be created.
	return guarded("GoAwayOutput::create", static_cast<void *>(nullptr),
		       [&]() -> void * { return new GoAwayOutput(settings, output); });
}

void outputDestroy(void *data) noexcept
{
	guarded("GoAwayOutput::destroy", [&] { delete self(data); });
}

bool outputStart(void *data) noexcept
{
	return guarded("GoAwayOutput::start", false, [&] { return self(data)->start(); });
}

void outputStop(void *data, uint64_t ts) noexcept
{
	guarded("GoAwayOutput::stop", [&] { self(data)->stop(ts); });
}

void outputPacket(void *data, encoder_packet *packet) noexcept
{
	guarded("GoAwayOutput::encodedPacket", [&] { self(data)->onEncodedPacket(packet); });
}

uint64_t outputTotalBytes(void *data) noexcept
{
	return guarded("GoAwayOutput::totalBytes", uint64_t(0), [&] { return self(data)->totalBytes(); });
}

int outputDroppedFrames(void *data) noexcept
{
	return guarded("GoAwayOutput::droppedFrames", 0, [&] { return self(data)->droppedFrames(); });
}

float outputCongestion(void *data) noexcept
{
	return guarded("GoAwayOutput::congestion", 0.0f, [&] { return self(data)->congestion(); });
}

int outputConnectTime(void *data) noexcept
{
	return guarded("GoAwayOutput::connectTime", 0, [&] { return self(data)->connectTimeMs(); });
}

void outputGetDefaults(obs_data_t *settings) noexcept
{
	guarded("GoAwayOutput::defaults", [&] { outputDefaults(settings); });
}

obs_properties_t *outputGetProperties(void *) noexcept
{
	return guarded("GoAwayOutput::properties", static_cast<obs_properties_t *>(nullptr),
		       [] { return outputProperties(); });
}

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
	info.encoded_packet = outputPacket;
	info.get_total_bytes = outputTotalBytes;
	info.get_dropped_frames = outputDroppedFrames;
	info.get_congestion = outputCongestion;
	info.get_connect_time_ms = outputConnectTime;
	info.get_defaults = outputGetDefaults;
	info.get_properties = outputGetProperties;
	obs_register_output(&info);
}

GoAwayOutput::GoAwayOutput(obs_data_t *, obs_output_t *output) : output_(output)
{
	registerSignalsAndProcs();
}

GoAwayOutput::~GoAwayOutput()
{
	std::lock_guard lock(lifecycleMutex_);
	if (driver_) {
		driver_->requestStop(0);
		driver_->join();
		driver_.reset();
	}
}

void GoAwayOutput::registerSignalsAndProcs()
{
	signal_handler_t *sh = obs_output_get_signal_handler(output_);
	signal_handler_add(sh, "void handoff(ptr output, string json)");
	signal_handler_add(sh, "void handoff_state(ptr output, string json)");

	proc_handler_t *ph = obs_output_get_proc_handler(output_);
	proc_handler_add(
		ph, "void get_handoffs(out string json)",
		[](void *data, calldata_t *cd) noexcept {
			guarded("GoAwayOutput::get_handoffs", [&] {
				calldata_set_string(cd, "json", output::jsonText(self(data)->handoffsJson()).c_str());
			});
		},
		this);
	proc_handler_add(
		ph, "void get_state(out string json)",
		[](void *data, calldata_t *cd) noexcept {
			guarded("GoAwayOutput::get_state", [&] {
				calldata_set_string(cd, "json", output::jsonText(self(data)->stateJson()).c_str());
			});
		},
		this);
	proc_handler_add(
		ph, "void get_stats(out string json)",
		[](void *data, calldata_t *cd) noexcept {
			guarded("GoAwayOutput::get_stats", [&] {
				calldata_set_string(cd, "json", output::jsonText(self(data)->statsJson()).c_str());
			});
		},
		this);
	proc_handler_add(
		ph, "void request_handoff(out bool ok)",
		[](void *data, calldata_t *cd) noexcept {
			calldata_set_bool(cd, "ok", guarded("GoAwayOutput::request_handoff", false, [&] {
						  return self(data)->requestHandoff();
					  }));
		},
		this);
}

void GoAwayOutput::emitSignal(const char *name, const std::string &json)
{
	CallData cd;
	calldata_set_ptr(cd.get(), "output", output_);
	calldata_set_string(cd.get(), "json", json.c_str());
	signal_handler_signal(obs_output_get_signal_handler(output_), name, cd.get());
}

void GoAwayOutput::finishPreviousRun()
{
	// libobs' reconnect calls start() again after a fall-back: the old send thread has ended.
	if (!driver_)
		return;
	driver_->join();
	bytesOfEarlierRuns_ += driver_->snapshot().bytesSent;
	driver_.reset();
}

bool GoAwayOutput::start()
{
	std::lock_guard lock(lifecycleMutex_);
	finishPreviousRun();
	if (!obs_output_can_begin_data_capture(output_, 0))
		return false;
	if (!obs_output_initialize_encoders(output_, 0))
		return false;

	obs_encoder_t *video = obs_output_get_video_encoder(output_);
	OBSDataAutoRelease settings = obs_output_get_settings(output_);
	auto config = makeDriverConfig(settings, obs_output_get_service(output_), codecOf(video), video == nullptr);
	if (!config) {
		GOAWAY_LOG_ERROR("GoAwayOutput::start", "%s", config.error().message.c_str());
		obs_output_set_last_error(output_, config.error().message.c_str());
		return false;
	}
	// Acknowledgements several times a second at the stream's own bitrate (issue 16), and no more
	// than a fraction of a second of it left unsent in the OS (congestion reaches the drop policy).
	const auto bitrateKbps =
		uint32_t(encoderBitrate(video) + encoderBitrate(obs_output_get_audio_encoder(output_, 0)));
	config->session.ackWindowBytes = rtmp::ackWindowForBitrate(bitrateKbps);
	config->session.unsentLimitBytes = rtmp::unsentLimitForBitrate(bitrateKbps);
	muxer_ = flv::FlvMuxer(codecOf(video));
	queue_.reset(queueThresholds(settings));
	haveFirstDts_ = false;
	{
		// A start by the user begins a new timeline; libobs' reconnect after a fall-back
		// continues the old one, so its records stay.
		std::lock_guard records(recordsMutex_);
		if (!fellBack_) {
			records_.clear();
			startedAt_ = handoff::Clock::now();
		}
		fellBack_ = false;
		lastError_.clear();
	}
	GOAWAY_LOG_INFO("GoAwayOutput::start", "starting (%s, %s)",
			config->handoff.mode == handoff::HandoffMode::MakeBeforeBreak ? "make-before-break"
										      : "break-before-make",
			rtmp::fourCc(codecOf(video)).data());
	driver_ = std::make_unique<output::StreamDriver>(std::move(*config), *this, queue_);
	driver_->start();
	return true;
}

void GoAwayOutput::stop(uint64_t ts)
{
	std::lock_guard lock(lifecycleMutex_);
	if (driver_)
		driver_->requestStop(int64_t(ts / 1000)); // ns -> µs, compared with sys_dts_usec
	else
		obs_output_end_data_capture(output_);
}

void GoAwayOutput::onEncodedPacket(encoder_packet *packet)
{
	if (!packet) {
		// libobs passes NULL when the encoder failed.
		obs_output_signal_stop(output_, OBS_OUTPUT_ENCODE_ERROR);
		return;
	}
	if (!haveFirstDts_) {
		firstDtsUsec_ = packet->dts_usec;
		haveFirstDts_ = true;
	}
	output::QueuedPacket q;
	q.isVideo = packet->type == OBS_ENCODER_VIDEO;
	q.keyframe = packet->keyframe;
	q.priority = output::PacketPriority(std::clamp(packet->priority, 0, 3));
	q.dtsUsec = packet->dts_usec;
	q.sysDtsUsec = packet->sys_dts_usec;
	q.dtsMs = (packet->dts_usec - firstDtsUsec_) / 1000;
	q.ctsMs = int32_t((packet->pts - packet->dts) * 1000 * packet->timebase_num / packet->timebase_den);
	q.track = packet->track_idx;
	flv::EncoderPacket in{std::span<const uint8_t>(packet->data, packet->size), q.dtsMs + q.ctsMs, q.dtsMs,
			      packet->keyframe};
	auto message = q.isVideo ? muxer_.videoFrame(in) : flv::FlvMuxer::audioFrame(in);
	q.data = std::make_shared<const std::vector<uint8_t>>(std::move(message.payload));
	(q.isVideo ? videoPackets_ : audioPackets_)++;
	queue_.push(std::move(q));
}

uint64_t GoAwayOutput::totalBytes() const
{
	std::lock_guard lock(lifecycleMutex_);
	return bytesOfEarlierRuns_ + (driver_ ? driver_->snapshot().bytesSent : 0);
}

int GoAwayOutput::droppedFrames() const
{
	return int(queue_.droppedFrames());
}

float GoAwayOutput::congestion() const
{
	return queue_.congestion();
}

int GoAwayOutput::connectTimeMs() const
{
	std::lock_guard lock(lifecycleMutex_);
	return driver_ ? driver_->snapshot().connectTimeMs : 0;
}

bool GoAwayOutput::requestHandoff()
{
	std::lock_guard lock(lifecycleMutex_);
	if (!driver_)
		return false;
	driver_->requestHandoff();
	return true;
}

nlohmann::json GoAwayOutput::handoffsJson() const
{
	std::lock_guard lock(recordsMutex_);
	return records_;
}

nlohmann::json GoAwayOutput::stateJson() const
{
	output::DriverSnapshot snapshot;
	bool running = false;
	{
		std::lock_guard lock(lifecycleMutex_);
		if (driver_) {
			snapshot = driver_->snapshot();
			running = true;
		}
	}
	if (!running) { // what the next stream will announce, from the settings as they are now
		OBSDataAutoRelease settings = obs_output_get_settings(output_);
		snapshot.announcedGoAway = obs_data_get_bool(settings, setting::kAnnounceGoAway);
		snapshot.announcedCapsEx = rtmp::SessionOptions{}.capsEx;
	}
	nlohmann::json j = output::snapshotToJson(snapshot);
	std::lock_guard lock(recordsMutex_);
	j["state"] = output::stateSlug(state_);
	j["lastError"] = lastError_;
	j["uptimeMs"] = state_ == handoff::State::Idle ? 0 : handoff::msBetween(startedAt_, handoff::Clock::now());
	return j;
}

nlohmann::json GoAwayOutput::statsJson() const
{
	nlohmann::json j = stateJson();
	j["videoPacketsEncoded"] = videoPackets_.load();
	j["audioPacketsEncoded"] = audioPackets_.load();
	// Encoded past the stop point (OBS stop(ts)): counted above, never sent, by design.
	const output::PacketCounts afterStop = queue_.afterStop();
	j["videoPacketsAfterStop"] = afterStop.video;
	j["audioPacketsAfterStop"] = afterStop.audio;
	j["droppedFrames"] = queue_.droppedFrames();
	j["congestion"] = queue_.congestion();
	j["totalBytes"] = totalBytes();
	return j;
}

output::StreamHeaders GoAwayOutput::streamHeaders()
{
	output::StreamHeaders h;
	obs_encoder_t *video = obs_output_get_video_encoder(output_);
	obs_encoder_t *audio = obs_output_get_audio_encoder(output_, 0);
	flv::StreamMetadata meta;
	meta.hasVideo = video != nullptr;
	meta.videoCodec = codecOf(video);
	if (video) {
		meta.width = obs_encoder_get_width(video);
		meta.height = obs_encoder_get_height(video);
		meta.frameRate = video_output_get_frame_rate(obs_encoder_video(video));
		meta.videoBitrateKbps = encoderBitrate(video);
		if (auto header = muxer_.videoSequenceHeader(extraData(video)))
			h.videoHeader = std::move(header->payload);
		else
			GOAWAY_LOG_ERROR("GoAwayOutput::streamHeaders", "no usable video sequence header: %s",
					 header.error().message.c_str());
	}
	meta.hasAudio = audio != nullptr;
	if (audio) {
		meta.audioSampleRate = obs_encoder_get_sample_rate(audio);
		meta.audioChannels = uint32_t(audio_output_get_channels(obs_encoder_audio(audio)));
		meta.audioBitrateKbps = encoderBitrate(audio);
		h.audioHeader = flv::FlvMuxer::audioSequenceHeader(extraData(audio)).payload;
	}
	meta.encoder = std::string("obs-rtmp-goaway ") + kPluginVersion;
	h.metadata = flv::FlvMuxer::metadata(meta).payload;
	return h;
}

void GoAwayOutput::onStreamStarted()
{
	obs_output_begin_data_capture(output_, 0);
}

void GoAwayOutput::onStartFailed(const Error &error)
{
	{
		std::lock_guard lock(recordsMutex_);
		lastError_ = error.message;
	}
	obs_output_set_last_error(output_, error.message.c_str());
	obs_output_signal_stop(output_, stopCodeFor(error.code));
}

void GoAwayOutput::onStateChanged(handoff::State state)
{
	{
		std::lock_guard lock(recordsMutex_);
		state_ = state;
	}
	emitSignal("handoff_state", output::jsonText(nlohmann::json{{"state", output::stateSlug(state)}}));
}

void GoAwayOutput::onHandoffRecord(const handoff::HandoffRecord &record)
{
	nlohmann::json j;
	{
		std::lock_guard lock(recordsMutex_);
		j = output::handoffRecordToJson(record, startedAt_);
		records_.push_back(j);
	}
	emitSignal("handoff", output::jsonText(j));
}

void GoAwayOutput::onFallBack(const std::string &reason)
{
	{
		std::lock_guard lock(recordsMutex_);
		lastError_ = reason;
		fellBack_ = true;
	}
	obs_output_set_last_error(output_, reason.c_str());
	// libobs' own reconnect (with its back-off) is the last resort.
	obs_output_signal_stop(output_, OBS_OUTPUT_DISCONNECTED);
}

void GoAwayOutput::onStopped()
{
	{
		std::lock_guard lock(recordsMutex_);
		state_ = handoff::State::Idle;
	}
	obs_output_end_data_capture(output_);
}

} // namespace goaway::obs
