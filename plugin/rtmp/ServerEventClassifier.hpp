#pragma once
// Turns reassembled server messages into ServerEvents. Pure: no socket, no clock.
// This is the persistent dispatcher for messages nobody asked for (Go Away, onStatus): nothing a
// server sends is silently dropped except unknown types, which are logged once per type.

#include "RtmpMessage.hpp"
#include "ServerEvent.hpp"

#include <bitset>
#include <optional>

namespace goaway::rtmp {

class ServerEventClassifier {
public:
	/**
	 * The event `message` means, or nullopt for messages with no meaning to a publisher (media,
	 * shared objects, aggregates, unknown types). Go Away: type 32 on any chunk stream with any
	 * body. Malformed control/command bodies are logged and ignored (a server bug must not end
	 * the stream).
	 */
	std::optional<ServerEvent> classify(const Message &message);

private:
	std::bitset<256> loggedUnknown_;
};

} // namespace goaway::rtmp
