#include "plugin/rtmp/Amf0.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using namespace goaway;
using amf0::Marker;
using amf0::Value;
using Bytes = std::vector<uint8_t>;

TEST(Amf0, NumberIsBigEndianIeee754)
{
	// 1.0 = 0x3FF0000000000000 (AMF0 spec 2.2).
	EXPECT_EQ(amf0::encode(Value::makeNumber(1.0)), (Bytes{0x00, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0}));
	size_t offset = 0;
	const Bytes bytes{0x00, 0x40, 0x08, 0, 0, 0, 0, 0, 0};
	auto v = amf0::decode(bytes, offset);
	ASSERT_TRUE(v);
	EXPECT_TRUE(v->isNumber());
	EXPECT_EQ(v->number, 3.0);
	EXPECT_EQ(offset, 9u);
}

TEST(Amf0, BooleanStringNull)
{
	EXPECT_EQ(amf0::encode(Value::makeBoolean(true)), (Bytes{0x01, 0x01}));
	EXPECT_EQ(amf0::encode(Value::makeString("ab")), (Bytes{0x02, 0x00, 0x02, 'a', 'b'}));
	EXPECT_EQ(amf0::encode(Value::makeNull()), (Bytes{0x05}));
	auto all = amf0::decodeAll(Bytes{0x01, 0x00, 0x02, 0x00, 0x01, 'x', 0x05, 0x06});
	ASSERT_TRUE(all);
	ASSERT_EQ(all->size(), 4u);
	EXPECT_TRUE((*all)[0].isBoolean());
	EXPECT_FALSE((*all)[0].boolean);
	EXPECT_EQ((*all)[1].string, "x");
	EXPECT_TRUE((*all)[2].isNull());
	EXPECT_TRUE((*all)[3].isNull()); // undefined reads as null-like
	EXPECT_EQ((*all)[3].type, Marker::Undefined);
}

TEST(Amf0, ObjectBytesAndOrder)
{
	Value o = Value::makeObject();
	o.set("app", Value::makeString("live"));
	o.set("supportsGoAway", Value::makeBoolean(true));
	Bytes expected{0x03, 0x00, 0x03, 'a', 'p', 'p', 0x02, 0x00, 0x04, 'l', 'i', 'v', 'e', 0x00, 0x0E};
	for (char c : std::string("supportsGoAway"))
		expected.push_back(static_cast<uint8_t>(c));
	expected.insert(expected.end(), {0x01, 0x01, 0x00, 0x00, 0x09});
	EXPECT_EQ(amf0::encode(o), expected);

	size_t offset = 0;
	auto back = amf0::decode(expected, offset);
	ASSERT_TRUE(back);
	ASSERT_EQ(back->properties.size(), 2u);
	EXPECT_EQ(back->properties[0].first, "app");
	EXPECT_EQ(back->getString("app"), "live");
	ASSERT_NE(back->get("supportsGoAway"), nullptr);
	EXPECT_TRUE(back->get("supportsGoAway")->boolean);
	EXPECT_EQ(back->get("missing"), nullptr);
}

TEST(Amf0, SetReplacesExistingKey)
{
	Value o = Value::makeObject();
	o.set("k", Value::makeNumber(1));
	o.set("k", Value::makeNumber(2));
	ASSERT_EQ(o.properties.size(), 1u);
	EXPECT_EQ(o.get("k")->number, 2);
}

TEST(Amf0, NestedRoundTrip)
{
	Value meta = Value::makeEcmaArray();
	meta.set("width", Value::makeNumber(640));
	meta.set("encoder", Value::makeString("test"));
	Value list = Value::makeStrictArray({Value::makeString("avc1"), Value::makeString("hvc1")});
	Value connect = Value::makeObject();
	connect.set("fourCcList", list);
	connect.set("capsEx", Value::makeNumber(1));
	connect.set("meta", meta);
	Value date;
	date.type = Marker::Date;
	date.number = 1.5e12;
	connect.set("when", date);

	auto bytes = amf0::encode(connect);
	size_t offset = 0;
	auto back = amf0::decode(bytes, offset);
	ASSERT_TRUE(back);
	EXPECT_EQ(offset, bytes.size());
	EXPECT_EQ(amf0::encode(*back), bytes); // byte-exact round trip
	const Value *fourCc = back->get("fourCcList");
	ASSERT_NE(fourCc, nullptr);
	ASSERT_EQ(fourCc->type, Marker::StrictArray);
	ASSERT_EQ(fourCc->items.size(), 2u);
	EXPECT_EQ(fourCc->items[1].string, "hvc1");
	EXPECT_EQ(back->get("meta")->type, Marker::EcmaArray);
	EXPECT_EQ(back->get("meta")->get("width")->number, 640);
	EXPECT_EQ(back->get("when")->number, 1.5e12);
}

