// Module entry: registers the output, the dock's controller and view, the frontend callback and
// (after all modules loaded) the obs-websocket vendor; removes them in reverse order at OBS exit
// and unload (the only module entry file; obs-websocket does the same).

#include "DockPlacement.hpp"
#include "GoAwayOutput.hpp"
#include "GoAwayService.hpp"
#include "ObsLogSink.hpp"
#include "OutputController.hpp"
#include "PluginInfo.hpp"
#include "WebsocketVendor.hpp"
#include "plugin/common/Boundary.hpp"
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
	goaway::obs::OutputController *controller = nullptr; // owned here; the dock only views its models
	goaway::obs::WebsocketVendor vendor;
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

void handleFrontendEvent(enum obs_frontend_event event)
{
	switch (event) {
	case OBS_FRONTEND_EVENT_FINISHED_LOADING:
		// OBS adds plugin docks hidden; show ours once, on the first start after install.
		if (state.dockAdded)
			goaway::obs::showDockOnFirstRun(state.dock);
		break;
	case OBS_FRONTEND_EVENT_EXIT:
		// obs-websocket and the main window still exist here, not at unload: undo in reverse.
		state.vendor.unregisterVendor();
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

void onFrontendEvent(enum obs_frontend_event event, void *) noexcept
{
	goaway::guarded("PluginModule::onFrontendEvent", [&] { handleFrontendEvent(event); });
}

void addDock()
{
	auto *mainWindow = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	if (!mainWindow) {
		// Headless libobs programs (goaway-stream) load the module without a frontend.
		blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] no OBS main window: dock not added");
		return;
	}
	state.controller = new goaway::obs::OutputController();
	state.controller->setHandoffListener([](const std::string &json) noexcept {
		goaway::guarded("PluginModule::handoffListener", [&] { state.vendor.emitHandoff(json); });
	});
	auto *dock = new goaway::ui::GoAwayDock(state.controller->statusModel(), state.controller->handoffModel(),
						mainWindow);
	QObject::connect(dock, &goaway::ui::GoAwayDock::startStopRequested, state.controller,
			 &goaway::obs::OutputController::toggle);
	QObject::connect(dock, &goaway::ui::GoAwayDock::handOffRequested, state.controller,
			 &goaway::obs::OutputController::handOffNow);
	QObject::connect(dock, &goaway::ui::GoAwayDock::settingsRequested, state.controller,
			 &goaway::obs::OutputController::openSettings);
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

void deleteController()
{
	delete state.controller; // shuts the output down if EXIT did not
	state.controller = nullptr;
}

void loadModule();
void unloadModule();

} // namespace

bool obs_module_load(void)
{
	return goaway::guarded("PluginModule::load", false, [] {
		loadModule();
		return true;
	});
}

void obs_module_post_load(void)
{
	// obs-websocket registers its proc handler in its own load: only now can we find it.
	goaway::guarded("PluginModule::postLoad", [] {
		if (state.controller)
			state.vendor.registerVendor(state.controller);
	});
}

void obs_module_unload(void)
{
	goaway::guarded("PluginModule::unload", [] { unloadModule(); });
	goaway::obs::removeObsLogSink();
}

namespace {

void loadModule()
{
	goaway::obs::installObsLogSink();
	goaway::obs::registerGoAwayOutput();
	goaway::obs::registerGoAwayService();
	blog(LOG_INFO,
	     "[obs-rtmp-goaway] [PluginModule] version %s loaded (built against libobs %s); output %s registered, service %s registered",
	     goaway::obs::kPluginVersion, goaway::obs::kBuiltAgainstObs, goaway::obs::kOutputId,
	     goaway::obs::kServiceId);
	addDock();
	obs_frontend_add_event_callback(onFrontendEvent, nullptr);
	state.frontendCallbackAdded = true;
}

void unloadModule()
{
	if (state.frontendCallbackAdded) {
		obs_frontend_remove_event_callback(onFrontendEvent, nullptr);
		state.frontendCallbackAdded = false;
	}
	state.vendor.unregisterVendor();
	removeDock();
	deleteController();
	// libobs has no way to unregister an output type; it frees its info with the module.
	blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] unloaded");
}

} // namespace
