// Module entry: registers the output, the dock and the frontend callback on load, and removes
// them in reverse order on unload (the only module entry file; obs-websocket does the same).

#include "GoAwayOutput.hpp"
#include "ObsLogSink.hpp"
#include "PluginInfo.hpp"
#include "DockPlacement.hpp"
#include "ui/GoAwayDock.hpp"

#include <obs-frontend-api.h>
#include <obs-module.h>

#include <QMainWindow>
#include <QPointer>

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE("obs-rtmp-goaway", "en-US")

MODULE_EXPORT const char *obs_module_description(void)
{
	return obs_module_text("Module.Description");
}

MODULE_EXPORT const char *obs_module_name(void)
{
	return goaway::obs::kPluginName;
}

namespace {

/** What load registered, so unload can undo exactly that, in reverse. */
struct ModuleState {
	bool dockAdded = false;
	QPointer<QWidget> dock; // owned by the frontend once added
	bool frontendCallbackAdded = false;
};

ModuleState state;

void removeDock()
{
	if (!state.dockAdded)
		return;
	// The frontend owns and deletes the widget it wraps.
	obs_frontend_remove_dock(goaway::obs::kDockId);
	state.dockAdded = false;
	blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] dock removed");
}

void onFrontendEvent(enum obs_frontend_event event, void *)
{
	switch (event) {
	case OBS_FRONTEND_EVENT_FINISHED_LOADING:
		// OBS adds plugin docks hidden; show ours once, on the first start after install.
		if (state.dockAdded)
			goaway::obs::showDockOnFirstRun(state.dock);
		break;
	case OBS_FRONTEND_EVENT_EXIT:
		// The main window is torn down after EXIT: drop our dock while it still exists.
		removeDock();
		break;
	default:
		break;
	}
}

void addDock()
{
	auto *mainWindow = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	if (!mainWindow) {
		// Headless libobs programs (goaway-stream) load the module without a frontend.
		blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] no OBS main window: dock not added");
		return;
	}
	auto *dock = new goaway::ui::GoAwayDock(mainWindow);
	if (!obs_frontend_add_dock_by_id(goaway::obs::kDockId, obs_module_text("Dock.Title"), dock)) {
		blog(LOG_WARNING, "[obs-rtmp-goaway] [PluginModule] dock id %s already taken: dock not added",
		     goaway::obs::kDockId);
		delete dock;
		return;
	}
	state.dockAdded = true;
	state.dock = dock;
	blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] dock %s added", goaway::obs::kDockId);
}

} // namespace

bool obs_module_load(void)
{
	goaway::obs::installObsLogSink();
	goaway::obs::registerGoAwayOutput();
	blog(LOG_INFO,
	     "[obs-rtmp-goaway] [PluginModule] version %s loaded (built against libobs %s); output %s registered",
	     goaway::obs::kPluginVersion, goaway::obs::kBuiltAgainstObs, goaway::obs::kOutputId);
	addDock();
	obs_frontend_add_event_callback(onFrontendEvent, nullptr);
	state.frontendCallbackAdded = true;
	return true;
}

void obs_module_unload(void)
{
	if (state.frontendCallbackAdded) {
		obs_frontend_remove_event_callback(onFrontendEvent, nullptr);
		state.frontendCallbackAdded = false;
	}
	removeDock();
	// libobs has no way to unregister an output type; it frees its info with the module.
	blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] unloaded");
	goaway::obs::removeObsLogSink();
}
