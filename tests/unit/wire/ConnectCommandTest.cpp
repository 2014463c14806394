#include "plugin/rtmp/ConnectCommand.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace goaway::rtmp;
using Bytes = std::vector<uint8_t>;

namespace {

// AMF0 written by hand from the AMF0 spec (2.2 number, 2.3 boolean, 2.4 string, 2.5 object,
// 2.12 strict array), independent of the encoder under test.
void key(Bytes &b, const std::string &k)
{
	b.push_back(uint8_t(k.size() >> 8));
	b.push_back(uint8_t(k.size()));
	b.insert(b.end(), k.begin(), k.end());
}
void str(Bytes &b, const std::string &s)
{
	b.push_back(0x02);
	key(b, s);
}
void num(Bytes &b, double v)
{
	b.push_back(0x00);
	uint64_t bits;
	std::memcpy(&bits, &v, 8);
	for (int i = 7; i >= 0; --i)
		b.push_back(uint8_t(bits >> (i * 8)));
}
void end(Bytes &b)
{
	b.insert(b.end(), {0x00, 0x00, 0x09});
}

Bytes expectedPrefix()
{
	Bytes b;
	str(b, "connect");
	num(b, 1);
	b.push_back(0x03);
	key(b, "app");
	str(b, "live");
	key(b, "type");
	str(b, "nonprivate");
	key(b, "supportsGoAway");
	b.insert(b.end(), {0x01, 0x01}); // AMF0 boolean true, not the number 1
	key(b, "flashVer");
	str(b, "FMLE/3.0 (compatible; obs-rtmp-goaway)");
	key(b, "tcUrl");
	str(b, "rtmp://127.0.0.1:1935/live");
	key(b, "capsEx");
	num(b, 1);
	return b;
}

} // namespace

TEST(ConnectCommand, H264BodyIsByteExact)
{
	ConnectParams p;
	p.app = "live";
	p.tcUrl = "rtmp://127.0.0.1:1935/live";
	Bytes expected = expectedPrefix();
	end(expected);
	EXPECT_EQ(buildConnectBody(p), expected);
}

TEST(ConnectCommand, HevcAddsFourCcFields)
{
	ConnectParams p;
	p.app = "live";
	p.tcUrl = "rtmp://127.0.0.1:1935/live";
	p.codec = VideoCodec::Hevc;
	Bytes expected = expectedPrefix();
	key(expected, "fourCcList");
	expected.insert(expected.end(), {0x0A, 0, 0, 0, 1});
	str(expected, "hvc1");
	key(expected, "videoFourCcInfoMap");
	expected.push_back(0x03);
	key(expected, "hvc1");
	num(expected, 2); // CanEncode
	end(expected);
	end(expected);
	EXPECT_EQ(buildConnectBody(p), expected);
}

TEST(ConnectCommand, Av1UsesAv01)
{
	ConnectParams p;
	p.app = "a";
	p.tcUrl = "rtmp://h/a";
	p.codec = VideoCodec::Av1;
	auto object = buildConnectObject(p);
	const auto *list = object.get("fourCcList");
	ASSERT_NE(list, nullptr);
	ASSERT_EQ(list->items.size(), 1u);
	EXPECT_EQ(list->items[0].string, "av01");
	ASSERT_NE(object.get("videoFourCcInfoMap"), nullptr);
	EXPECT_NE(object.get("videoFourCcInfoMap")->get("av01"), nullptr);
}

TEST(ConnectCommand, GoAwayCanBeLeftOut)
{
	ConnectParams p;
	p.app = "a";
	p.tcUrl = "rtmp://h/a";
	p.supportsGoAway = false;
	auto object = buildConnectObject(p);
	EXPECT_EQ(object.get("supportsGoAway"), nullptr);
	ASSERT_NE(object.get("capsEx"), nullptr);
	EXPECT_EQ(object.get("capsEx")->number, 1);
}
