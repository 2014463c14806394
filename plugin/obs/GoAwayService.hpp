#pragma once
// rtmp_goaway_service: a stream service whose preferred output type is rtmp_goaway_output, so
// that OBS's main Start Streaming button streams through this plugin (OBS 30-32 pick the
// service's preferred output when it has the OBS_OUTPUT_SERVICE flag).
// Two shapes: it wraps the streamer's own service (settings carry kWrapsKey = that service's type
// plus its settings; every answer — server, key, protocol, codecs, limits, encoder settings — is
// the wrapped service's, so Twitch "Auto" or a YouTube server stays what the streamer chose), or,
// as profiles saved by versions before 0.9 hold it, a plain server + key.

#include <string>

namespace goaway::obs {

/// The service type id (service.json "type").
inline constexpr const char *kServiceId = "rtmp_goaway_service";
/// In the service's settings: the type of the streamer's service it wraps (rtmp_common, ...).
inline constexpr const char *kWrapsKey = "goaway_wraps";

/** Registers the service type with libobs (once, from obs_module_load). */
void registerGoAwayService();

} // namespace goaway::obs
