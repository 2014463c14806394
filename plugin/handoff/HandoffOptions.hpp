#pragma once
// Tunables of the handoff state machine; defaults are the named constants in Constants.hpp.

#include "DeadPathDetector.hpp"
#include "HandoffTypes.hpp"
#include "plugin/common/Constants.hpp"

#include <chrono>
#include <cstdint>

namespace goaway::handoff {

struct HandoffOptions {
	HandoffMode mode = HandoffMode::MakeBeforeBreak;
	/** Send publish as soon as the pre-connect completes instead of at the cut. Shortens the
	 *  seam by one round trip; needs a server that accepts a second publisher of the key. */
	bool publishEarly = false;
	/** The stream has no video: every audio packet is a cut point (Go Away spec: "any audio
	 *  frame after the headers"). */
	bool audioOnly = false;
	std::chrono::milliseconds resolveTimeout = constants::kHandoffResolveTimeout;
	std::chrono::milliseconds preconnectTimeout = constants::kHandoffPreconnectTimeout;
	std::chrono::milliseconds publishTimeout = constants::kHandoffPublishTimeout;
	std::chrono::milliseconds maxKeyframeWait = constants::kHandoffMaxKeyframeWait;
	std::chrono::milliseconds retryCooldown = constants::kHandoffRetryCooldown;
	int maxRounds = constants::kHandoffMaxRounds;
	std::uint64_t backlogCapBytes = constants::kHandoffBacklogCapBytes;
	/** Replays start from the keyframe at or before the oldest packet the server has not
	 *  acknowledged (onAcknowledged) instead of the newest keyframe sent (issue 16). */
	bool replayFromAcknowledged = false;
	/** No acknowledgement progress this long while one is due: a dead path (clamped to
	 *  DeadPathDetector's bounds; the output's DeadPathDetector uses it, the machine does not). */
	std::chrono::milliseconds deadPathWindow = DeadPathDetector::kDefaultWindow;
};

} // namespace goaway::handoff
