#pragma once
// The output's own view of dead air around a handoff (issue 19): when media left the send loop,
// kept for a few seconds, and the largest gap between those send times in a window. A viewer sees
// a hole anywhere around the seam — before the cut, at the switch, or after the keyframe on the new
// connection — so the handoff record reports the window's largest gap, not only the old -> new step.
// Pure: times are passed in.

#include "plugin/handoff/HandoffTypes.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>

namespace goaway::output {

class SendTimeline {
public:
	/// Long enough for a window from 1 s before a trigger to 1 s after the cut with a keyframe
	/// wait, a pre-connect and a publish in between on a slow link; older sends are forgotten.
	static constexpr std::chrono::milliseconds kDefaultKeep{20000};

	explicit SendTimeline(std::chrono::milliseconds keep = kDefaultKeep) : keep_(keep) {}

	/** A media message left at `at` (non-decreasing). */
	void onSend(handoff::TimePoint at);
	/** Largest gap in ms between consecutive sends within [from, to]; nullopt with fewer than two. */
	std::optional<std::int64_t> largestGap(handoff::TimePoint from, handoff::TimePoint to) const;

private:
	std::chrono::milliseconds keep_;
	std::deque<handoff::TimePoint> times_; // distinct send times, oldest first
};

} // namespace goaway::output
