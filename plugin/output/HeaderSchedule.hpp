#pragma once
// The stream headers (metadata, sequence headers) each session is sent before its first media:
// the machine's SendHeaders marks a session, and the headers go right before that session's first
// media packet, stamped with its timestamp, so every session's timeline starts at its first
// keyframe (timestamps continue; a replay from an older keyframe does not make the headers run
// ahead of the media). Send thread only.

#include "StreamHeaders.hpp"
#include "plugin/common/Result.hpp"
#include "plugin/handoff/HandoffTypes.hpp"
#include "plugin/rtmp/RtmpSession.hpp"

#include <cstdint>
#include <set>
#include <utility>

namespace goaway::output {

/** The headers of this stream and the sessions that still owe them. */
class HeaderSchedule {
public:
	/** The headers the host gave at start. */
	void setHeaders(StreamHeaders headers) { headers_ = std::move(headers); }
	/** SendHeaders: `session` gets the headers before its next media packet. */
	void markPending(handoff::SessionId session) { pending_.insert(session); }
	/** The session is closed. */
	void forget(handoff::SessionId session) { pending_.erase(session); }
	/** Sends the headers on `rtmp` stamped `ts` if `session` still owes them. */
	Result<void> sendIfPending(rtmp::RtmpSession &rtmp, handoff::SessionId session, uint32_t ts);

private:
	StreamHeaders headers_;
	std::set<handoff::SessionId> pending_; // SendHeaders seen, first media not yet sent
};

} // namespace goaway::output
