#include "tests/ingest/StreamStitcher.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace goaway::ingest;

namespace {

const std::vector<uint8_t> kFrame{0x27, 0x01, 0, 0, 0};
const std::vector<uint8_t> kKey{0x17, 0x01, 0, 0, 0};
const std::vector<uint8_t> kAvcHeader{0x17, 0x00, 0, 0, 0, 1};
const std::vector<uint8_t> kAacFrame{0xAF, 0x01, 0x21};

MediaInfo video(bool key)
{
	return MediaInfo::classify(Track::Video, key ? kKey : kFrame);
}

MediaInfo audio()
{
	return MediaInfo::classify(Track::Audio, kAacFrame);
}

} // namespace

TEST(StreamStitcher, MissingCountsFramesInGapsAboveOneAndAHalfMedians)
{
	// 30 fps with ms rounding (33/34), one gap of 3 frames (100 ms -> 2 missing), one of 2 (67 -> 1).
	std::vector<uint32_t> ts;
	uint32_t t = 0;
	for (int i = 0; i < 30; ++i) {
		ts.push_back(t);
		t += (i % 3 == 2) ? 34 : 33;
	}
	const uint32_t last = ts.back();
	ts.push_back(last + 67);  // 2 intervals: 1 missing
	ts.push_back(last + 167); // 100 ms: 2 missing
	ts.push_back(last + 200);
	double median = 0;
	EXPECT_EQ(StreamStitcher::countMissing(ts, &median), 3u);
	EXPECT_EQ(median, 33);
}

TEST(StreamStitcher, RoundedAudioIntervalsAreNotGaps)
{
	std::vector<uint32_t> ts;
	for (int i = 0; i < 100; ++i)
		ts.push_back(static_cast<uint32_t>(i * 1024 * 1000 / 44100)); // 23 / 24 ms steps
	EXPECT_EQ(StreamStitcher::countMissing(ts), 0u);
	EXPECT_EQ(StreamStitcher::countMissing({}), 0u);
	EXPECT_EQ(StreamStitcher::countMissing({0, 1000}), 0u);
}

TEST(StreamStitcher, LargestGapWithinWindow)
{
	const std::vector<int64_t> times{0, 10, 20, 200, 210, 500};
	EXPECT_EQ(StreamStitcher::largestGap(times, 20, 200), 180);
	EXPECT_EQ(StreamStitcher::largestGap(times, 0, 210), 180);
	EXPECT_EQ(StreamStitcher::largestGap(times, 200, 210), 10);
	EXPECT_EQ(StreamStitcher::largestGap(times, 201, 209), 0);
}

TEST(StreamStitcher, CutoverWithDuplicatesGapAndDeadAir)
{
	StreamStitcher s("key");
	s.onPublish(1, 0);
	int64_t wall = 100;
	// Connection 1: frames 0..9 at 33 ms; audio alongside.
	for (uint32_t i = 0; i < 10; ++i, wall += 33) {
		EXPECT_TRUE((bool)s.onMedia(1, i * 33, video(i == 0), i == 0 ? kKey : kFrame, wall));
		EXPECT_TRUE((bool)s.onMedia(1, i * 33, audio(), kAacFrame, wall));
	}
	const int64_t lastOld = wall - 33;
	s.onSignal(1, "goaway", 250);
	// Connection 2 publishes 400 ms later, re-sends frames 8 and 9 (duplicates), skips 10 and 11.
	s.onPublish(2, lastOld + 300);
	wall = lastOld + 400;
	const int64_t firstNew = wall;
	EXPECT_TRUE((bool)s.onMedia(2, 0, MediaInfo::classify(Track::Video, kAvcHeader), kAvcHeader, wall));
	EXPECT_FALSE((bool)s.onMedia(2, 8 * 33, video(true), kKey, wall));
	EXPECT_FALSE((bool)s.onMedia(2, 9 * 33, video(false), kFrame, wall + 1));
	for (uint32_t i = 12; i < 20; ++i)
		EXPECT_TRUE((bool)s.onMedia(2, i * 33, video(false), kFrame, wall + 2 + i));

	const StreamSummary m = s.summary();
	EXPECT_EQ(m.connections, 2u);
	EXPECT_EQ(m.videoFrames, 20u);
	EXPECT_EQ(m.uniqueVideoFrames, 18u);
	EXPECT_EQ(m.duplicateFrames, 2u);
	EXPECT_EQ(m.missingVideoFrames, 2u); // 10 and 11
	EXPECT_EQ(m.audioFrames, 10u);
	EXPECT_EQ(m.missingAudioFrames, 0u);
	ASSERT_EQ(m.cutovers.size(), 1u);
	const Cutover &c = m.cutovers[0];
	EXPECT_EQ(c.fromConnection, 1u);
	EXPECT_EQ(c.toConnection, 2u);
	EXPECT_EQ(c.signal, "goaway");
	EXPECT_EQ(*c.signalAtMs, 250);
	EXPECT_EQ(*c.lastMediaOldAtMs, lastOld);
	EXPECT_EQ(*c.firstMediaNewAtMs, firstNew);
	EXPECT_EQ(*c.switchGapMs, 400);
	EXPECT_EQ(*c.deadAirMs, 400); // nothing larger in the window around it
	EXPECT_EQ(*c.windowFromMs, 250 - 1000);
	EXPECT_EQ(*c.windowToMs, firstNew + 1000);
	EXPECT_EQ(*c.cutoverDelayMs, firstNew - 250);
	EXPECT_EQ(m.maxDeadAirMs, 400);
	EXPECT_EQ(m.maxSwitchGapMs, 400);
}

