#include "tests/ingest/MediaInfo.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace goaway::ingest;
using Bytes = std::vector<uint8_t>;

TEST(MediaInfo, AvcHeaderKeyframeAndInterFrame)
{
	auto h = MediaInfo::classify(Track::Video, Bytes{0x17, 0x00, 0, 0, 0});
	EXPECT_TRUE(h.sequenceHeader);
	EXPECT_FALSE(h.frame);
	auto k = MediaInfo::classify(Track::Video, Bytes{0x17, 0x01, 0, 0, 0});
	EXPECT_TRUE(k.frame);
	EXPECT_TRUE(k.keyframe);
	auto p = MediaInfo::classify(Track::Video, Bytes{0x27, 0x01, 0, 0, 0});
	EXPECT_TRUE(p.frame);
	EXPECT_FALSE(p.keyframe);
	auto end = MediaInfo::classify(Track::Video, Bytes{0x17, 0x02, 0, 0, 0});
	EXPECT_FALSE(end.frame);
	EXPECT_FALSE(end.sequenceHeader);
	EXPECT_FALSE(MediaInfo::classify(Track::Video, Bytes{}).frame);
}

TEST(MediaInfo, EnhancedRtmpVideo)
{
	// 0x80 | frame type 1 << 4 | packet type: SequenceStart 0, CodedFrames 1, CodedFramesX 3.
	EXPECT_TRUE(MediaInfo::classify(Track::Video, Bytes{0x90, 'h', 'v', 'c', '1'}).sequenceHeader);
	auto key = MediaInfo::classify(Track::Video, Bytes{0x93, 'h', 'v', 'c', '1', 0});
	EXPECT_TRUE(key.frame);
	EXPECT_TRUE(key.keyframe);
	auto inter = MediaInfo::classify(Track::Video, Bytes{0xA1, 'a', 'v', '0', '1', 0, 0, 0, 0});
	EXPECT_TRUE(inter.frame);
	EXPECT_FALSE(inter.keyframe);
	EXPECT_FALSE(MediaInfo::classify(Track::Video, Bytes{0x94, 'h', 'v', 'c', '1'}).frame); // metadata
}

TEST(MediaInfo, AacAndOtherAudio)
{
	EXPECT_TRUE(MediaInfo::classify(Track::Audio, Bytes{0xAF, 0x00, 0x12, 0x10}).sequenceHeader);
	auto f = MediaInfo::classify(Track::Audio, Bytes{0xAF, 0x01, 0x21});
	EXPECT_TRUE(f.frame);
	EXPECT_FALSE(f.sequenceHeader);
	EXPECT_TRUE(MediaInfo::classify(Track::Audio, Bytes{0x2F, 0xFF}).frame); // MP3
	EXPECT_TRUE(MediaInfo::classify(Track::Audio, Bytes{0x90, 'O', 'p', 'u', 's'}).sequenceHeader);
	EXPECT_TRUE(MediaInfo::classify(Track::Audio, Bytes{0x91, 'O', 'p', 'u', 's', 1}).frame);
}
