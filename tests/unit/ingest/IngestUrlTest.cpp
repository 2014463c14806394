// tcUrl resolution (E-RTMP v2 Reconnect Request: absolute, //host/app or /app) and URL parsing.
#include "plugin/common/Constants.hpp"
#include "plugin/ingest/IngestUrl.hpp"

#include <gtest/gtest.h>

using namespace goaway;
using namespace goaway::ingest;

namespace {

IngestUrl url(const char *text)
{
	auto parsed = parseIngestUrl(text);
	EXPECT_TRUE(parsed.has_value()) << text;
	return parsed.value_or(IngestUrl{});
}

} // namespace

TEST(IngestUrl, ParsesHostPortAndPath)
{
	auto u = url("rtmp://Ingest.Example.test:1936/live?x=1");
	EXPECT_FALSE(u.tls);
	EXPECT_EQ(u.host, "ingest.example.test");
	EXPECT_EQ(u.port, 1936);
	EXPECT_TRUE(u.portExplicit);
	EXPECT_EQ(u.app, "live?x=1");
	EXPECT_EQ(u.tcUrl(), "rtmp://ingest.example.test:1936/live?x=1");
}

TEST(IngestUrl, DefaultPortsAndIpv6)
{
	EXPECT_EQ(url("rtmp://h/app").port, 1935);
	EXPECT_EQ(url("rtmps://h/app").port, 443);
	auto v6 = url("rtmps://[::1]:8443/app");
	EXPECT_EQ(v6.host, "::1");
	EXPECT_EQ(v6.port, 8443);
	EXPECT_EQ(v6.tcUrl(), "rtmps://[::1]:8443/app");
	EXPECT_EQ(url("RTMP://h/app").tcUrl(), "rtmp://h/app");
}

TEST(IngestUrl, RejectsBadUrlsWithoutQuotingThePath)
{
	const char *bad[] = {"http://h/app/SECRETKEY",
			     "rtmp:///app/SECRETKEY",
			     "rtmp://h:0/a",
			     "rtmp://h:70000/a",
			     "rtmp://h:x/a",
			     "rtmp://[::1/a",
			     "rtmp://user:pw@h/a",
			     "h/app",
			     "",
			     "rtmp://{host}/a"};
	for (const char *text : bad) {
		auto parsed = parseIngestUrl(text);
		ASSERT_FALSE(parsed.has_value()) << text;
		EXPECT_EQ(parsed.error().code, ErrorCode::InvalidArgument);
		EXPECT_EQ(parsed.error().message.find("SECRETKEY"), std::string::npos) << parsed.error().message;
	}
	EXPECT_NE(parseIngestUrl("http://h/a").error().message.find("'http'"), std::string::npos);
}

TEST(ResolveTcUrl, AbsoluteSchemeRelativeAndPathRelative)
{
	const auto current = url("rtmp://old.example.test:1935/live");
	EXPECT_EQ(resolveReconnectTcUrl(current, "rtmp://new.example.test:1940/app2", false)->tcUrl(),
		  "rtmp://new.example.test:1940/app2");
	EXPECT_EQ(resolveReconnectTcUrl(current, "//192.0.2.0/app", false)->tcUrl(), "rtmp://192.0.2.0/app");
	EXPECT_EQ(resolveReconnectTcUrl(current, "/other", false)->tcUrl(), "rtmp://old.example.test:1935/other");
	// No tcUrl in the ReconnectRequest: reuse the current one.
	EXPECT_EQ(resolveReconnectTcUrl(current, "", false)->tcUrl(), "rtmp://old.example.test:1935/live");
}

TEST(ResolveTcUrl, SchemeRelativeKeepsRtmps)
{
	const auto current = url("rtmps://old.example.test/live");
	auto next = resolveReconnectTcUrl(current, "//new.example.test/app", false);
	ASSERT_TRUE(next);
	EXPECT_TRUE(next->tls);
	EXPECT_EQ(next->port, 443);
}

TEST(ResolveTcUrl, NeverDowngradesUnlessAllowed)
{
	const auto current = url("rtmps://old.example.test/live");
	auto refused = resolveReconnectTcUrl(current, "rtmp://new.example.test/live", false);
	ASSERT_FALSE(refused);
	EXPECT_NE(refused.error().message.find("downgrade"), std::string::npos);
	auto allowed = resolveReconnectTcUrl(current, "rtmp://new.example.test/live", true);
	ASSERT_TRUE(allowed);
	EXPECT_FALSE(allowed->tls);
	// Upgrading is always fine.
	EXPECT_TRUE(resolveReconnectTcUrl(url("rtmp://a/live"), "rtmps://b/live", false)->tls);
}

