#include "SessionWarmUp.hpp"

#include <algorithm>

namespace goaway::output {

namespace {

/// A pre-connect leaves its session with a window of about 40 segments (RtmpSession's connect
/// bursts). Linux keeps a congestion window only while it is used: idle for one RTO it falls back
/// to the initial 10 segments, so a message every half round trip keeps the connection from
/// counting as idle. Not filled, the window still shrinks each RTO, so two round trips before the
/// predicted keyframe (the cut) a burst opens it again; its segments are acknowledged, and free
/// again, by the time the keyframe leaves. Cost: a few hundred bytes per handoff.
constexpr int kPreCutBurst = 40;
constexpr int kPreCutRoundTrips = 2;
/// A burst still in flight at the cut would take the window from the keyframe: none within the
/// last round trip and a frame (25 fps and up) before it; the keyframe may come a frame early.
constexpr int64_t kPreCutSlackMs = 40;
/// Below this round trip the initial window (10 segments per round trip) is no limit worth a
/// message: the hole it can leave after a keyframe is at most one round trip.
constexpr auto kMinRoundTrip = std::chrono::milliseconds(10);
/// Bounded so that a slow connect does not stretch the warming thin.
constexpr auto kMaxRoundTrip = std::chrono::milliseconds(1000);

} // namespace

void SessionWarmUp::notePacket(bool isVideo, bool keyframe, int64_t dtsMs)
{
	if (isVideo && keyframe) {
		if (keyframeDtsMs_ && dtsMs > *keyframeDtsMs_)
			keyframeIntervalMs_ = dtsMs - *keyframeDtsMs_;
		keyframeDtsMs_ = dtsMs;
	}
	lastDtsMs_ = std::max(lastDtsMs_, dtsMs);
}

void SessionWarmUp::start(handoff::SessionId id, std::chrono::milliseconds roundTrip, handoff::TimePoint now)
{
	if (roundTrip < kMinRoundTrip)
		return;
	sessions_[id] = Session{std::min(roundTrip, kMaxRoundTrip), now, std::nullopt};
}

bool SessionWarmUp::stop(handoff::SessionId id)
{
	return sessions_.erase(id) > 0;
}

std::vector<std::pair<handoff::SessionId, int>> SessionWarmUp::due(handoff::TimePoint now)
{
	std::vector<std::pair<handoff::SessionId, int>> out;
	std::optional<int64_t> nextKeyframe;
	if (keyframeDtsMs_ && keyframeIntervalMs_)
		nextKeyframe = *keyframeDtsMs_ + *keyframeIntervalMs_;
	for (auto &[id, s] : sessions_) {
		const int64_t roundTripMs = s.roundTrip.count();
		const int64_t toKeyframeMs = nextKeyframe ? *nextKeyframe - lastDtsMs_ : -1;
		int messages = 0;
		if (nextKeyframe && s.burstForKeyframeDtsMs != nextKeyframe &&
		    toKeyframeMs <= kPreCutRoundTrips * roundTripMs && toKeyframeMs >= roundTripMs + kPreCutSlackMs) {
			messages = kPreCutBurst;
			s.burstForKeyframeDtsMs = nextKeyframe;
		} else if (now - s.lastSentAt >= s.roundTrip / 2) {
			messages = 1;
		}
		if (messages == 0)
			continue;
		s.lastSentAt = now;
		out.emplace_back(id, messages);
	}
	return out;
}

} // namespace goaway::output
