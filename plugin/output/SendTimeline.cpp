#include "SendTimeline.hpp"

#include <algorithm>

namespace goaway::output {

void SendTimeline::onSend(handoff::TimePoint at)
{
	// A turn of the send loop writes a video frame and the audio that waited for it at one time:
	// one entry per turn is all the gap arithmetic needs.
	if (!times_.empty() && times_.back() >= at)
		return;
	times_.push_back(at);
	while (!times_.empty() && times_.front() < at - keep_)
		times_.pop_front();
}

std::optional<std::int64_t> SendTimeline::largestGap(handoff::TimePoint from, handoff::TimePoint to) const
{
	auto begin = std::lower_bound(times_.begin(), times_.end(), from);
	auto end = std::upper_bound(times_.begin(), times_.end(), to);
	if (begin == end || std::next(begin) == end)
		return std::nullopt;
	std::int64_t gap = 0;
	for (auto it = std::next(begin); it != end; ++it)
		gap = std::max(gap, handoff::msBetween(*std::prev(it), *it));
	return gap;
}

} // namespace goaway::output