TEST(ResolveTcUrl, RejectsGarbageAndOtherSchemes)
{
	const auto current = url("rtmp://old/live");
	EXPECT_FALSE(resolveReconnectTcUrl(current, "app", false));
	EXPECT_FALSE(resolveReconnectTcUrl(current, "http://new/app", false));
	EXPECT_FALSE(resolveReconnectTcUrl(current, "//", false));
}

TEST(RedactSecret, ReplacesEveryOccurrence)
{
	EXPECT_EQ(redactSecret("rtmp://h/app?k=abc&x=abc", "abc"), "rtmp://h/app?k=****&x=****");
	EXPECT_EQ(redactSecret("nothing here", ""), "nothing here");
	EXPECT_EQ(redactSecret("aaaa", "aa"), "********");
}

TEST(BackupUrls, OnePerLineInOrderBlankLinesAndSpacesIgnored)
{
	auto urls = parseBackupUrls("  rtmp://b.rtmp.youtube.com/live2?backup=1 \r\n\n\trtmps://[::1]:4443/app\n");
	ASSERT_TRUE(urls.has_value()) << urls.error().message;
	ASSERT_EQ(urls->size(), 2u);
	EXPECT_EQ((*urls)[0], "rtmp://b.rtmp.youtube.com/live2?backup=1");
	EXPECT_EQ((*urls)[1], "rtmps://[::1]:4443/app");
	EXPECT_TRUE(parseBackupUrls("")->empty());
	EXPECT_TRUE(parseBackupUrls("\n \n")->empty());
}

TEST(BackupUrls, ABadLineIsNamedWithoutItsPath)
{
	auto urls = parseBackupUrls("rtmp://a.example/live\nsrt://b.example:9000/SECRETKEY\n");
	ASSERT_FALSE(urls.has_value());
	EXPECT_EQ(urls.error().code, ErrorCode::InvalidArgument);
	EXPECT_NE(urls.error().message.find("line 2"), std::string::npos) << urls.error().message;
	EXPECT_EQ(urls.error().message.find("SECRETKEY"), std::string::npos) << urls.error().message;
	EXPECT_FALSE(parseBackupUrls("rtmp://{region}.example/live").has_value());
	EXPECT_FALSE(parseBackupUrls("rtmp://a.example").has_value()); // no app
}

TEST(BackupUrls, BoundedInCountAndLength)
{
	std::string eight, nine;
	for (int i = 0; i < 9; ++i) {
		const std::string line = "rtmp://n" + std::to_string(i) + ".example/live\n";
		if (i < 8)
			eight += line;
		nine += line;
	}
	EXPECT_EQ(parseBackupUrls(eight)->size(), constants::kMaxBackupUrls);
	auto tooMany = parseBackupUrls(nine);
	ASSERT_FALSE(tooMany.has_value());
	EXPECT_NE(tooMany.error().message.find("At most 8"), std::string::npos);
	auto tooLong = parseBackupUrls(std::string(constants::kMaxBackupUrlsTextBytes + 1, ' '));
	ASSERT_FALSE(tooLong.has_value());
	EXPECT_NE(tooLong.error().message.find("too long"), std::string::npos);
}

TEST(PublishedIngestList, AmazonIvsHostsUseIvssList)
{
	// OBS's own default IVS server, and a channel's ingest endpoint under the same domain.
	EXPECT_EQ(publishedIngestList("ingest.global-contribute.live-video.net"), constants::kAmazonIvsIngestListUrl);
	EXPECT_EQ(publishedIngestList("f9a1b2c3d4e5.global-contribute.live-video.net"),
		  constants::kAmazonIvsIngestListUrl);
	// Twitch's regional nodes share the parent domain, not IVS's label.
	EXPECT_EQ(publishedIngestList("jfk.contribute.live-video.net"), constants::kTwitchIngestListUrl);
	EXPECT_EQ(publishedIngestList("notglobal-contribute.live-video.net"), ""); // a suffix counts at a dot
}

TEST(PublishedIngestList, TwitchHostsUseTwitchsListOthersNone)
{
	EXPECT_EQ(publishedIngestList("live.twitch.tv"), constants::kTwitchIngestListUrl);
	EXPECT_EQ(publishedIngestList("LIVE.Twitch.TV"), constants::kTwitchIngestListUrl);
	EXPECT_EQ(publishedIngestList("sea02.contribute.live-video.net"), constants::kTwitchIngestListUrl);
	EXPECT_EQ(publishedIngestList("a.rtmp.youtube.com"), "");
	EXPECT_EQ(publishedIngestList("nottwitch.tv"), ""); // a suffix only counts at a dot
	EXPECT_EQ(publishedIngestList("twitch.tv.example.com"), "");
	EXPECT_EQ(publishedIngestList("127.0.0.1"), "");
}
