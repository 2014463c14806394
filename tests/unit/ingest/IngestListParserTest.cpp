// Both ingest list shapes: valid vectors, then every kind of broken answer.
#include "plugin/ingest/IngestListParser.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace goaway;
using namespace goaway::ingest;

namespace {

// Shape of GET https://ingest.twitch.tv/ingests (Amazon IVS is the same), hosts invented.
const char *kTwitch = R"J({"ingests":[
 {"_id":3,"availability":1.0,"default":false,"name":"EU: Frankfurt","priority":20,
  "url_template":"rtmp://fra.ingest.test/app/{stream_key}","url_template_secure":"rtmps://fra.ingest.test:443/app/{stream_key}"},
 {"_id":1,"availability":1.0,"default":true,"name":"EU: Amsterdam","priority":20,
  "url_template":"rtmp://ams.ingest.test/app/{stream_key}","url_template_secure":"rtmps://ams.ingest.test:443/app/{stream_key}"},
 {"_id":2,"availability":1.0,"default":false,"name":"EU: Paris (deprecated)","priority":1,
  "url_template":"rtmp://cdg.ingest.test/app/{stream_key}","url_template_secure":"rtmps://cdg.ingest.test/app/{stream_key}"},
 {"_id":4,"availability":1.0,"default":false,"name":"US: Ashburn","priority":5,
  "url_template":"rtmp://iad.ingest.test/app/{stream_key}","url_template_secure":"rtmps://iad.ingest.test/app/{stream_key}"},
 {"_id":5,"availability":0.0,"default":false,"name":"US: Down","priority":0,
  "url_template":"rtmp://down.ingest.test/app/{stream_key}","url_template_secure":"rtmps://down.ingest.test/app/{stream_key}"}
]})J";

std::vector<std::string> urls(const ParsedIngestList &list)
{
	std::vector<std::string> out;
	for (const auto &e : list.entries)
		out.push_back(e.url.tcUrl());
	return out;
}

IngestListParseOptions plain()
{
	IngestListParseOptions o;
	o.streamKey = "live_SECRET";
	return o;
}

} // namespace

TEST(IngestListParser, TwitchShapeStripsKeySkipsDeprecatedAndOrders)
{
	auto list = parseIngestList(kTwitch, plain());
	ASSERT_TRUE(list) << list.error().message;
	EXPECT_STREQ(list->shape, "twitch");
	// priority 5 first; among priority 20 the default (Amsterdam) before Frankfurt;
	// Paris skipped ("deprecated" in its name), "US: Down" skipped (availability 0).
	EXPECT_EQ(urls(*list), (std::vector<std::string>{"rtmp://iad.ingest.test/app", "rtmp://ams.ingest.test/app",
							 "rtmp://fra.ingest.test/app"}));
	EXPECT_EQ(list->entries[1].name, "EU: Amsterdam");
	EXPECT_TRUE(list->entries[1].isDefault);
	ASSERT_EQ(list->rejected.size(), 2u);
	EXPECT_NE(list->rejected[0].find("deprecated"), std::string::npos);
}

TEST(IngestListParser, TwitchShapeSecureUsesSecureTemplate)
{
	auto options = plain();
	options.secure = true;
	auto list = parseIngestList(kTwitch, options);
	ASSERT_TRUE(list);
	EXPECT_EQ(list->entries[0].url.tcUrl(), "rtmps://iad.ingest.test/app");
	EXPECT_EQ(list->entries[1].url.tcUrl(), "rtmps://ams.ingest.test:443/app");
}

TEST(IngestListParser, SecureStreamRefusesPlainOnlyEntriesUnlessAllowed)
{
	const char *body = R"J({"ingests":[{"name":"a","priority":1,"url_template":"rtmp://a.test/app/{stream_key}"},
	                                  {"name":"b","priority":2,"url_template_secure":"rtmps://b.test/app/{stream_key}"}]})J";
	auto options = plain();
	options.secure = true;
	auto list = parseIngestList(body, options);
	ASSERT_TRUE(list);
	EXPECT_EQ(urls(*list), std::vector<std::string>{"rtmps://b.test/app"});
	EXPECT_NE(list->rejected.at(0).find("rtmps required"), std::string::npos);
	options.allowDowngrade = true;
	EXPECT_EQ(parseIngestList(body, options)->entries.size(), 2u);
}

