#include "tests/ingest/Options.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace goaway::ingest;

namespace {

goaway::Result<Options> parse(std::vector<const char *> args)
{
	args.insert(args.begin(), "goaway-ingest");
	return Options::parse(static_cast<int>(args.size()), args.data());
}

} // namespace

TEST(Options, NodesWithFaultKnobs)
{
	auto o = parse({"--listen", "127.0.0.1:0", "--listen", "[::1]:1936,name=edge,latency=50,reject-publish",
			"--listen", "127.0.0.1:0,refuse", "--listen", "127.0.0.1:0,hang,drop-mid-gop=2s",
			"--latency-ms", "7"});
	ASSERT_TRUE(o) << o.error().message;
	ASSERT_EQ(o->nodes.size(), 4u);
	EXPECT_EQ(o->nodes[0].name, "n0");
	EXPECT_EQ(o->nodes[0].latencyMs, 7);
	EXPECT_EQ(o->nodes[1].name, "edge");
	EXPECT_EQ(o->nodes[1].host, "::1");
	EXPECT_EQ(o->nodes[1].port, 1936);
	EXPECT_EQ(o->nodes[1].latencyMs, 50);
	EXPECT_TRUE(o->nodes[1].rejectPublish);
	EXPECT_TRUE(o->nodes[2].refuse);
	EXPECT_TRUE(o->nodes[3].hang);
	EXPECT_EQ(o->nodes[3].dropMidGopMs, 2000);
}

TEST(Options, FailuresWithoutASignal)
{
	auto o = parse({"--listen", "127.0.0.1:0,reset-after=5s,faults=3", "--listen",
			"127.0.0.1:0,stall-after=2s,stall-hold=500ms,ack=off", "--listen", "127.0.0.1:0,ack=on",
			"--mode", "reset", "--goaway-every", "10s", "--signal-count", "3"});
	ASSERT_TRUE(o) << o.error().message;
	ASSERT_EQ(o->nodes.size(), 3u);
	EXPECT_EQ(o->nodes[0].resetAfterMs, 5000);
	EXPECT_EQ(o->nodes[0].faultLimit, 3);
	EXPECT_EQ(o->nodes[0].stallAfterMs, -1);
	EXPECT_TRUE(o->nodes[0].ack);
	EXPECT_EQ(o->nodes[1].stallAfterMs, 2000);
	EXPECT_EQ(o->nodes[1].stallHoldMs, 500);
	EXPECT_FALSE(o->nodes[1].ack);
	EXPECT_EQ(o->nodes[1].faultLimit, 0);
	EXPECT_TRUE(o->nodes[2].ack);
	EXPECT_EQ(o->mode, SignalMode::Reset);
	EXPECT_EQ(parse({"--mode", "stall"})->mode, SignalMode::Stall);
	EXPECT_FALSE(parse({"--listen", "127.0.0.1:0,ack=maybe"}));
	EXPECT_FALSE(parse({"--listen", "127.0.0.1:0,reset-after"}));
	EXPECT_FALSE(parse({"--listen", "127.0.0.1:0,stall-after=-1s"}));
	EXPECT_FALSE(parse({"--listen", "127.0.0.1:0,faults=0"}));
	EXPECT_EQ(parse({"--listen", "127.0.0.1:0,read-rate=800"})->nodes[0].readRateKbps, 800);
	EXPECT_EQ(parse({"--listen", "127.0.0.1:0"})->nodes[0].readRateKbps, 0);
	for (const char *bad : {"read-rate=0", "read-rate=-5", "read-rate=fast", "read-rate=", "read-rate=20000000"}) {
		const std::string node = std::string("127.0.0.1:0,") + bad;
		EXPECT_FALSE(parse({"--listen", node.c_str()})) << bad;
	}
	EXPECT_FALSE(parse({"--mode", "explode"}));
	const std::string help = Options::helpText();
	for (const char *knob : {"reset-after=", "stall-after=", "stall-hold=", "faults=", "ack=on|off",
				 "read-rate=KBIT", "reset = TCP RST"})
		EXPECT_NE(help.find(knob), std::string::npos) << knob;
}

TEST(Options, SignalFlags)
{
	auto o = parse({"--signal", "reconnect", "--reconnect-tcurl", "scheme-relative", "--goaway-every", "10s",
			"--goaway-body", "empty", "--goaway-csid", "7", "--mode", "close", "--signal-all", "--control",
			"127.0.0.1:0", "--duration", "1.5"});
	ASSERT_TRUE(o) << o.error().message;
	EXPECT_EQ(o->signal, SignalKind::Reconnect);
	EXPECT_EQ(o->reconnectTcUrl, TcUrlForm::SchemeRelative);
	EXPECT_EQ(o->signalEveryMs, 10000);
	EXPECT_TRUE(o->goAwayEmptyBody);
	EXPECT_EQ(o->goAwayChunkStreamId, 7u);
	EXPECT_EQ(o->mode, SignalMode::Close);
	EXPECT_TRUE(o->signalAll);
	EXPECT_EQ(o->controlPort, 0);
	EXPECT_DOUBLE_EQ(o->durationSeconds, 1.5);
	ASSERT_EQ(o->nodes.size(), 1u); // default node
	EXPECT_EQ(o->nodes[0].port, 1935);
}

TEST(Options, ErrorsNameTheFlag)
{
	auto bad = parse({"--control", "0.0.0.0:0"});
	ASSERT_FALSE(bad);
	EXPECT_NE(bad.error().message.find("--control"), std::string::npos);
	EXPECT_FALSE(parse({"--listen", "127.0.0.1"}));
	EXPECT_FALSE(parse({"--listen", "127.0.0.1:70000"}));
	EXPECT_FALSE(parse({"--listen", "127.0.0.1:0,bogus"}));
	EXPECT_FALSE(parse({"--goaway-body", "3bytes"}));
	EXPECT_FALSE(parse({"--goaway-csid", "1"}));
	EXPECT_FALSE(parse({"--signal"}));
	EXPECT_FALSE(parse({"--wat"}));
}

TEST(Options, Durations)
{
	EXPECT_EQ(*Options::parseDurationMs("500ms"), 500);
	EXPECT_EQ(*Options::parseDurationMs("10s"), 10000);
	EXPECT_EQ(*Options::parseDurationMs("2m"), 120000);
	EXPECT_EQ(*Options::parseDurationMs("3"), 3000);
	EXPECT_FALSE(Options::parseDurationMs("soon"));
	EXPECT_FALSE(Options::parseDurationMs("-1s"));
}

TEST(Options, HelpMentionsEveryFlag)
{
	const std::string help = Options::helpText();
	for (const char *flag : {"--listen", "--latency-ms", "--refuse-second-publisher", "--signal ", "--mode",
				 "--goaway-every", "--goaway-body", "--goaway-csid", "--reconnect-tcurl",
				 "--signal-all", "--control", "--ready-file", "--report", "--flv-dir", "--duration",
				 "--chunk-size", "--max-chunk-size", "--show-stream-names", "--verbose"})
		EXPECT_NE(help.find(flag), std::string::npos) << flag;
}
