// The dock's entry: registers itself with the module entry (plugin/obs/FrontendExtension) and,
// when OBS loads the module, creates the controller and the dock view; removes them in reverse at
// OBS exit and unload. Qt thread only.

#include "DockPlacement.hpp"
#include "GoAwayDock.hpp"
#include "OutputController.hpp"

#include "plugin/common/Boundary.hpp"
#include "plugin/obs/FrontendExtension.hpp"
#include "plugin/obs/PluginInfo.hpp"

#include <obs-frontend-api.h>
#include <obs-module.h>

#include <QMainWindow>
#include <QMetaObject>
#include <QPointer>

namespace goaway::ui {

namespace {

/** What load created, so unload can undo exactly that, in reverse. */
struct DockState {
	OutputController *controller = nullptr; // owned here; the dock only views its models
	bool dockAdded = false;
	QPointer<QWidget> dock; // owned by the frontend once added
};

DockState state;

void removeDock()
{
	if (!state.dockAdded)
		return;
	// The frontend owns and deletes the widget it wraps.
	obs_frontend_remove_dock(obs::kDockId);
	state.dockAdded = false;
	blog(LOG_INFO, "[obs-rtmp-goaway] [DockModule] dock removed");
}

/** obs-websocket's StartStream / StopStream: queued to the controller's (Qt) thread. */
bool invokeOnController(QPointer<OutputController> controller, const char *method)
{
	if (!controller)
		return false;
	return QMetaObject::invokeMethod(controller.data(), method, Qt::QueuedConnection);
}

obs::StreamControls load(const obs::FrontendServices &services)
{
	auto *mainWindow = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	if (!mainWindow) {
		// Headless libobs programs (goaway-stream) load the module without a frontend.
		blog(LOG_INFO, "[obs-rtmp-goaway] [DockModule] no OBS main window: dock not added");
		return {};
	}
	state.controller = new OutputController();
	state.controller->setHandoffListener([emitHandoff = services.emitHandoff](const std::string &json) noexcept {
		goaway::guarded("DockModule::handoffListener", [&] {
			if (emitHandoff)
				emitHandoff(json);
		});
	});
	// OBS's main window announces a main stream before it creates its output (OBS 30-32); that is
	// where the streamer's service gets its stand-in, and it is put back when the stream ended.
	const bool hooked = QObject::connect(mainWindow, SIGNAL(StreamingPreparing()), state.controller,
					     SLOT(onStreamingPreparing()), Qt::DirectConnection);
	QObject::connect(mainWindow, SIGNAL(StreamingStopped()), state.controller, SLOT(onMainStreamEnded()));
	if (!hooked)
		blog(LOG_WARNING, "[obs-rtmp-goaway] [DockModule] no StreamingPreparing signal in this OBS: "
				  "the main Start Streaming stays OBS's own");
	state.controller->setMainStreamHooked(hooked);
	QPointer<OutputController> controller(state.controller);
	obs::StreamControls controls{[controller] { return invokeOnController(controller, "start"); },
				     [controller] { return invokeOnController(controller, "stop"); }};
	auto *dock = new GoAwayDock(state.controller->statusModel(), state.controller->handoffModel(), mainWindow);
	QObject::connect(dock, &GoAwayDock::startStopRequested, state.controller, &OutputController::toggle);
	QObject::connect(dock, &GoAwayDock::handOffRequested, state.controller, &OutputController::handOffNow);
	QObject::connect(dock, &GoAwayDock::settingsRequested, state.controller, &OutputController::openSettings);
	if (!obs_frontend_add_dock_by_id(obs::kDockId, obs_module_text("Dock.Title"), dock)) {
		blog(LOG_WARNING, "[obs-rtmp-goaway] [DockModule] dock id %s already taken: dock not added",
		     obs::kDockId);
		delete dock;
		return controls;
	}
	state.dockAdded = true;
	state.dock = dock;
	blog(LOG_INFO, "[obs-rtmp-goaway] [DockModule] dock %s added", obs::kDockId);
	return controls;
}

void frontendEvent(obs_frontend_event event)
{
	switch (event) {
	case OBS_FRONTEND_EVENT_FINISHED_LOADING:
		// OBS adds plugin docks hidden; show ours once, on the first start after install.
		if (state.dockAdded)
			showDockOnFirstRun(state.dock);
		break;
	case OBS_FRONTEND_EVENT_EXIT:
		// The main window still exists here, not at unload.
		if (state.controller)
			state.controller->onFrontendEvent(event); // stops and releases the output
		removeDock();
		return;
	default:
		break;
	}
	if (state.controller)
		state.controller->onFrontendEvent(event);
}

void unload()
{
	removeDock();
	delete state.controller; // shuts the output down if EXIT did not
	state.controller = nullptr;
}

// Runs when the module is loaded, before obs_module_load: only stores three pointers.
[[maybe_unused]] const bool registered = (obs::registerFrontendExtension({&load, &frontendEvent, &unload}), true);

} // namespace

} // namespace goaway::ui
