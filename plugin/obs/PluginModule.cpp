// Module entry: registers the output, the service, the frontend callback, the dock (through the
// FrontendExtension the ui layer registered) and, after all modules loaded, the obs-websocket
// vendor; removes them in reverse order at OBS exit and unload (the only module entry file;
// obs-websocket does the same).

#include "FrontendExtension.hpp"
#include "GoAwayOutput.hpp"
#include "GoAwayService.hpp"
#include "ObsLogSink.hpp"
#include "PluginInfo.hpp"
#include "WebsocketVendor.hpp"
#include "plugin/common/Boundary.hpp"

#include <obs-frontend-api.h>
#include <obs-module.h>

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

/// The dock's entry points (ui/DockModule), if linked in. Constant-initialised: the dock registers
/// from a static initialiser of another file, which may run before this file's own.
constinit goaway::obs::FrontendExtension registeredFrontend{};

/** What load registered, so unload can undo exactly that, in reverse. */
struct ModuleState {
	goaway::obs::StreamControls controls; // what the dock offers obs-websocket; empty without a dock
	goaway::obs::WebsocketVendor vendor;
	bool frontendLoaded = false;
	bool frontendCallbackAdded = false;
};

ModuleState state;

void handleFrontendEvent(enum obs_frontend_event event)
{
	if (event == OBS_FRONTEND_EVENT_EXIT) {
		// obs-websocket and the main window still exist here, not at unload: undo in reverse.
		state.vendor.unregisterVendor();
	}
	if (state.frontendLoaded && registeredFrontend.frontendEvent)
		registeredFrontend.frontendEvent(event);
}

void onFrontendEvent(enum obs_frontend_event event, void *) noexcept
{
	goaway::guarded("PluginModule::onFrontendEvent", [&] { handleFrontendEvent(event); });
}

void loadFrontend()
{
	if (!registeredFrontend.load) {
		blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] no dock in this build");
		return;
	}
	goaway::obs::FrontendServices services;
	services.emitHandoff = [](const std::string &json) { state.vendor.emitHandoff(json); };
	state.frontendLoaded = true;
	state.controls = registeredFrontend.load(services);
}

void unloadFrontend()
{
	if (state.frontendLoaded && registeredFrontend.unload)
		registeredFrontend.unload();
	state.frontendLoaded = false;
	state.controls = {};
}

void loadModule();
void unloadModule();

} // namespace

namespace goaway::obs {

void registerFrontendExtension(const FrontendExtension &extension) noexcept
{
	registeredFrontend = extension; // cannot throw: three function pointers are copied
}

} // namespace goaway::obs

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
		if (state.controls)
			state.vendor.registerVendor(state.controls);
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
	loadFrontend();
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
	unloadFrontend();
	// libobs has no way to unregister an output type; it frees its info with the module.
	blog(LOG_INFO, "[obs-rtmp-goaway] [PluginModule] unloaded");
}

} // namespace
