#pragma once
// obs-websocket vendor "obs-rtmp-goaway": requests GetHandoffs, GetState, HandOffNow, StartStream,
// StopStream and the event "Handoff", registered at run time through obs-websocket's proc
// handler API (the global proc "obs_websocket_api_get_ph"). Without obs-websocket it does nothing.

#include "FrontendExtension.hpp"

#include <string>

namespace goaway::obs {

/** Registers the vendor once all modules are loaded; unregisters at OBS exit. */
class WebsocketVendor {
public:
	/// The vendor name clients pass as vendorName in CallVendorRequest.
	static constexpr const char *kVendorName = "obs-rtmp-goaway";

	/** From obs_module_post_load with the dock's start/stop; false when obs-websocket is absent
	 *  (the plugin works without). */
	bool registerVendor(StreamControls controls);
	/** From OBS_FRONTEND_EVENT_EXIT, while obs-websocket is still loaded. Idempotent. */
	void unregisterVendor();
	/** Emits the vendor event "Handoff" with one record's JSON (any thread). */
	void emitHandoff(const std::string &json);
};

} // namespace goaway::obs
