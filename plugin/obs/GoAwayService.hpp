#pragma once
// rtmp_goaway_service: a stream service whose preferred output type is rtmp_goaway_output, so
// that OBS's main Start Streaming button streams through this plugin (OBS 30-32 pick the
// service's preferred output when it has the OBS_OUTPUT_SERVICE flag). Settings → Stream does
// not list third-party services: the dock's settings or obs-websocket's SetStreamServiceSettings
// select it.

#include <string>

namespace goaway::obs {

/// The service type id (service.json "type").
inline constexpr const char *kServiceId = "rtmp_goaway_service";

/** Registers the service type with libobs (once, from obs_module_load). */
void registerGoAwayService();

/** Makes OBS's main stream use rtmp_goaway_service (true) or OBS's rtmp_custom (false), keeping
 *  the current server URL and stream key, and saves it in the profile. Qt thread. */
bool useGoAwayServiceForMainStream(bool use);
/** Whether the main stream's service is ours. */
bool mainStreamUsesGoAwayService();

} // namespace goaway::obs
