#pragma once
// What the streamer sets in the dock's Settings dialog; saved per OBS profile by plugin/obs.

#include "plugin/common/Constants.hpp"

#include <QString>

namespace goaway::ui {

/** Settings of the dock's own output. Plain values: the dialog edits a copy, plugin/obs stores it. */
struct DockSettings {
	QString server;                            // rtmp:// or rtmps:// URL
	QString key;                               // stream key: never logged
	QString resolver = "dns";                  // "off" / "ingest-list" / "dns"
	QString ingestListUrl;                     // used when resolver == "ingest-list"
	QString backupUrls;                        // backup ingest URLs, one per line, in order
	QString handoffMode = "make-before-break"; // or "break-before-make"
	int maxKeyframeWaitMs = int(constants::kHandoffMaxKeyframeWait.count());
	/// supportsGoAway in connect; off: E-RTMP ReconnectRequest only (for who wants the standard path).
	bool announceGoAway = true;
	int videoBitrateKbps = 2500;   // the dock's own encoder when it does not share the main stream's
	bool followMainStream = false; // start/stop with OBS's main Start Streaming, sharing its encoders
	/// OBS's main Start Streaming itself streams through this plugin, with the service the streamer
	/// chose in Settings → Stream (plugin/obs/MainStreamRoute).
	bool mainButtonUsesPlugin = false;

	bool operator==(const DockSettings &) const = default;
};

} // namespace goaway::ui
