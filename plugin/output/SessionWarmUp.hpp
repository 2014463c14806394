#pragma once
// Issue 19: when to warm a pre-connected session's congestion window, and by how much, until it
// carries media. Decisions only (time is passed in); the driver sends what due() returns with
// RtmpSession::warmUp(), which also explains why a new connection needs it.

#include "plugin/handoff/HandoffTypes.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace goaway::output {

class SessionWarmUp {
public:
	/** Every packet the output takes: keyframes give the interval the next cut is predicted by. */
	void notePacket(bool isVideo, bool keyframe, int64_t dtsMs);
	/** A session is pre-connected: its round trip (the createStream exchange) paces the warming. */
	void start(handoff::SessionId id, std::chrono::milliseconds roundTrip, handoff::TimePoint now);
	/** It carries media now, or is gone. True when it was warming. */
	bool stop(handoff::SessionId id);
	void clear() { sessions_.clear(); }
	/** Messages each warming session sends now (sessions with none due are left out). */
	std::vector<std::pair<handoff::SessionId, int>> due(handoff::TimePoint now);

private:
	struct Session {
		std::chrono::milliseconds roundTrip{0};
		handoff::TimePoint lastSentAt{};              // keeps the connection from counting as idle
		std::optional<int64_t> burstForKeyframeDtsMs; // the predicted keyframe a burst was sent for
	};
	std::map<handoff::SessionId, Session> sessions_;
	std::optional<int64_t> keyframeDtsMs_;
	std::optional<int64_t> keyframeIntervalMs_;
	int64_t lastDtsMs_ = 0;
};

} // namespace goaway::output
