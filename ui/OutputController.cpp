#include "OutputController.hpp"
#include "HandoffTableModel.hpp"
#include "OutputStatusModel.hpp"
#include "ProfileSettingsStore.hpp"
#include "SettingsDialog.hpp"
#include "UiText.hpp"

#include "plugin/common/Boundary.hpp"
#include "plugin/common/Log.hpp"
#include "plugin/obs/OutputSettings.hpp"
#include "plugin/obs/PluginInfo.hpp"

#include <obs-module.h>

#include <QMainWindow>
#include <QMetaObject>

#include <string_view>

namespace goaway::ui {

namespace {

/// Statistics poll: one bitrate sample a second, like OBS's own status bar.
constexpr int kPollIntervalMs = 1000;
/// Keyframe interval of the dock's own encoder: each keyframe is a possible handoff cut point,
/// and 2 s is what the big ingests ask for.
constexpr int kOwnKeyintSec = 2;
/// Audio bitrate of the dock's own AAC encoder (OBS's default).
constexpr int kOwnAudioKbps = 160;
/// How often the dock's "Start Streaming" line re-reads the main stream's service: Settings →
/// Stream has no event, and the line reads settings only (cheap).
constexpr int kRouteRefreshMs = 2000;

std::string utf8(const QString &s)
{
	return s.toStdString();
}

QString callString(proc_handler_t *ph, const char *proc)
{
	calldata_t cd = {};
	QString out;
	if (proc_handler_call(ph, proc, &cd)) {
		const char *json = calldata_string(&cd, "json");
		out = QString::fromUtf8(json ? json : "");
	}
	calldata_free(&cd);
	return out;
}

/** The dock's line for where OBS's main Start Streaming goes. */
QString routeText(const obs::MainStreamRoute &r)
{
	using R = obs::MainStreamReason;
	switch (r.reason) {
	case R::ViaPlugin: {
		QString what = r.serviceName.empty() ? uiText("Dock.MainStream.Custom")
						     : QString::fromStdString(r.serviceName);
		if (r.autoServer)
			what = uiText("Dock.MainStream.ServiceAuto").arg(what);
		return uiText("Dock.MainStream.ViaPlugin").arg(what);
	}
	case R::SwitchedOff:
		return uiText("Dock.MainStream.Off");
	case R::NoService:
		return uiText("Dock.MainStream.NoService");
	case R::Protocol:
		return uiText("Dock.MainStream.Protocol").arg(QString::fromStdString(r.protocol));
	case R::Multitrack:
		return uiText("Dock.MainStream.Multitrack");
	case R::NoHook:
		return uiText("Dock.MainStream.NoHook");
	}
	return {};
}

} // namespace

/** The signal trampolines' param: a guarded pointer read on OBS threads; it lives as long as the
 *  signal connections (they are disconnected, waiting for running callbacks, before it dies). */
struct OutputController::Relay {
	QPointer<OutputController> target;