TEST(StreamStitcher, SameTimestampOnOneConnectionIsNotADuplicate)
{
	StreamStitcher s("key");
	s.onPublish(1, 0);
	EXPECT_TRUE((bool)s.onMedia(1, 100, video(true), kKey, 1));
	EXPECT_TRUE((bool)s.onMedia(1, 100, video(false), kFrame, 2));
	EXPECT_EQ(s.summary().duplicateFrames, 0u);
	EXPECT_EQ(s.summary().videoFrames, 2u);
}

TEST(StreamStitcher, OverlappingPublishersHaveSmallDeadAir)
{
	// Make-before-break: connection 2 starts while 1 still sends; the largest gap in the seam
	// is between interleaved arrivals, not the negative first-new minus last-old.
	StreamStitcher s("key");
	s.onPublish(1, 0);
	s.onPublish(2, 50);
	s.onMedia(1, 0, video(true), kKey, 10);
	s.onMedia(2, 33, video(true), kKey, 60);
	s.onMedia(1, 66, video(false), kFrame, 80);
	s.onMedia(2, 99, video(false), kFrame, 90);
	const auto m = s.summary();
	ASSERT_EQ(m.cutovers.size(), 1u);
	EXPECT_EQ(*m.cutovers[0].switchGapMs, 20);
	EXPECT_EQ(*m.cutovers[0].deadAirMs, 50); // no signal: the window opens 1 s before the old's last media
	EXPECT_EQ(m.cutovers[0].signal, "none");
	EXPECT_FALSE(m.cutovers[0].cutoverDelayMs.has_value());
}

TEST(StreamStitcher, RepeatedSequenceHeadersAreWrittenOnce)
{
	StreamStitcher s("key");
	s.onPublish(1, 0);
	const auto header = MediaInfo::classify(Track::Video, kAvcHeader);
	EXPECT_TRUE((bool)s.onMedia(1, 0, header, kAvcHeader, 1));
	s.onPublish(2, 5);
	EXPECT_FALSE((bool)s.onMedia(2, 0, header, kAvcHeader, 6));
	std::vector<uint8_t> changed = kAvcHeader;
	changed.back() = 2;
	EXPECT_TRUE((bool)s.onMedia(2, 0, header, changed, 7));
	EXPECT_TRUE((bool)s.onMetadata(1, 1));
	EXPECT_FALSE((bool)s.onMetadata(2, 6));
	EXPECT_EQ(s.summary().videoFrames, 0u); // headers are not frames
}

TEST(StreamStitcher, MediaBeforePublishIsIgnored)
{
	StreamStitcher s("key");
	EXPECT_FALSE((bool)s.onMedia(9, 0, video(true), kKey, 1));
	EXPECT_EQ(s.summary().videoFrames, 0u);
}

TEST(StreamStitcher, TimestampResetIsShiftedToContinue)
{
	// Like OBS 29.0.2 after Go Away: the new connection restarts at 0.
	StreamStitcher s("key");
	s.onPublish(1, 0);
	for (uint32_t i = 0; i < 300; ++i) // 10 s
		ASSERT_TRUE(s.onMedia(1, i * 33, video(i % 60 == 0), i % 60 == 0 ? kKey : kFrame, 100 + i * 33));
	s.onSignal(1, "goaway", 9000);
	s.onPublish(2, 10000);
	auto header = s.onMedia(2, 0, MediaInfo::classify(Track::Video, kAvcHeader), kAvcHeader, 10050);
	ASSERT_TRUE(header.has_value());
	EXPECT_EQ(*header, 299u * 33); // written at the current end, not at 0
	auto key = s.onMedia(2, 0, video(true), kKey, 10060);
	ASSERT_TRUE(key.has_value());
	EXPECT_EQ(*key, 299u * 33 + 1);
	for (uint32_t i = 1; i < 30; ++i)
		EXPECT_EQ(*s.onMedia(2, i * 33, video(false), kFrame, 10060 + i * 33), 299u * 33 + 1 + i * 33);
	const auto m = s.summary();
	ASSERT_EQ(m.cutovers.size(), 1u);
	EXPECT_TRUE(m.cutovers[0].timestampReset);
	EXPECT_EQ(m.cutovers[0].timestampOffsetMs, 299 * 33 + 1);
	EXPECT_EQ(m.duplicateFrames, 0u);
	EXPECT_EQ(m.missingVideoFrames, 0u);
	EXPECT_EQ(m.uniqueVideoFrames, 330u);
}

