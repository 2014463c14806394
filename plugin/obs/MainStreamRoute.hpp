#pragma once
// OBS's main Start Streaming through this plugin while the streamer keeps the service they chose
// in Settings → Stream (Twitch with "Auto", YouTube, Custom, …). OBS picks the main stream's output
// from its service (the service's preferred output, else rtmp_output for RTMP), and Settings →
// Stream saves only OBS's own service types. So nothing is replaced for good: just before OBS sets
// up the main stream (the frontend's "preparing" moment, hooked by ui/), the streamer's service is
// stood in for by rtmp_goaway_service wrapping it (same settings, same answers), never saved; when
// the main stream has stopped, the streamer's own service object is put back. Every Start
// Streaming, hotkey or obs-websocket StartStream goes through the same moment, also after the
// streamer saved Settings → Stream again. Qt thread only (the frontend's service), no Qt type.

#include <obs.hpp>

#include <string>

namespace goaway::obs {

/** Why the main stream goes where it goes. */
enum class MainStreamReason {
	ViaPlugin,   ///< the streamer's service, through this plugin's output
	SwitchedOff, ///< the streamer did not ask for it (dock settings)
	NoService,   ///< OBS has no main stream service (yet)
	Protocol,    ///< not RTMP or RTMPS (WHIP, SRT, RIST, …): OBS's own output for that protocol
	Multitrack,  ///< "Enhanced Broadcasting" is on: OBS's multitrack output, which is OBS's own
	NoHook,      ///< this OBS has no "preparing" moment the plugin could hook
};

/** What OBS's main Start Streaming does with the streamer's service, and why. */
struct MainStreamRoute {
	bool viaPlugin = false;
	MainStreamReason reason = MainStreamReason::SwitchedOff;
	std::string serviceType; ///< the streamer's service type (rtmp_common, rtmp_custom, …)
	std::string serviceName; ///< "Twitch", "YouTube - RTMPS", … ("" for Custom)
	std::string protocol;    ///< RTMP, RTMPS, WHIP, SRT, …
	bool autoServer = false; ///< the service picks the server itself (Twitch / Amazon IVS "Auto")

	/** {"viaPlugin":…,"reason":"…","serviceType":…,"service":…,"protocol":…,"autoServer":…} */
	std::string toJson() const;
	bool operator==(const MainStreamRoute &) const = default;
};

const char *reasonName(MainStreamReason reason);

/** Stands in for the streamer's service around each main stream. */
class MainStreamRouter {
public:
	/** What the next Start Streaming would do (reads settings only: never asks a service for its
	 *  URL, which for "Auto" would start an ingest lookup). */
	MainStreamRoute describe(bool wanted, bool hooked) const;
	/** OBS is about to set up the main stream: when wanted and possible, installs the stand-in
	 *  (not saved in the profile). Returns what happens. */
	MainStreamRoute prepare(bool wanted, bool hooked);
	/** The main stream stopped (or its start failed): puts the streamer's own service object back
	 *  when the stand-in is still the frontend's service. Idempotent. */
	void restore();
	/** A profile saved by an older version holds rtmp_goaway_service with a plain server + key:
	 *  makes it OBS's Custom service with the same server and key (saved), so Settings → Stream
	 *  shows it. True when it did: the caller turns the main-button setting on. */
	static bool migrateLegacyService();

private:
	OBSService streamer_;               // the streamer's service while the stand-in is used
	OBSWeakServiceAutoRelease standIn_; // the stand-in, to know it is still the frontend's
};

/** The last route the dock computed, for obs-websocket's GetState (any thread). */
void publishMainStreamRoute(const MainStreamRoute &route);
std::string publishedMainStreamRouteJson();

} // namespace goaway::obs
