#pragma once
// The seam between the module entry (plugin/obs/PluginModule) and the dock, which lives in the
// layer above (ui/DockModule): the dock registers itself here, so plugin/obs neither includes nor
// links anything of ui/, and holds no Qt type. Plain types only.

#include <obs-frontend-api.h>

#include <functional>
#include <string>

namespace goaway::obs {

/** Start/stop of the dock's output for obs-websocket's StartStream / StopStream. Called on
 *  obs-websocket threads: each only queues the work; false when there is no dock to do it. */
struct StreamControls {
	std::function<bool()> start;
	std::function<bool()> stop;

	explicit operator bool() const { return start && stop; }
};

/** What the module gives the dock at load. */
struct FrontendServices {
	/// Emits one handoff record's JSON as the obs-websocket vendor event "Handoff" (any thread).
	std::function<void(const std::string &json)> emitHandoff;
};

/** The dock's entry points, called by the module entry inside its guarded() boundaries. */
struct FrontendExtension {
	/// From obs_module_load, after the output and service types are registered: adds the dock.
	/// Returns the controls the websocket vendor offers (empty without a main window).
	StreamControls (*load)(const FrontendServices &services) = nullptr;
	/// Every frontend event; at OBS_FRONTEND_EVENT_EXIT after the vendor's requests are gone.
	void (*frontendEvent)(obs_frontend_event event) = nullptr;
	/// From obs_module_unload: removes the dock and releases what load created. Idempotent.
	void (*unload)() = nullptr;
};

/** Called once by the dock's translation unit while the module is loaded (a static initialiser
 *  in ui/DockModule.cpp, which is compiled into the module). Without it the module has no dock. */
void registerFrontendExtension(const FrontendExtension &extension) noexcept;

} // namespace goaway::obs
