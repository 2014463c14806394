#include "plugin/rtmp/Command.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using namespace goaway;
using namespace goaway::rtmp;
using amf0::Value;
using Bytes = std::vector<uint8_t>;

TEST(Command, RoundTripConnect)
{
	Command c;
	c.name = "connect";
	c.transactionId = 1;
	c.commandObject = Value::makeObject({{"app", Value::makeString("live")},
					     {"type", Value::makeString("nonprivate")},
					     {"supportsGoAway", Value::makeBoolean(true)},
					     {"capsEx", Value::makeNumber(1)}});
	Message m = makeCommandMessage(c);
	EXPECT_EQ(m.type, 20);
	EXPECT_EQ(m.chunkStreamId, 3u);
	EXPECT_EQ(m.streamId, 0u);
	auto back = parseCommand(m);
	ASSERT_TRUE(back);
	EXPECT_EQ(back->name, "connect");
	EXPECT_EQ(back->transactionId, 1);
	EXPECT_TRUE(back->commandObject.get("supportsGoAway")->boolean);
	EXPECT_EQ(back->commandObject.get("capsEx")->number, 1);
	EXPECT_TRUE(back->arguments.empty());
	EXPECT_EQ(back->info(), nullptr);
}

TEST(Command, ReconnectRequestShape)
{
	// E-RTMP v2: onStatus, transaction 0, null command object, info object.
	Command c;
	c.name = "onStatus";
	c.commandObject = Value::makeNull();
	c.arguments.push_back(Value::makeObject({{"level", Value::makeString("status")},
						 {"code", Value::makeString("NetConnection.Connect.ReconnectRequest")},
						 {"tcUrl", Value::makeString("/live")}}));
	Message m = makeCommandMessage(c, 0);
	// Bytes start: string "onStatus", number 0, null.
	const Bytes head{0x02, 0x00, 0x08, 'o', 'n', 'S', 't', 'a', 't', 'u', 's', 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x05};
	ASSERT_GE(m.payload.size(), head.size());
	EXPECT_EQ(Bytes(m.payload.begin(), m.payload.begin() + static_cast<std::ptrdiff_t>(head.size())), head);
	auto back = parseCommand(m);
	ASSERT_TRUE(back);
	ASSERT_NE(back->info(), nullptr);
	EXPECT_EQ(back->info()->getString("code"), "NetConnection.Connect.ReconnectRequest");
	EXPECT_EQ(back->info()->getString("tcUrl"), "/live");
}

TEST(Command, Amf3CommandWithSwitchByte)
{
	Command c;
	c.name = "publish";
	c.transactionId = 5;
	c.arguments = {Value::makeString("key"), Value::makeString("live")};
	Message m = makeCommandMessage(c, 1);
	m.type = 17;
	m.payload.insert(m.payload.begin(), 0x00);
	auto back = parseCommand(m);
	ASSERT_TRUE(back);
	EXPECT_EQ(back->name, "publish");
	ASSERT_EQ(back->arguments.size(), 2u);
	EXPECT_EQ(back->arguments[1].string, "live");
}

TEST(Command, BrokenBodiesAreErrors)
{
	Message m;
	m.type = 20;
	m.payload = {0x00, 0, 0, 0, 0, 0, 0, 0, 0}; // a number where the name should be
	EXPECT_FALSE(parseCommand(m));
	m.payload = {0x02, 0x00, 0x09, 'c'}; // truncated name
	EXPECT_FALSE(parseCommand(m));
	m.payload = {0x02, 0x00, 0x01, 'c', 0x02, 0x00, 0x00}; // string transaction id
	EXPECT_FALSE(parseCommand(m));
	m.payload = {};
	EXPECT_FALSE(parseCommand(m));
	m.type = 9;
	m.payload = {0x02, 0x00, 0x01, 'c'};
	EXPECT_FALSE(parseCommand(m));
}

TEST(Command, DataMessageRoundTrip)
{
	Message m = makeDataMessage({Value::makeString("@setDataFrame"), Value::makeString("onMetaData"),
				     Value::makeEcmaArray({{"width", Value::makeNumber(640)}})},
				    1);
	EXPECT_EQ(m.type, 18);
	auto values = parseData(m);
	ASSERT_TRUE(values);
	ASSERT_EQ(values->size(), 3u);
	EXPECT_EQ((*values)[0].string, "@setDataFrame");
	EXPECT_EQ((*values)[2].get("width")->number, 640);
}