TEST(StreamStitcher, ResendOfTheLastGopIsNotAReset)
{
	StreamStitcher s("key");
	s.onPublish(1, 0);
	for (uint32_t i = 0; i < 300; ++i)
		s.onMedia(1, i * 33, video(i % 60 == 0), kFrame, i * 33);
	s.onPublish(2, 10000);
	// Re-sends from the last keyframe (frame 240, 2 s back): duplicates, not a reset.
	for (uint32_t i = 240; i < 330; ++i)
		s.onMedia(2, i * 33, video(i == 240), kFrame, 10000 + i);
	const auto m = s.summary();
	EXPECT_FALSE(m.cutovers[0].timestampReset);
	EXPECT_EQ(m.duplicateFrames, 60u);
	EXPECT_EQ(m.uniqueVideoFrames, 330u);
}

namespace {

/** 30 fps video arriving every 33 ms on `connection` from `fromMs` (timestamp = arrival) to `toMs`. */
int64_t feedFrames(StreamStitcher &s, uint64_t connection, int64_t fromMs, int64_t toMs, int64_t holeAfterFirstMs = 0)
{
	int64_t at = fromMs;
	bool first = true;
	for (int64_t ts = fromMs; ts < toMs; ts += 33) {
		s.onMedia(connection, static_cast<uint32_t>(ts), video(first), first ? kKey : kFrame, at);
		at = first ? at + std::max<int64_t>(33, holeAfterFirstMs) : std::max(at + 1, ts + 33);
		first = false;
	}
	return at;
}

} // namespace

TEST(StreamStitcher, HoleAfterTheNewConnectionsKeyframeIsDeadAirThoughTheSwitchGapIsSmall)
{
	// Issue 19: the old connection's last frame and the new one's keyframe arrive 1 ms apart, then
	// the new connection stalls 90 ms. The switch gap misses it; the seam window does not.
	StreamStitcher s("key");
	s.onPublish(1, 0);
	feedFrames(s, 1, 0, 5000);
	s.onSignal(1, "goaway", 4500);
	s.onPublish(2, 4990);
	feedFrames(s, 2, 5000, 10000, /*holeAfterFirstMs=*/90);
	const auto m = s.summary();
	ASSERT_EQ(m.cutovers.size(), 1u);
	const Cutover &c = m.cutovers[0];
	EXPECT_LE(*c.switchGapMs, 34);
	EXPECT_EQ(*c.deadAirMs, 90);
	EXPECT_EQ(*c.windowFromMs, 3500);
	EXPECT_EQ(*c.windowToMs, 6000);
	EXPECT_EQ(m.maxDeadAirMs, 90);
	// Ordinary stretches: [1000, 3000), then after the seam window [6001, 8001]: 33 ms cadence.
	EXPECT_EQ(m.ordinaryWindows, 2u);
	EXPECT_EQ(m.ordinaryGapMs, 33);
	EXPECT_EQ(m.ordinaryGapMaxMs, 33);
}

TEST(StreamStitcher, OrdinaryGapIsTheMedianWindowsLargestGap)
{
	StreamStitcher s("key");
	s.onPublish(1, 0);
	// 8 s of packets every 20 ms; three missing at 6000-6040 make one 80 ms hiccup.
	for (int64_t at = 0; at < 8000; at += 20)
		if (at < 6000 || at > 6040)
			s.onMedia(1, static_cast<uint32_t>(at), video(at == 0), at == 0 ? kKey : kFrame, at);
	const auto m = s.summary();
	EXPECT_EQ(m.ordinaryWindows, 3u); // [1000,3000] [3000,5000] [5000,7000]; [7000,9000] runs past the end
	EXPECT_EQ(m.ordinaryGapMs, 20);
	EXPECT_EQ(m.ordinaryGapMaxMs, 80);
}
