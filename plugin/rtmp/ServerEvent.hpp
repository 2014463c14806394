#pragma once
// What the server told us, as typed events (the session's poll() returns them in arrival order).

#include "Amf0.hpp"
#include "../common/Result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace goaway::rtmp {

/** RTMP Go Away (message type 32): hand off at the next keyframe, then close silently. */
struct GoAwayEvent {
	uint32_t chunkStreamId = 0;
	size_t bodySize = 0; // the spec defines no body; any body is accepted
};

/** E-RTMP v2 onStatus NetConnection.Connect.ReconnectRequest: hand off, then close gracefully. */
struct ReconnectRequestEvent {
	std::string description;
	std::optional<std::string> tcUrl; // absolute, //host/app or /app: resolve with resolveTcUrl()
};

/** Any other onStatus (NetStream.Publish.Start, NetStream.Publish.BadName, ...). */
struct StatusEvent {
	std::string level; // "status", "warning" or "error"
	std::string code;
	std::string description;
	/** level "error", or a code naming a rejection/failure. */
	bool isError() const;
};

/** A `_result` or `_error` answering one of our commands. */
struct CommandResultEvent {
	bool isError = false; // _error
	double transactionId = 0;
	amf0::Value commandObject;
	std::vector<amf0::Value> arguments;
	/** code / description of the info object (first object argument), empty when absent. */
	std::string code() const;
	std::string description() const;
	/**
	 * The E-RTMP v2 capsEx a server echoes in its connect `_result` (the properties object, or the
	 * information object where some servers put it): an integer 0 .. kMaxCapsEx. Anything else
	 * (absent, not a number, fractional, negative, huge) is "not shown": nullopt.
	 */
	std::optional<uint32_t> capsEx() const;
	/// capsEx is a bit field of four defined flags (0x0f); room for future ones, never a huge number.
	static constexpr uint32_t kMaxCapsEx = 0xffff;
};

/** Another command the server sent (onBWDone, onFCPublish, ...): informational. */
struct OtherCommandEvent {
	std::string name;
};

/** User Control PingRequest (RTMP spec 7.1.7): the session answers it with PingResponse. */
struct PingEvent {
	uint32_t timestamp = 0;
};

struct SetChunkSizeEvent {
	uint32_t size = 0;
};
struct WindowAckSizeEvent {
	uint32_t size = 0;
};
struct SetPeerBandwidthEvent {
	uint32_t size = 0;
	uint8_t limitType = 0;
};
struct AcknowledgementEvent {
	uint32_t sequenceNumber = 0;
};
/** Other User Control events (StreamBegin, ...). */
struct UserControlEventReceived {
	uint16_t event = 0;
	uint32_t value = 0;
};

/** The connection ended: peer close, reset, protocol error or I/O error. Always the last event. */
struct ClosedEvent {
	Error reason;
};

using ServerEvent = std::variant<GoAwayEvent, ReconnectRequestEvent, StatusEvent, CommandResultEvent, OtherCommandEvent,
				 PingEvent, SetChunkSizeEvent, WindowAckSizeEvent, SetPeerBandwidthEvent,
				 AcknowledgementEvent, UserControlEventReceived, ClosedEvent>;

/** A short description for logs ("GoAway", "onStatus NetStream.Publish.Start", ...). */
std::string describe(const ServerEvent &event);

} // namespace goaway::rtmp
