// SessionWarmUp (issue 19): when a pre-connected session is warmed, and by how much, with a fake clock.
#include "plugin/output/SessionWarmUp.hpp"

#include <gtest/gtest.h>

using namespace goaway;
using namespace std::chrono_literals;

namespace {

constexpr handoff::SessionId kNew = 2;
const handoff::TimePoint t0 = handoff::TimePoint{} + 1000s;

/// 30 fps video with a keyframe every second, from dts 0 to `untilMs`.
void feed(output::SessionWarmUp &w, int64_t fromMs, int64_t untilMs)
{
	for (int64_t dts = fromMs; dts <= untilMs; dts += 33)
		w.notePacket(true, dts % 990 == 0, dts);
}

int messagesFor(const std::vector<std::pair<handoff::SessionId, int>> &due, handoff::SessionId id)
{
	for (const auto &[sid, n] : due)
		if (sid == id)
			return n;
	return 0;
}

} // namespace

TEST(SessionWarmUp, NothingBelowATenMillisecondRoundTrip)
{
	output::SessionWarmUp w;
	feed(w, 0, 1980);
	w.start(kNew, 2ms, t0);
	EXPECT_TRUE(w.due(t0 + 500ms).empty());
	EXPECT_FALSE(w.stop(kNew)) << "a loopback session is never warming";
}

TEST(SessionWarmUp, OneMessageEveryHalfRoundTripKeepsTheConnectionFromIdling)
{
	output::SessionWarmUp w;
	feed(w, 0, 1980 + 33); // just past a keyframe: the next is a second away
	w.start(kNew, 150ms, t0);
	EXPECT_TRUE(w.due(t0 + 50ms).empty());
	EXPECT_EQ(messagesFor(w.due(t0 + 80ms), kNew), 1);
	EXPECT_TRUE(w.due(t0 + 100ms).empty()) << "the next one half a round trip later";
	EXPECT_EQ(messagesFor(w.due(t0 + 160ms), kNew), 1);
}

TEST(SessionWarmUp, ABurstTwoRoundTripsBeforeThePredictedKeyframeAndNoneInTheLastRoundTrip)
{
	output::SessionWarmUp w;
	feed(w, 0, 1980 + 33);
	w.start(kNew, 150ms, t0);
	// The next keyframe is predicted at dts 2970: 290 ms away at dts 2680 (within two round trips,
	// more than one round trip and a frame): one burst, once.
	feed(w, 2046, 2680);
	EXPECT_EQ(messagesFor(w.due(t0 + 10ms), kNew), 40);
	feed(w, 2713, 2713);
	EXPECT_EQ(messagesFor(w.due(t0 + 20ms), kNew), 0) << "one burst per predicted keyframe";
	EXPECT_TRUE(w.stop(kNew));
	EXPECT_TRUE(w.due(t0 + 200ms).empty()) << "a session that carries media is not warmed";
}

TEST(SessionWarmUp, NoBurstWhenTheKeyframeIsLessThanARoundTripAway)
{
	// Its messages would still be in flight at the cut and take the window from the keyframe.
	output::SessionWarmUp w;
	feed(w, 0, 2970 - 99); // the keyframe at 2970 is 99 ms away, the round trip 150 ms
	w.start(kNew, 150ms, t0);
	EXPECT_EQ(messagesFor(w.due(t0 + 5ms), kNew), 0);
	EXPECT_EQ(messagesFor(w.due(t0 + 80ms), kNew), 1) << "only the keep-alive";
}