TEST(IngestListParser, GenericShape)
{
	const char *body = R"J({"ingests":[{"url":"rtmp://b.test:1936/live","priority":2,"name":"b"},
	                                  {"url":"rtmps://a.test/live","priority":1},
	                                  {"url":"rtmp://[::1]:1937/live"}]})J";
	auto list = parseIngestList(body, plain());
	ASSERT_TRUE(list) << list.error().message;
	EXPECT_STREQ(list->shape, "generic");
	EXPECT_EQ(urls(*list), (std::vector<std::string>{"rtmp://[::1]:1937/live", "rtmps://a.test/live",
							 "rtmp://b.test:1936/live"}));
	EXPECT_EQ(list->entries[2].url.port, 1936);
}

TEST(IngestListParser, KeyGoesOnlyWhereTheTemplateAsks)
{
	const char *body = R"J({"ingests":[{"url":"rtmp://a.test/live?auth={stream_key}"},
	                                  {"url":"rtmp://b.test/live/{stream_key}"},
	                                  {"url":"rtmp://c.test/live"}]})J";
	auto list = parseIngestList(body, plain());
	ASSERT_TRUE(list);
	EXPECT_EQ(urls(*list), (std::vector<std::string>{"rtmp://a.test/live?auth=live_SECRET", "rtmp://b.test/live",
							 "rtmp://c.test/live"}));
	// Without a key such a template is unusable, not sent with an empty key.
	auto noKey = parseIngestList(body, IngestListParseOptions{});
	ASSERT_TRUE(noKey);
	EXPECT_EQ(noKey->entries.size(), 2u);
	EXPECT_NE(noKey->rejected.at(0).find("needs a stream key"), std::string::npos);
}

struct BrokenVector {
	const char *name;
	const char *body;
	const char *reason;
};

class IngestListParserBroken : public ::testing::TestWithParam<BrokenVector> {};

TEST_P(IngestListParserBroken, IsAClearResolverError)
{
	const auto &v = GetParam();
	auto list = parseIngestList(v.body, plain());
	ASSERT_FALSE(list) << v.name;
	EXPECT_EQ(list.error().code, ErrorCode::Resolver);
	EXPECT_NE(list.error().message.find(v.reason), std::string::npos) << list.error().message;
	EXPECT_EQ(list.error().message.find("live_SECRET"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
	Vectors, IngestListParserBroken,
	::testing::Values(
		BrokenVector{"empty", "", "not JSON"}, BrokenVector{"html", "<html>502 Bad Gateway</html>", "not JSON"},
		BrokenVector{"truncated", R"J({"ingests":[{"url":"rtmp://a/b"})J", "not JSON"},
		BrokenVector{"array", R"J([{"url":"rtmp://a/b"}])J", "wrong shape"},
		BrokenVector{"no ingests", R"J({"servers":[]})J", "wrong shape"},
		BrokenVector{"ingests not array", R"J({"ingests":{"url":"rtmp://a/b"}})J", "wrong shape"},
		BrokenVector{"empty list", R"J({"ingests":[]})J", "empty"},
		BrokenVector{"entries not objects", R"J({"ingests":[1,"rtmp://a/b",null]})J", "not an object"},
		BrokenVector{"url wrong type", R"J({"ingests":[{"url":5}]})J", "non-empty string"},
		BrokenVector{"template without host", R"J({"ingests":[{"url_template":"rtmp:///app/{stream_key}"}]})J",
			     "no host"},
		BrokenVector{"non-RTMP scheme", R"J({"ingests":[{"url_template":"https://a.test/app/{stream_key}"}]})J",
			     "not rtmp or rtmps"},
		BrokenVector{"srt generic", R"J({"ingests":[{"url":"srt://a.test:9000"}]})J", "not rtmp or rtmps"},
		BrokenVector{"key in port", R"J({"ingests":[{"url":"rtmp://a.test:{stream_key}/app"}]})J",
			     "port must be a number"},
		BrokenVector{"neither", R"J({"ingests":[{"name":"x"}]})J", "neither"},
		BrokenVector{"all deprecated",
			     R"J({"ingests":[{"name":"old deprecated","url_template":"rtmp://a/app"}]})J",
			     "deprecated"}),
	[](const auto &info) {
		std::string name = info.param.name;
		for (char &c : name)
			if (!std::isalnum(static_cast<unsigned char>(c)))
				c = '_';
		return name;
	});
