#pragma once
// What a ClientConnection tells the server it belongs to (implemented by IngestServer).

#include "MediaInfo.hpp"
#include "plugin/rtmp/RtmpMessage.hpp"

#include <cstdint>
#include <span>
#include <string>

namespace goaway::ingest {

class ClientConnection;

class ConnectionEvents {
public:
	virtual ~ConnectionEvents() = default;
	/** A publish of `name` (query string removed). Empty: accept; otherwise the rejection text. */
	virtual std::string onPublishRequest(ClientConnection &connection, const std::string &name) = 0;
	virtual void onPublishStarted(ClientConnection &connection, int64_t nowMs) = 0;
	/** onMetaData, as an FLV script tag body ("onMetaData", {...}). */
	virtual void onMetadata(ClientConnection &connection, uint32_t timestamp, std::span<const uint8_t> body,
				int64_t nowMs) = 0;
	virtual void onMedia(ClientConnection &connection, const rtmp::Message &message, const MediaInfo &info,
			     int64_t nowMs) = 0;
};

} // namespace goaway::ingest
