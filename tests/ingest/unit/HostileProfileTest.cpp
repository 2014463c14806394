#include "tests/ingest/HostileProfile.hpp"
#include "tests/ingest/Options.hpp"
#include "plugin/rtmp/ChunkDemuxer.hpp"
#include "plugin/rtmp/Command.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <vector>

using namespace goaway::ingest;
using namespace goaway;

namespace {

goaway::Result<Options> parse(std::vector<const char *> args)
{
	args.insert(args.begin(), "goaway-ingest");
	return Options::parse(static_cast<int>(args.size()), args.data());
}

/** A strict UTF-8 check (no overlongs, no surrogates, nothing above U+10FFFF). */
bool validUtf8(const std::string &s)
{
	size_t i = 0;
	while (i < s.size()) {
		const auto c = static_cast<unsigned char>(s[i]);
		size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (n == 0 || i + n > s.size() || (n == 2 && c < 0xC2))
			return false;
		uint32_t cp = n == 1 ? c : c & (0x7F >> n);
		for (size_t k = 1; k < n; ++k) {
			const auto d = static_cast<unsigned char>(s[i + k]);
			if ((d & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (d & 0x3F);
		}
		if ((n == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		    (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
			return false;
		i += n;
	}
	return true;
}

} // namespace

TEST(HostileProfile, EveryProfileHasAUniqueNameThatParsesBack)
{
	std::set<std::string> names;
	for (const auto &p : hostileProfiles()) {
		EXPECT_TRUE(names.insert(p.name).second) << p.name;
		auto parsed = parseHostileProfile(p.name);
		ASSERT_TRUE(parsed) << p.name;
		EXPECT_EQ(*parsed, p.profile);
		EXPECT_STREQ(hostileProfileInfo(p.profile).name, p.name);
	}
	EXPECT_EQ(names.size(), 13u);
	EXPECT_FALSE(parseHostileProfile("no-such-profile"));
}

TEST(HostileProfile, FlagAndNodeOptionCombinePerNode)
{
	auto o = parse({"--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0,hostile=deep-amf,hostile=stall-mid-stream",
			"--hostile", "midstream-utf8,flood-control", "--hostile", "midstream-utf8"});
	ASSERT_TRUE(o) << o.error().message;
	EXPECT_EQ(o->hostile, (std::vector{HostileProfile::MidstreamUtf8, HostileProfile::FloodControl}));
	EXPECT_EQ(o->nodes[0].hostile, (std::vector{HostileProfile::MidstreamUtf8, HostileProfile::FloodControl}));
	EXPECT_EQ(o->nodes[1].hostile, (std::vector{HostileProfile::DeepAmf, HostileProfile::StallMidStream,
						    HostileProfile::MidstreamUtf8, HostileProfile::FloodControl}));
}

TEST(HostileProfile, UnknownProfileNamesTheKnownOnes)
{
	auto o = parse({"--hostile", "midstream-utf8,bogus"});
	ASSERT_FALSE(o);
	EXPECT_NE(o.error().message.find("'bogus'"), std::string::npos);
	EXPECT_NE(o.error().message.find("stall-mid-stream"), std::string::npos);
	EXPECT_FALSE(parse({"--listen", "127.0.0.1:0,hostile=bogus"}));
	EXPECT_FALSE(parse({"--hostile", ""}));
}

TEST(HostileProfile, InvalidUtf8TextHasTheExactSizeAndIsNeverValid)
{
	for (size_t size : {2u, 27u, 100u, 65536u}) {
		const std::string text = hostile::invalidUtf8Text(size);
		EXPECT_EQ(text.size(), size);
		EXPECT_FALSE(validUtf8(text)) << size;
	}
	const std::string text = hostile::invalidUtf8Text(64);
	EXPECT_NE(text.find('\0'), std::string::npos) << "a NUL inside";
	EXPECT_NE(text.find('\x1B'), std::string::npos) << "an escape sequence inside";
	EXPECT_TRUE(validUtf8("plain text \xC3\xA9"));
}

TEST(HostileProfile, DeepAmfObjectNestsTheGivenDepthAndIsWellFormed)
{
	const auto bytes = hostile::deepAmfObject(3);
	const std::vector<uint8_t> expected = {0x03, 0,    1, 'a', 0x03, 0, 1, 'a', 0x03, 0, 1,
					       'a',  0x05, 0, 0,   9,    0, 0, 9,   0,    0, 9};
	EXPECT_EQ(bytes, expected);
	EXPECT_EQ(hostile::deepAmfStrictArray(2), (std::vector<uint8_t>{0x0A, 0, 0, 0, 1, 0x0A, 0, 0, 0, 1, 0x05}));
	// The protocol core's decoder refuses it beyond its depth bound instead of recursing on.
	size_t offset = 0;
	EXPECT_FALSE(amf0::decode(hostile::deepAmfObject(hostile::kDeepAmfDepth), offset));
	offset = 0;
	EXPECT_TRUE(amf0::decode(hostile::deepAmfObject(3), offset));
}

TEST(HostileProfile, HugeLengthAnnouncesSixteenMebibytesAndSendsOnlyPart)
{
	const auto bytes = hostile::hugeLengthChunks(hostile::kHugeAnnouncedLength, 300, 128);
	ASSERT_GE(bytes.size(), 12u);
	EXPECT_EQ(bytes[0], hostile::kHugeChunkStreamId); // fmt 0
	EXPECT_EQ(bytes[4], 0xFF);
	EXPECT_EQ(bytes[5], 0xFF);
	EXPECT_EQ(bytes[6], 0xFF);
	EXPECT_EQ(bytes[7], 20);
	// 11-byte header + 128 + (1 + 128) + (1 + 44)
	EXPECT_EQ(bytes.size(), 12u + 300u + 2u);
	EXPECT_EQ(bytes[12 + 128], 0xC0 | hostile::kHugeChunkStreamId);
	// A demuxer sees no complete message: it waits for the rest.
	rtmp::ChunkDemuxer demuxer;
	std::vector<rtmp::Message> out;
	EXPECT_TRUE(demuxer.feed(bytes, out));
	EXPECT_TRUE(out.empty());
}

TEST(HostileProfile, MistypedMessagesAreCommandsAClientMustSurvive)
{
	int parsed = 0;
	int broken = 0;
	for (const auto &m : hostile::mistypedConnectResults()) {
		EXPECT_EQ(m.type, 20);
		auto c = rtmp::parseCommand(m);
		c ? ++parsed : ++broken;
		if (c) {
			EXPECT_EQ(c->name, "_result");
		}
	}
	EXPECT_GE(parsed, 5);
	EXPECT_EQ(broken, 1) << "one result is deliberately broken AMF";
	const auto results = hostile::badCreateStreamResults(4);
	ASSERT_EQ(results.size(), 5u);
	auto first = rtmp::parseCommand(results[0]);
	ASSERT_TRUE(first);
	EXPECT_EQ(first->transactionId, 4);
	ASSERT_EQ(first->arguments.size(), 1u);
	EXPECT_TRUE(std::isnan(first->arguments[0].number));
	for (const auto &m : hostile::mistypedStatuses(1)) {
		EXPECT_EQ(m.streamId, 1u);
		auto c = rtmp::parseCommand(m);
		if (c) {
			EXPECT_EQ(c->name, "onStatus");
		}
	}
}

TEST(HostileProfile, GarbageAfterConnectBreaksTheClientsDemuxer)
{
	rtmp::ChunkDemuxer demuxer;
	std::vector<rtmp::Message> out;
	EXPECT_FALSE(demuxer.feed(hostile::garbageAfterConnect(128), out))
		<< "a continuation chunk without a header is a protocol error";
}
