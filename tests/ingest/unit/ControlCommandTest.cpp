#include "tests/ingest/ControlCommand.hpp"

#include <gtest/gtest.h>

using namespace goaway::ingest;

TEST(ControlCommand, VerbAndArguments)
{
	auto c = ControlCommand::parse("goaway stream=abc body=empty csid=3");
	EXPECT_EQ(c.verb, "goaway");
	EXPECT_TRUE(c.error.empty());
	EXPECT_EQ(*c.get("stream"), "abc");
	EXPECT_EQ(*c.integer("csid", 2), 3);
	EXPECT_EQ(*c.integer("conn", -1), -1);
	EXPECT_FALSE(c.get("node"));
}

TEST(ControlCommand, Errors)
{
	EXPECT_FALSE(ControlCommand::parse("goaway stream").error.empty());
	EXPECT_FALSE(ControlCommand::parse("goaway =x").error.empty());
	auto c = ControlCommand::parse("goaway csid=three");
	EXPECT_FALSE(c.integer("csid", 2).has_value());
}
