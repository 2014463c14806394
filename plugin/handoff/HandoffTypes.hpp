#pragma once
// Vocabulary of the handoff layer: ids, enums and plain data shared by events, actions and
// records. No sockets and no clocks: time is always passed in by the caller.

#include <chrono>
#include <cstdint>
#include <string>

namespace goaway::handoff {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

/** Identifies one RTMP session (one connection) owned by the output. Never 0. */
using SessionId = std::uint64_t;

/** Sequence number the machine gives every packet it sees (onPacket), starting at 1. */
using PacketSeq = std::uint64_t;

/** What started a handoff. */
enum class Trigger {
	GoAway,           // RTMP message type 32 (facebookarchive/rtmp-go-away)
	ReconnectRequest, // E-RTMP v2 onStatus NetConnection.Connect.ReconnectRequest
	Manual,           // "hand off now" from the dock / obs-websocket / a test
	ConnectionLost,   // the live session died
	DeadPath,         // the live session's server stopped acknowledging while data waited (issue 16)
};

/** What says which packets the server has (issue 16), weakest last. */
enum class AckSource {
	ServerAcks, // the server's RTMP Acknowledgements: what its application received
	Tcp,        // only TCP's: what reached the server's machine (its application may not have read it)
	Assumed,    // nothing: every packet sent counts as received (the behaviour before acknowledgements)
};

/** What a handoff record's deadAirMs is (issue 16: a lost connection's server stopped reading at a
 *  moment the output cannot see; the figure must never be lower than what the server counted). */
enum class DeadAirBasis {
	Measured, // the largest gap between the output's media sends: what the server sees when the old
		  // connection delivered everything it was given
	UpTo,     // an upper bound: from the send of the last packet the old server acknowledged to the
		  // first send on the new connection (the server may have read a little more)
	AtLeast,  // a lower bound, the switch gap: the old server's acknowledgements were not known
};

/** How the new session replaces the old one. */
enum class HandoffMode {
	MakeBeforeBreak, // pre-connect while streaming, cut at the keyframe, then close the old one
	BreakBeforeMake, // reference clients: at the keyframe close the old one, then connect
};

/** The machine's state; see plugin/handoff/README.md for the diagram. */
enum class State {
	Idle,          // not started, or stopped
	Streaming,     // one live session, no handoff (a retry may be scheduled)
	Resolving,     // waiting for the resolver's candidates (old live, or packets held)
	Preconnecting, // a new session connects while the old one still carries media
	AwaitingCut,   // waiting for the cut point (keyframe) on the old session
	Reconnecting,  // a new session connects while no session is live: packets are held
	Confirming,    // media flows on the new session; waiting for its publish result
	FellBack,      // no target worked with no live session: the output reports a disconnect
};

/** Where a target came from (mirrors goaway::ingest::CandidateSource; go-away-protocol.md 3). */
enum class TargetSource {
	TcUrl,      // the tcUrl of a ReconnectRequest, resolved against the current one
	IngestList, // an HTTP ingest list
	Dns,        // the current host name re-resolved (preferring another address)
	Backup,     // one of the streamer's backup ingest URLs
	Configured, // the URL the user configured
};

/** A server as shown in records and logs: never a stream key. */
struct Endpoint {
	std::string host;
	std::uint16_t port = 0;
	std::string address; // numeric IP actually dialled; empty when not known yet
};

/** One place to connect to, as the resolver ranked it. `url` is the tcUrl without the key
 *  (never log it: an ingest template may still carry one). */
struct Target {
	std::string url;
	std::string host;
	std::uint16_t port = 0;
	std::string address;
	TargetSource source = TargetSource::Configured;

	Endpoint endpoint() const { return Endpoint{host, port, address}; }
};

const char *triggerName(Trigger trigger);
const char *modeName(HandoffMode mode);
const char *stateName(State state);
const char *targetSourceName(TargetSource source);
const char *ackSourceName(AckSource source);
const char *deadAirBasisName(DeadAirBasis basis);

/** Milliseconds between two time points (negative when `to` is earlier). */
inline std::int64_t msBetween(TimePoint from, TimePoint to)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count();
}

} // namespace goaway::handoff
