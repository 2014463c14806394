#pragma once
// Inputs of the handoff state machine that carry data (the events themselves are the
// HandoffStateMachine::on* methods).

#include "HandoffTypes.hpp"

#include <cstdint>
#include <string>

namespace goaway::handoff {

/** What the machine needs to know about one encoded packet (the output keeps the bytes). */
struct PacketInfo {
	bool isVideo = false;
	bool isKeyframe = false; // video only: an IDR / random access point
	std::int64_t dtsMs = 0;
	std::uint64_t bytes = 0;
};

/** Durations of the pre-connect steps, as the session measured them (ms, -1 = not done). */
struct ConnectTimings {
	std::int64_t tcpMs = -1;
	std::int64_t tlsMs = -1;
	std::int64_t handshakeMs = -1;
	std::int64_t connectMs = -1;
	std::int64_t createStreamMs = -1;
	/** The session was the output's hot standby, connected before the handoff began (the timings
	 *  above are that connect's). */
	bool hotStandby = false;
	/** TCP was the resolver's probe connection to the target (tcpMs 0: its round trip was spent
	 *  while resolving). */
	bool probeConnection = false;
};

/** Reported by the output when a session finished connect + createStream. */
struct ConnectInfo {
	std::string address; // the numeric peer address actually connected (for the record)
	ConnectTimings timings;
};

} // namespace goaway::handoff
