#include "plugin/handoff/BacklogLedger.hpp"

#include <gtest/gtest.h>

namespace goaway::handoff {
namespace {

TEST(BacklogLedger, TracksBytesTrimsAndFindsCutPoints)
{
	BacklogLedger b;
	EXPECT_FALSE(b.frontSeq());
	EXPECT_FALSE(b.newestCutPoint());
	b.push({1, 500, true, 40});
	b.push({2, 100, false});
	b.push({3, 400, true});
	b.push({4, 100, false});
	EXPECT_EQ(b.bytes(), 1100u);
	EXPECT_EQ(b.newestCutPoint(), PacketSeq{3});
	EXPECT_EQ(b.dtsOf(1), std::int64_t{40});
	EXPECT_FALSE(b.dtsOf(9));
	EXPECT_EQ(b.spanFrom(3).packets, 2u);
	EXPECT_EQ(b.spanFrom(3).bytes, 500u);
	EXPECT_EQ(b.countBetween(2, 3), 2u);
	EXPECT_EQ(b.oldestCutPointWithin(1100), PacketSeq{1});
	EXPECT_EQ(b.oldestCutPointWithin(1099), PacketSeq{3});
	EXPECT_FALSE(b.oldestCutPointWithin(99));
	EXPECT_EQ(b.trimBefore(3), 2u);
	EXPECT_EQ(b.bytes(), 500u);
	EXPECT_EQ(b.frontSeq(), PacketSeq{3});
	EXPECT_EQ(b.backSeq(), PacketSeq{4});
	b.clear();
	EXPECT_TRUE(b.empty());
	EXPECT_EQ(b.bytes(), 0u);
}

} // namespace
} // namespace goaway::handoff
