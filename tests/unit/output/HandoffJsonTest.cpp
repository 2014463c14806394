// Handoff records and state as JSON (the `handoff` signal, get_handoffs, obs-websocket): the dump
// never throws, whatever text reached a record.

#include "plugin/output/HandoffJson.hpp"
#include "plugin/ingest/Candidate.hpp"
#include "plugin/output/LiveFigures.hpp"

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

TEST(HandoffJson, DeadPathRecordsSayHowSureTheLossFigureIs)
{
	// Issue 16: "framesLost": 0 only counts as known when the old server's acknowledgements said
	// so; the fields before it keep their names and types.
	handoff::HandoffRecord r;
	r.trigger = handoff::Trigger::DeadPath;
	r.detectionMs = 2040;
	r.lossBasis = handoff::AckSource::ServerAcks;
	auto j = output::handoffRecordToJson(r, handoff::TimePoint{});
	EXPECT_EQ(j["trigger"], "DeadPath");
	EXPECT_EQ(j["detectionMs"], 2040);
	EXPECT_EQ(j["framesLost"], 0);
	EXPECT_EQ(j["framesLostKnown"], true);
	EXPECT_EQ(j["lossBasis"], "server-acks");
	r.lossBasis = handoff::AckSource::Tcp;
	j = output::handoffRecordToJson(r, handoff::TimePoint{});
	EXPECT_EQ(j["framesLostKnown"], false);
	EXPECT_EQ(j["lossBasis"], "tcp");
	r = handoff::HandoffRecord{}; // a Go Away handoff: the old connection was not lost
	j = output::handoffRecordToJson(r, handoff::TimePoint{});
	EXPECT_EQ(j["framesLostKnown"], true);
	EXPECT_TRUE(j["lossBasis"].is_null());
	EXPECT_TRUE(j["detectionMs"].is_null());
}

TEST(HandoffJson, CongestionIsCountedOncePerEpisodeAndShownInTheState)
{
	output::LiveFigures figures{rtmp::SessionOptions{}};
	figures.setPathCongested(true);
	figures.setPathCongested(true); // still the same episode
	auto j = output::snapshotToJson(figures.read());
	EXPECT_EQ(j["pathCongested"], true);
	EXPECT_EQ(j["congestionEpisodes"], 1);
	figures.setPathCongested(false);
	figures.setPathCongested(true);
	figures.setPathCongested(false);
	j = output::snapshotToJson(figures.read());
	EXPECT_EQ(j["pathCongested"], false);
	EXPECT_EQ(j["congestionEpisodes"], 2);
}

TEST(HandoffJson, TheStateSaysWhatEachResolverSourceGave)
{
	output::LiveFigures figures{rtmp::SessionOptions{}};
	EXPECT_TRUE(output::snapshotToJson(figures.read())["resolverSources"].empty());
	ingest::Resolution r;
	ingest::Candidate dns;
	dns.source = ingest::CandidateSource::Dns;
	dns.draining = true;
	ingest::Candidate backup;
	backup.source = ingest::CandidateSource::Backup;
	r.candidates = {backup, dns};
	// A reason quoting a hostile server's scheme: bounded, printable text by the time it is shown.
	r.failures = {{ingest::CandidateSource::TcUrl, "server's tcUrl refused: scheme '\x1b[2Jx' is not rtmp"},
		      {ingest::CandidateSource::Dns, "the host name resolves only to the draining node"}};
	using S = ingest::CandidateSource;
	figures.setResolverSources(ingest::contributions(r, {S::TcUrl, S::Dns, S::Backup, S::Configured}));
	auto j = output::snapshotToJson(figures.read())["resolverSources"];
	ASSERT_EQ(j.size(), 3u); // the configured URL gave nothing and had no reason: left out
	EXPECT_EQ(j[0]["source"], "tcUrl");
	EXPECT_EQ(j[0]["usable"], 0);
	EXPECT_EQ(j[0]["reason"].get<std::string>().find('\x1b'), std::string::npos);
	EXPECT_EQ(j[1]["source"], "DNS");
	EXPECT_EQ(j[1]["draining"], 1);
	EXPECT_EQ(j[1]["reason"], "the host name resolves only to the draining node");
	EXPECT_EQ(j[2]["source"], "backup URL");
	EXPECT_EQ(j[2]["usable"], 1);
	EXPECT_EQ(j[2]["reason"], "");
}
