// Handoff records and state as JSON (the `handoff` signal, get_handoffs, obs-websocket): the dump
// never throws, whatever text reached a record.

#include "plugin/output/HandoffJson.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace goaway;

TEST(HandoffJson, ARecordWithInvalidUtf8TextSerialisesInsteadOfAborting)
{
	// Before the text boundary existed, a server's Latin-1 ReconnectRequest description reached
	// the record and nlohmann::json::dump() threw on the send thread: std::terminate, OBS gone.
	handoff::HandoffRecord r;
	r.triggerDetail = "Serveur arr\xEAt\xE9";
	r.failureReason = std::string("\xFF\xFE", 2);
	const auto epoch = handoff::TimePoint{};
	std::string text;
	ASSERT_NO_THROW(text = output::jsonText(output::handoffRecordToJson(r, epoch)));
	auto back = nlohmann::json::parse(text);
	EXPECT_EQ(back["detail"], "Serveur arr\xEF\xBF\xBDt\xEF\xBF\xBD");
	EXPECT_EQ(back["failureReason"], "\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST(HandoffJson, NonFiniteNumbersBecomeNullNotInvalidJson)
{
	nlohmann::json j = {{"nan", std::nan("")}, {"inf", -std::numeric_limits<double>::infinity()}};
	auto back = nlohmann::json::parse(output::jsonText(j));
	EXPECT_TRUE(back["nan"].is_null());
	EXPECT_TRUE(back["inf"].is_null());
}
