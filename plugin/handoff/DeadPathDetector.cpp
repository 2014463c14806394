#include "DeadPathDetector.hpp"

#include <algorithm>

namespace goaway::handoff {

std::chrono::milliseconds DeadPathDetector::clampWindow(std::chrono::milliseconds window)
{
	return std::clamp(window, kMinWindow, kMaxWindow);
}

DeadPathDetector::DeadPathDetector(std::chrono::milliseconds window) : window_(clampWindow(window)) {}

void DeadPathDetector::reset()
{
	acked_.reset();
	outstandingAtProgress_ = 0;
	lastProgress_.reset();
	dueSince_.reset();
	congested_ = false;
}

DeadPathDetector::Verdict DeadPathDetector::update(TimePoint now, std::uint64_t sentBytes,
						   std::optional<std::uint64_t> ackedBytes, std::uint64_t ackSpacing)
{
	if (!ackedBytes)
		return Verdict::Healthy; // nothing known: no decision (the caller's send timeout still holds)
	const std::uint64_t acked = std::min(*ackedBytes, sentBytes);
	const std::uint64_t outstanding = sentBytes - acked;
	if (!acked_ || acked > *acked_) {
		// Progress. A queue that keeps growing from one acknowledgement to the next is congestion.
		const bool first = !acked_;
		acked_ = acked;
		lastProgress_ = now;
		dueSince_.reset();
		congested_ = !first && outstanding > outstandingAtProgress_ && outstanding > 2 * ackSpacing;
		outstandingAtProgress_ = outstanding;
		return congested_ ? Verdict::Congested : Verdict::Healthy;
	}
	if (outstanding <= ackSpacing) {
		dueSince_.reset(); // the server owes nothing yet (a slow stream fills its window slowly)
		return congested_ ? Verdict::Congested : Verdict::Healthy;
	}
	if (!dueSince_)
		dueSince_ = now;
	if (now - *dueSince_ >= window_)
		return Verdict::Dead;
	return congested_ ? Verdict::Congested : Verdict::Healthy;
}

const char *deadPathVerdictName(DeadPathDetector::Verdict verdict)
{
	switch (verdict) {
	case DeadPathDetector::Verdict::Healthy:
		return "healthy";
	case DeadPathDetector::Verdict::Congested:
		return "congested";
	case DeadPathDetector::Verdict::Dead:
		return "dead path";
	}
	return "?";
}

} // namespace goaway::handoff
