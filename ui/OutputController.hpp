#pragma once
// Glue between the dock and libobs: creates and owns the dock's rtmp_goaway_output (with an
// rtmp_custom service and its own or the main stream's encoders), feeds the ui models from the
// output's signals and statistics, and applies the per-profile settings. Qt thread only, except
// the signal trampolines, which only post queued calls.

#include "DockSettings.hpp"

#include "plugin/obs/MainStreamRoute.hpp"

#include <obs-frontend-api.h>
#include <obs.hpp>

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>
#include <string>
#include <vector>

class QWidget;

namespace goaway::ui {

class HandoffTableModel;
class OutputStatusModel;

/** Owns the dock's output and the models the dock views. */
class OutputController : public QObject {
	Q_OBJECT

public:
	explicit OutputController(QObject *parent = nullptr);
	~OutputController() override;

	OutputStatusModel *statusModel() const { return status_; }
	HandoffTableModel *handoffModel() const { return handoffs_; }
	const DockSettings &settings() const { return settings_; }

	/** Saves `settings` in the current profile; they apply at the next start. */
	void setSettings(const DockSettings &settings);
	/** Called on the Qt thread for every frontend event. */
	void onFrontendEvent(obs_frontend_event event);
	/** Called (Qt thread) with each handoff record's JSON: the websocket vendor event. */
	void setHandoffListener(std::function<void(const std::string &)> listener);
	/** Stops the output and releases everything libobs gave us (OBS exit). Idempotent. */
	void shutdown();
	bool isActive() const;
	/** Whether the main window's "streaming preparing" moment is connected to
	 *  onStreamingPreparing (DockModule): without it the main stream stays OBS's own. */
	void setMainStreamHooked(bool hooked);

public slots: // each catches everything: a Qt slot is a boundary (plugin/common/Boundary.hpp)
	void start() noexcept;
	void stop() noexcept;
	void toggle() noexcept;
	bool handOffNow() noexcept;
	void openSettings() noexcept;

	// Queued from the output's signal trampolines (OBS threads).
	void onHandoffJson(const QString &json) noexcept;
	void onStateJson(const QString &json) noexcept;
	void onOutputStarted() noexcept;
	void onOutputStopped(int code, const QString &error) noexcept;

	// OBS's main window, directly (Qt thread): before it sets the main stream up, after it ended.
	void onStreamingPreparing() noexcept;
	void onMainStreamEnded() noexcept;

private:
	bool ensureOutput();
	void releaseOutput();
	bool attachEncoders();
	void applyOutputSettings();
	void poll() noexcept;
	void reloadProfile();
	QString startProblem() const;
	obs_data_t *outputSettingsData() const; // new reference
	void refreshMainStreamRoute();
	void showMainStreamRoute();
	void applySettingsToMainOutput();

	struct Relay; // what the signal trampolines get as their param
	std::unique_ptr<Relay> relay_;
	OutputStatusModel *status_ = nullptr;   // child QObject
	HandoffTableModel *handoffs_ = nullptr; // child QObject
	DockSettings settings_;
	OBSOutputAutoRelease output_;
	OBSServiceAutoRelease service_;
	OBSEncoderAutoRelease ownVideo_;
	OBSEncoderAutoRelease ownAudio_;
	std::vector<OBSSignal> signals_;
	QTimer pollTimer_;
	QElapsedTimer clock_;
	bool startedWithMain_ = false;
	obs::MainStreamRouter router_;
	obs::MainStreamRoute mainRoute_;
	bool mainHooked_ = false;
	QTimer routeTimer_; // Settings → Stream has no event: the dock's line follows it by polling
	std::function<void(const std::string &)> handoffListener_;
};

} // namespace goaway::ui
