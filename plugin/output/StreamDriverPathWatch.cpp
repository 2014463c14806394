// StreamDriver: what the live session's server acknowledged, and leaving a dead path (issue 16).
// A file of its own to keep StreamDriver.cpp readable.

#include "StreamDriver.hpp"

#include "plugin/common/Log.hpp"

namespace goaway::output {

void StreamDriver::watchPath()
{
	const auto live = machine_.liveSession();
	rtmp::RtmpSession *s = live ? session(*live) : nullptr;
	if (!s || !s->isOpen())
		return;
	const auto seen = pathWatch_.observe(*live, *s, now());
	if (!seen)
		return;
	machine_.onAcknowledged(*live, seen->firstUnacked, seen->source);
	if (!seen->deadPath)
		return;
	const handoff::SessionId id = *live;
	GOAWAY_LOG_WARN("StreamDriver::watchPath", "session %llu to %s: dead path (%s); leaving it without a word",
			(unsigned long long)id, s->url().hostPort().c_str(), seen->detail.c_str());
	s->abandon(); // no flush, no FCUnpublish / deleteStream: the peer reads nothing
	closeSession(id, false);
	const auto detail = seen->detail;
	const auto detection = seen->detection;
	defer([this, id, detail, detection] { return machine_.onDeadPath(id, detail, detection, now()); });
}

} // namespace goaway::output
