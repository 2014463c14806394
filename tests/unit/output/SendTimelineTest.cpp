#include "plugin/output/SendTimeline.hpp"

#include <gtest/gtest.h>

using goaway::output::SendTimeline;
using namespace std::chrono_literals;

namespace {

const goaway::handoff::TimePoint t0{};

} // namespace

TEST(SendTimeline, HoleAfterTheFirstSendOnTheNewSessionIsTheLargestGapInTheWindow)
{
	// Issue 19: the old session's last frame and the new one's keyframe go out 1 ms apart, then
	// nothing for 90 ms: the window around the cut reports 90, not the 1 ms switch.
	SendTimeline timeline;
	for (int i = 0; i <= 30; ++i)
		timeline.onSend(t0 + i * 33ms); // old session up to 990 ms
	timeline.onSend(t0 + 991ms);            // keyframe on the new session
	for (int i = 0; i < 30; ++i)
		timeline.onSend(t0 + 1081ms + i * 33ms);
	EXPECT_EQ(timeline.largestGap(t0, t0 + 2000ms), 90);
	EXPECT_EQ(timeline.largestGap(t0, t0 + 991ms), 33);
}

TEST(SendTimeline, SendsOfOneTurnCountOnceAndOldOnesAreForgotten)
{
	SendTimeline timeline(100ms);
	timeline.onSend(t0);
	timeline.onSend(t0); // the audio written in the same turn
	timeline.onSend(t0 + 50ms);
	EXPECT_EQ(timeline.largestGap(t0, t0 + 50ms), 50);
	timeline.onSend(t0 + 200ms); // t0 and t0 + 50 ms are older than 100 ms now
	EXPECT_EQ(timeline.largestGap(t0, t0 + 200ms), std::nullopt);
}
