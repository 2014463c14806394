#pragma once
// Outputs of the handoff state machine. The output executes them IN ORDER, on the thread that
// called the machine (except Preconnect and ResolveTargets, which it starts asynchronously and
// answers later with onPreconnect* / onCandidates).

#include "HandoffRecord.hpp"
#include "HandoffTypes.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace goaway::handoff {

namespace action {

/** The machine moved to `to` (for the `get_state` proc handler and logs). */
struct StateChanged {
	State from;
	State to;
};

/** Ask the resolver for an ordered target list; answer with onCandidates(requestId, ...). */
struct ResolveTargets {
	std::uint64_t requestId = 0;
	Trigger trigger = Trigger::Manual;
	Endpoint current;                 // the session being replaced
	std::optional<std::string> tcUrl; // ReconnectRequest's tcUrl (resolve against current tcUrl)
	std::string avoidAddress;         // the draining / dead node: rank other addresses first
};

/** Create session `session` and run TCP, TLS, handshake, connect, createStream against
 *  `target` off the send thread; answer with onPreconnectSucceeded / onPreconnectFailed. */
struct Preconnect {
	SessionId session = 0;
	Target target;
};

/** Send `publish` on the session (do not wait for onStatus: answer with onPublishResult). */
struct Publish {
	SessionId session = 0;
};

/** Send @setDataFrame onMetaData and the audio/video sequence headers on the session. */
struct SendHeaders {
	SessionId session = 0;
};

/** Send the packet `seq` (the one just passed to onPacket) on the session. */
struct SendPacket {
	SessionId session = 0;
	PacketSeq seq = 0;
};

/** Send every backlog packet with seq >= fromSeq, oldest first, on the session. */
struct ReplayBacklog {
	SessionId session = 0;
	PacketSeq fromSeq = 0;
};

/** Drop backlog packets with seq < beforeSeq (no replay can need them any more). */
struct TrimBacklog {
	PacketSeq beforeSeq = 0;
};

/** Close without FCUnpublish / deleteStream (after a Go Away; sessions that never carried
 *  media; dead sessions): the platform stitches the logical stream. */
struct CloseSilently {
	SessionId session = 0;
};

/** FCUnpublish + deleteStream, then close (after a ReconnectRequest, a manual handoff, stop). */
struct CloseGracefully {
	SessionId session = 0;
};

/** No target worked and no session is live: report OBS_OUTPUT_DISCONNECTED so libobs
 *  reconnects. Every session has already been closed by preceding actions. */
struct FallBackToReconnect {
	std::string reason;
};

/** A handoff finished (any result): publish it (fill deadAirMs first). */
struct EmitRecord {
	HandoffRecord record;
};

} // namespace action

using Action =
	std::variant<action::StateChanged, action::ResolveTargets, action::Preconnect, action::Publish,
		     action::SendHeaders, action::SendPacket, action::ReplayBacklog, action::TrimBacklog,
		     action::CloseSilently, action::CloseGracefully, action::FallBackToReconnect, action::EmitRecord>;

using Actions = std::vector<Action>;

/** onPacket's answer: the packet's sequence number (store the packet in the backlog under it
 *  BEFORE executing the actions) and what to do now. No SendPacket / ReplayBacklog among the
 *  actions means the packet is held in the backlog (or was dropped by a TrimBacklog). */
struct PacketVerdict {
	PacketSeq seq = 0;
	Actions actions;
};

/** A one-line description of an action for logs and test failure messages (no stream key). */
std::string describe(const Action &action);

} // namespace goaway::handoff