	static void handoff(void *param, calldata_t *cd) noexcept
	{
		post(param, "onHandoffJson", cd); // cannot throw: post() runs inside guarded()
	}
	static void state(void *param, calldata_t *cd) noexcept
	{
		post(param, "onStateJson", cd); // cannot throw: post() runs inside guarded()
	}
	static void started(void *param, calldata_t *) noexcept
	{
		goaway::guarded("OutputController::Relay::started", [&] {
			QPointer<OutputController> t = static_cast<Relay *>(param)->target;
			if (t)
				QMetaObject::invokeMethod(t.data(), "onOutputStarted", Qt::QueuedConnection);
		});
	}
	static void stopped(void *param, calldata_t *cd) noexcept
	{
		goaway::guarded("OutputController::Relay::stopped", [&] {
			QPointer<OutputController> t = static_cast<Relay *>(param)->target;
			if (!t)
				return;
			const int code = int(calldata_int(cd, "code"));
			auto *output = static_cast<obs_output_t *>(calldata_ptr(cd, "output"));
			const char *error = output ? obs_output_get_last_error(output) : nullptr;
			QMetaObject::invokeMethod(t.data(), "onOutputStopped", Qt::QueuedConnection, Q_ARG(int, code),
						  Q_ARG(QString, QString::fromUtf8(error ? error : "")));
		});
	}
	static void post(void *param, const char *method, calldata_t *cd) noexcept
	{
		goaway::guarded("OutputController::Relay::post", [&] {
			QPointer<OutputController> t = static_cast<Relay *>(param)->target;
			const char *json = calldata_string(cd, "json");
			if (t && json)
				QMetaObject::invokeMethod(t.data(), method, Qt::QueuedConnection,
							  Q_ARG(QString, QString::fromUtf8(json)));
		});
	}
};

OutputController::OutputController(QObject *parent)
	: QObject(parent),
	  relay_(std::make_unique<Relay>()),
	  status_(new OutputStatusModel(this)),
	  handoffs_(new HandoffTableModel(this))
{
	relay_->target = this;
	clock_.start();
	pollTimer_.setInterval(kPollIntervalMs);
	connect(&pollTimer_, &QTimer::timeout, this, &OutputController::poll);
	reloadProfile();
	routeTimer_.setInterval(kRouteRefreshMs);
	connect(&routeTimer_, &QTimer::timeout, this,
		[this] { goaway::guarded("OutputController::routeTimer", [&] { refreshMainStreamRoute(); }); });
	routeTimer_.start();
}

OutputController::~OutputController()
{
	shutdown();
}

void OutputController::setHandoffListener(std::function<void(const std::string &)> listener)
{
	handoffListener_ = std::move(listener);
}

bool OutputController::isActive() const
{
	return output_ && obs_output_active(output_);
}

void OutputController::reloadProfile()
{
	settings_ = loadProfileSettings();
	GOAWAY_LOG_INFO("OutputController::reloadProfile", "settings loaded (server %s, follow main stream %s)",
			settings_.server.isEmpty() ? "not set" : "set", settings_.followMainStream ? "on" : "off");
}

void OutputController::setSettings(const DockSettings &settings)
{
	settings_ = settings;
	saveProfileSettings(settings_);
}

bool OutputController::ensureOutput()
{
	if (output_)
		return true;
	OBSDataAutoRelease settings = obs_data_create();
	output_ = obs_output_create(obs::kOutputId, obs::kDockOutputName, settings, nullptr);
	if (!output_) {
		GOAWAY_LOG_ERROR("OutputController::ensureOutput", "cannot create %s", obs::kOutputId);
		return false;
	}
	signal_handler_t *sh = obs_output_get_signal_handler(output_);
	signals_.emplace_back(sh, "handoff", &Relay::handoff, relay_.get());
	signals_.emplace_back(sh, "handoff_state", &Relay::state, relay_.get());
	signals_.emplace_back(sh, "start", &Relay::started, relay_.get());
	signals_.emplace_back(sh, "stop", &Relay::stopped, relay_.get());
	return true;
}

void OutputController::releaseOutput()
{
	// Disconnect first: OBSSignal's disconnect waits for a callback that is running.
	signals_.clear();
	output_ = nullptr;
	service_ = nullptr;
	ownVideo_ = nullptr;
	ownAudio_ = nullptr;
}

obs_data_t *OutputController::outputSettingsData() const
{
	obs_data_t *s = obs_data_create();
	obs_data_set_string(s, obs::setting::kHandoffMode, utf8(settings_.handoffMode).c_str());
	obs_data_set_int(s, obs::setting::kMaxKeyframeWaitMs, settings_.maxKeyframeWaitMs);
	obs_data_set_bool(s, obs::setting::kAnnounceGoAway, settings_.announceGoAway);
	obs_data_set_string(s, obs::setting::kResolver, utf8(settings_.resolver).c_str());
	obs_data_set_string(s, obs::setting::kIngestListUrl, utf8(settings_.ingestListUrl).c_str());
	obs_data_set_string(s, obs::setting::kBackupUrls, utf8(settings_.backupUrls).c_str());
	return s;
}

void OutputController::applyOutputSettings()
{
	OBSDataAutoRelease s = outputSettingsData();
	obs_output_update(output_, s);

	OBSDataAutoRelease service = obs_data_create();
	obs_data_set_string(service, "server", utf8(settings_.server).c_str());
	obs_data_set_string(service, "key", utf8(settings_.key).c_str());
	if (!service_)
		service_ = obs_service_create("rtmp_custom", "obs-rtmp-goaway service", service, nullptr);
	else
		obs_service_update(service_, service);
	obs_output_set_service(output_, service_);
}

bool OutputController::attachEncoders()
{
	startedWithMain_ = false;
	if (settings_.followMainStream) {
		// Share the main stream's encoders (one encode, two destinations), as obs-multi-rtmp does.
		OBSOutputAutoRelease main = obs_frontend_get_streaming_output();
		obs_encoder_t *video = main ? obs_output_get_video_encoder(main) : nullptr;
		obs_encoder_t *audio = main ? obs_output_get_audio_encoder(main, 0) : nullptr;
		if (main && obs_output_active(main) && video && audio) {
			obs_output_set_video_encoder(output_, video);
			obs_output_set_audio_encoder(output_, audio, 0);
			startedWithMain_ = true;
			return true;
		}
	}
	if (!ownVideo_) {
		OBSDataAutoRelease v = obs_data_create();
		obs_data_set_string(v, "rate_control", "CBR");
		obs_data_set_int(v, "keyint_sec", kOwnKeyintSec);
		obs_data_set_string(v, "preset", "veryfast");
		ownVideo_ = obs_video_encoder_create("obs_x264", "obs-rtmp-goaway video", v, nullptr);
		OBSDataAutoRelease a = obs_data_create();
		obs_data_set_int(a, "bitrate", kOwnAudioKbps);
		ownAudio_ = obs_audio_encoder_create("ffmpeg_aac", "obs-rtmp-goaway audio", a, 0, nullptr);
		if (!ownVideo_ || !ownAudio_) {
			GOAWAY_LOG_ERROR("OutputController::attachEncoders", "cannot create the x264 / AAC encoders");
			return false;
		}
		obs_encoder_set_video(ownVideo_, obs_get_video());
		obs_encoder_set_audio(ownAudio_, obs_get_audio());
	}
	if (!obs_encoder_active(ownVideo_)) {
		OBSDataAutoRelease v = obs_data_create();
		obs_data_set_int(v, "bitrate", settings_.videoBitrateKbps);
		obs_encoder_update(ownVideo_, v);
	}
	obs_output_set_video_encoder(output_, ownVideo_);
	obs_output_set_audio_encoder(output_, ownAudio_, 0);
	return true;
}

QString OutputController::startProblem() const
{
	if (settings_.server.isEmpty())
		return uiText("Error.NoServer");
	if (settings_.key.isEmpty())
		return uiText("Error.NoKey");
	return {};
}

void OutputController::start() noexcept
{
	goaway::guarded("OutputController::start", [&] {
		if (isActive())
			return;
		if (const QString problem = startProblem(); !problem.isEmpty()) {
			status_->markStopped(true, problem);
			return;
		}
		if (!ensureOutput() || !attachEncoders()) {
			status_->markStopped(true, uiText("Error.CannotCreate"));
			return;
		}
		applyOutputSettings();
		handoffs_->clear();
		status_->markStarting(clock_.elapsed());
		GOAWAY_LOG_INFO("OutputController::start", "starting the dock's output (%s encoders)",
				startedWithMain_ ? "the main stream's" : "its own");
		if (!obs_output_start(output_)) {
			const char *error = obs_output_get_last_error(output_);
			status_->markStopped(true,
					     error && *error ? QString::fromUtf8(error) : uiText("Error.StartFailed"));
			return;
		}
		pollTimer_.start();
	});
}

void OutputController::stop() noexcept
{
	goaway::guarded("OutputController::stop", [&] {
		if (output_ && obs_output_active(output_))
			obs_output_stop(output_);
	});
}

void OutputController::toggle() noexcept
{
	goaway::guarded("OutputController::toggle", [&] {
		if (status_->active())
			stop();
		else
			start();
	});
}

bool OutputController::handOffNow() noexcept
{
	return goaway::guarded("OutputController::handOffNow", false, [&] {
		if (!output_)
			return false;
		calldata_t cd = {};
		const bool called = proc_handler_call(obs_output_get_proc_handler(output_), "request_handoff", &cd);
		const bool ok = called && calldata_bool(&cd, "ok");
		calldata_free(&cd);
		return ok;
	});
}

void OutputController::openSettings() noexcept
{
	goaway::guarded("OutputController::openSettings", [&] {
		auto *parent = static_cast<QWidget *>(obs_frontend_get_main_window());
		SettingsDialog dialog(settings_, parent, status_->resolverSources());
		if (dialog.exec() != QDialog::Accepted)
			return;
		setSettings(dialog.settings());
		refreshMainStreamRoute();
	});
}

void OutputController::poll() noexcept
{
	goaway::guarded("OutputController::poll", [&] {
		if (!output_)
			return;
		const QString stats = callString(obs_output_get_proc_handler(output_), "get_stats");
		if (!stats.isEmpty())
			status_->updateFromStats(stats.toUtf8(), clock_.elapsed());
	});
}

void OutputController::onHandoffJson(const QString &json) noexcept
{
	goaway::guarded("OutputController::onHandoffJson", [&] {
		handoffs_->addRecordJson(json.toUtf8());
		status_->addHandoffMarker(clock_.elapsed());
		if (handoffListener_)
			handoffListener_(json.toStdString());
	});
}

void OutputController::onStateJson(const QString &json) noexcept
{
	goaway::guarded("OutputController::onStateJson", [&] { status_->updateState(json.toUtf8()); });
}

void OutputController::onOutputStarted() noexcept
{
	goaway::guarded("OutputController::onOutputStarted", [&] { poll(); });
}

void OutputController::onOutputStopped(int code, const QString &error) noexcept
{
	goaway::guarded("OutputController::onOutputStopped", [&] {
		poll();
		pollTimer_.stop();
		const bool failed = code != OBS_OUTPUT_SUCCESS;
		status_->markStopped(failed, error.isEmpty() && failed ? uiText("Error.Disconnected") : error);
		GOAWAY_LOG_INFO("OutputController::onOutputStopped", "the dock's output stopped (%s)",
				failed ? "error" : "requested");
	});
}

void OutputController::setMainStreamHooked(bool hooked)
{
	mainHooked_ = hooked;
	refreshMainStreamRoute();
}

void OutputController::refreshMainStreamRoute()
{
	// While the main stream runs, its route is what prepare() decided.
	if (!obs_frontend_streaming_active())
		mainRoute_ = router_.describe(settings_.mainButtonUsesPlugin, mainHooked_);
	showMainStreamRoute();
}

void OutputController::showMainStreamRoute()
{
	status_->setMainStream(routeText(mainRoute_));
	obs::publishMainStreamRoute(mainRoute_);
}

void OutputController::onStreamingPreparing() noexcept
{
	goaway::guarded("OutputController::onStreamingPreparing", [&] {
		mainRoute_ = router_.prepare(settings_.mainButtonUsesPlugin, mainHooked_);
		showMainStreamRoute();
	});
}

void OutputController::onMainStreamEnded() noexcept
{
	goaway::guarded("OutputController::onMainStreamEnded", [&] {
		// Also reached when the start failed; a delayed stop ends later (STREAMING_STOPPED).
		if (obs_frontend_streaming_active())
			return;
		router_.restore();
		refreshMainStreamRoute();
	});
}

void OutputController::applySettingsToMainOutput()
{
	// OBS created the main output from the service (the stand-in's preferred type): give it the
	// dock's handoff and resolver settings; OBS's own (bind address, …) merge in after this.
	if (!mainRoute_.viaPlugin)
		return;
	OBSOutputAutoRelease main = obs_frontend_get_streaming_output();
	if (!main || std::string_view(obs_output_get_id(main)) != obs::kOutputId)
		return;
	OBSDataAutoRelease s = outputSettingsData();
	obs_output_update(main, s);
}

void OutputController::onFrontendEvent(obs_frontend_event event)
{
	switch (event) {
	case OBS_FRONTEND_EVENT_STREAMING_STARTING:
		applySettingsToMainOutput();
		break;
	case OBS_FRONTEND_EVENT_STREAMING_STOPPED:
		onMainStreamEnded();
		break;
	case OBS_FRONTEND_EVENT_STREAMING_STARTED:
		if (settings_.followMainStream && !isActive())
			start();
		break;
	case OBS_FRONTEND_EVENT_STREAMING_STOPPING:
		// Stop before the main output releases the encoders we share.
		if (startedWithMain_)
			stop();
		break;
	case OBS_FRONTEND_EVENT_FINISHED_LOADING:
	case OBS_FRONTEND_EVENT_PROFILE_CHANGED:
		// A running stream keeps its settings; the new profile's apply at the next start.
		reloadProfile();
		if (obs::MainStreamRouter::migrateLegacyService()) {
			// The profile had the main button on the old way: the same choice, the new way.
			settings_.mainButtonUsesPlugin = true;
			saveProfileSettings(settings_);
		}
		refreshMainStreamRoute();
		break;
	case OBS_FRONTEND_EVENT_SCENE_COLLECTION_CHANGED:
		// The output streams OBS's program output whatever the collection: nothing to rebind.
		break;
	case OBS_FRONTEND_EVENT_EXIT:
		shutdown();
		break;
	default:
		break;
	}
}

void OutputController::shutdown()
{
	pollTimer_.stop();
	routeTimer_.stop();
	router_.restore(); // OBS saves nothing at exit, but the stand-in must not outlive its module
	if (output_ && obs_output_active(output_))
		obs_output_force_stop(output_);
	releaseOutput();
	relay_->target = nullptr;
}

} // namespace goaway::ui
