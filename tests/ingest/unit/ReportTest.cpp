#include "tests/ingest/Report.hpp"

#include <gtest/gtest.h>

using namespace goaway::ingest;

namespace {

ConnectionRecord published(uint64_t id)
{
	ConnectionRecord c;
	c.id = id;
	c.node = "n0";
	c.connectReceived = true;
	c.stream = "secretkey";
	c.publishedAtMs = 10;
	c.metadataFirst = true;
	return c;
}

} // namespace

TEST(Report, FirstMediaRules)
{
	ConnectionRecord audioOnly = published(1);
	audioOnly.sawAudioFrame = true;
	audioOnly.audioHeaderFirst = true;
	EXPECT_TRUE(Report::connectionJson(audioOnly, {}, false)["firstMedia"]["ok"].get<bool>());

	ConnectionRecord noKeyframe = published(2);
	noKeyframe.sawVideoFrame = true;
	noKeyframe.videoHeaderFirst = true;
	noKeyframe.firstVideoKeyframe = false;
	EXPECT_FALSE(Report::connectionJson(noKeyframe, {}, false)["firstMedia"]["ok"].get<bool>());

	ConnectionRecord nothing = published(3);
	EXPECT_FALSE(Report::connectionJson(nothing, {}, false)["firstMedia"]["ok"].get<bool>());

	ConnectionRecord never;
	never.id = 4;
	EXPECT_TRUE(Report::connectionJson(never, {}, false)["firstMedia"].is_null());
	EXPECT_TRUE(Report::connectionJson(never, {}, false)["connect"].is_null());
}

TEST(Report, StreamNamesAreRedactedUnlessAsked)
{
	const ConnectionRecord c = published(1);
	StreamReport s;
	s.summary.name = "secretkey";
	const auto redacted = Report::build({c}, {s}, false);
	EXPECT_EQ(redacted["connections"][0]["stream"], "****");
	EXPECT_EQ(redacted["streams"][0]["name"], "****");
	EXPECT_EQ(redacted.dump().find("secretkey"), std::string::npos);
	EXPECT_EQ(redacted["streams"][0]["id"], redacted["connections"][0]["streamId"]);
	const auto shown = Report::build({c}, {s}, true);
	EXPECT_EQ(shown["streams"][0]["name"], "secretkey");
}

TEST(Report, SignalActedOnAndSummaryLine)
{
	ConnectionRecord old = published(1);
	old.closeReason = "client closed";
	old.videoFrames = 100;
	old.signalsSent.push_back({"goaway", 500, 60});
	ConnectionRecord next = published(2);
	StreamReport s;
	s.summary.name = "secretkey";
	s.summary.uniqueVideoFrames = 180;
	s.summary.uniqueAudioFrames = 250;
	s.summary.missingVideoFrames = 2;
	s.summary.missingAudioFrames = 1;
	s.summary.duplicateFrames = 3;
	s.summary.maxDeadAirMs = 140;
	s.summary.ordinaryGapMs = 36;
	s.summary.maxSwitchGapMs = 2;
	Cutover cut;
	cut.fromConnection = 1;
	cut.toConnection = 2;
	cut.signal = "goaway";
	cut.signalAtMs = 500;
	s.summary.cutovers.push_back(cut);
	const auto r = Report::build({old, next}, {s}, false);
	const auto &signal = r["connections"][0]["signalsSent"][0];
	EXPECT_TRUE(signal["actedOn"].get<bool>());
	EXPECT_EQ(signal["framesAfter"], 40);
	EXPECT_EQ(r["signalsSent"], 1);
	EXPECT_EQ(r["summary"], "goaway-ingest: streams=1 connections=2 video=180 audio=250 missing=3 duplicates=3 "
				"max_dead_air_ms=140 ordinary_gap_ms=36 max_switch_gap_ms=2 signals=1");
}

TEST(Report, FaultsWithWhatTheNodeHadRead)
{
	ConnectionRecord c = published(1);
	c.closeReason = "server reset (node fault)";
	c.videoFrames = 40;
	c.audioFrames = 62;
	c.bytes = 123456;
	c.faults.push_back({"stall", "stall-after", 1500, 40, 62, 123456});
	c.faults.push_back({"reset", "stall-hold", 4500, 40, 62, 123456});
	c.windowAckSize = 10000;
	c.acknowledgements = 12;
	c.lastAckSequence = 120000;
	const auto r = Report::build({c}, {}, false);
	const auto &faults = r["connections"][0]["faults"];
	ASSERT_EQ(faults.size(), 2u);
	EXPECT_EQ(faults[0]["kind"], "stall");
	EXPECT_EQ(faults[0]["cause"], "stall-after");
	EXPECT_EQ(faults[0]["atMs"], 1500);
	EXPECT_EQ(faults[0]["videoFramesRead"], 40);
	EXPECT_EQ(faults[0]["audioFramesRead"], 62);
	EXPECT_EQ(faults[0]["framesRead"], 102);
	EXPECT_EQ(faults[0]["bytesRead"], 123456);
	EXPECT_EQ(faults[1]["kind"], "reset");
	EXPECT_EQ(r["connections"][0]["windowAckSize"], 10000);
	EXPECT_EQ(r["connections"][0]["acknowledgements"], 12);
	EXPECT_EQ(r["connections"][0]["lastAckSequence"], 120000);
	EXPECT_EQ(r["faultsInjected"], 2);
	EXPECT_NE(r["summary"].get<std::string>().find(" signals=0 faults=2"), std::string::npos);
}