TEST(Amf0, EcmaArrayCountIsOnlyAHint)
{
	// FFmpeg writes a count that need not match; the object end terminates the array.
	Bytes bytes{0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 'a',  0x00, 0x40,
		    0x00, 0,    0,    0,    0,    0,    0,    0x00, 0x00, 0x09};
	size_t offset = 0;
	auto v = amf0::decode(bytes, offset);
	ASSERT_TRUE(v);
	EXPECT_EQ(v->get("a")->number, 2.0);
}

TEST(Amf0, LongStringForBigStrings)
{
	std::string big(70000, 'x');
	auto bytes = amf0::encode(Value::makeString(big));
	ASSERT_EQ(bytes[0], 0x0C);
	EXPECT_EQ(bytes.size(), 1u + 4u + big.size());
	size_t offset = 0;
	auto v = amf0::decode(bytes, offset);
	ASSERT_TRUE(v);
	EXPECT_TRUE(v->isString());
	EXPECT_EQ(v->string.size(), big.size());
}

TEST(Amf0, TruncatedInputIsAnErrorAtEveryCut)
{
	Value o =
		Value::makeObject({{"tcUrl", Value::makeString("rtmp://127.0.0.1/live")}, {"n", Value::makeNumber(5)}});
	auto bytes = amf0::encode(o);
	for (size_t cut = 0; cut < bytes.size(); ++cut) {
		Bytes part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
		size_t offset = 0;
		auto v = amf0::decode(part, offset);
		EXPECT_FALSE(v) << "cut at " << cut;
		if (!v) {
			EXPECT_EQ(v.error().code, ErrorCode::Protocol);
		}
		EXPECT_EQ(offset, 0u);
	}
}

TEST(Amf0, UnknownMarkerAndReferenceAreErrors)
{
	size_t offset = 0;
	EXPECT_FALSE(amf0::decode(Bytes{0x42}, offset));
	EXPECT_FALSE(amf0::decode(Bytes{0x07, 0x00, 0x01}, offset));
	EXPECT_FALSE(amf0::decode(Bytes{0x11, 0x01}, offset));
}

TEST(Amf0, StrictArrayCountBeyondInputIsAnError)
{
	size_t offset = 0;
	auto v = amf0::decode(Bytes{0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x05}, offset);
	ASSERT_FALSE(v);
	EXPECT_EQ(v.error().code, ErrorCode::Protocol);
}

TEST(Amf0, DeepNestingIsRejectedNotACrash)
{
	Bytes bytes;
	for (int i = 0; i < 100000; ++i) // strict arrays of one element, nested
		bytes.insert(bytes.end(), {0x0A, 0x00, 0x00, 0x00, 0x01});
	bytes.push_back(0x05);
	size_t offset = 0;
	auto v = amf0::decode(bytes, offset);
	ASSERT_FALSE(v);
	EXPECT_EQ(v.error().code, ErrorCode::Protocol);
}

TEST(Amf0, TypedObjectReadsAsObject)
{
	Bytes bytes{0x10, 0x00, 0x01, 'C', 0x00, 0x01, 'k', 0x01, 0x01, 0x00, 0x00, 0x09};
	size_t offset = 0;
	auto v = amf0::decode(bytes, offset);
	ASSERT_TRUE(v);
	EXPECT_TRUE(v->isObject());
	EXPECT_TRUE(v->get("k")->boolean);
}
