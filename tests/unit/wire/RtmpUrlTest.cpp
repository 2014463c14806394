#include "plugin/rtmp/RtmpUrl.hpp"

#include <gtest/gtest.h>

using namespace goaway;
using namespace goaway::rtmp;

TEST(RtmpUrl, ParsesHostPortAppAndDefaults)
{
	auto u = parseRtmpUrl("rtmp://live.example.com/app");
	ASSERT_TRUE(u);
	EXPECT_FALSE(u->tls);
	EXPECT_EQ(u->host, "live.example.com");
	EXPECT_EQ(u->port, 1935);
	EXPECT_FALSE(u->portExplicit);
	EXPECT_EQ(u->app, "app");
	EXPECT_EQ(u->tcUrl(), "rtmp://live.example.com/app");

	auto s = parseRtmpUrl("RTMPS://ingest.example.com/live/");
	ASSERT_TRUE(s);
	EXPECT_TRUE(s->tls);
	EXPECT_EQ(s->port, 443);
	EXPECT_EQ(s->app, "live");
	EXPECT_EQ(s->tcUrl(), "rtmps://ingest.example.com/live");
}

TEST(RtmpUrl, KeepsExplicitPortAndMultiSegmentApp)
{
	auto u = parseRtmpUrl("rtmp://127.0.0.1:19350/live/sub?token=1");
	ASSERT_TRUE(u);
	EXPECT_EQ(u->port, 19350);
	EXPECT_EQ(u->app, "live/sub?token=1");
	EXPECT_EQ(u->tcUrl(), "rtmp://127.0.0.1:19350/live/sub?token=1");
	EXPECT_EQ(u->hostPort(), "127.0.0.1:19350");
}

TEST(RtmpUrl, StreamInPathSplitsAppAndKey)
{
	auto u = parseRtmpUrl("rtmp://h:1/live/secret/key", StreamInPath::Yes);
	ASSERT_TRUE(u);
	EXPECT_EQ(u->app, "live");
	EXPECT_EQ(u->stream, "secret/key");
	EXPECT_EQ(u->redacted(), "rtmp://h:1/live/****");
	EXPECT_EQ(u->redacted().find("secret"), std::string::npos);
	EXPECT_FALSE(parseRtmpUrl("rtmp://h/live", StreamInPath::Yes));
}

TEST(RtmpUrl, Ipv6Literals)
{
	auto u = parseRtmpUrl("rtmp://[::1]:1936/app");
	ASSERT_TRUE(u);
	EXPECT_EQ(u->host, "::1");
	EXPECT_EQ(u->port, 1936);
	EXPECT_EQ(u->tcUrl(), "rtmp://[::1]:1936/app");
	EXPECT_EQ(u->hostPort(), "[::1]:1936");
	auto d = parseRtmpUrl("rtmp://[2001:db8::5]/app");
	ASSERT_TRUE(d);
	EXPECT_EQ(d->port, 1935);
	EXPECT_FALSE(parseRtmpUrl("rtmp://[::1/app"));
	EXPECT_FALSE(parseRtmpUrl("rtmp://::1:1935/app"));
}

TEST(RtmpUrl, RejectsBadUrlsWithoutEchoingThePath)
{
	for (const char *bad : {"http://h/app", "rtmp://", "rtmp:///app", "rtmp://h", "rtmp://h:0/app",
				"rtmp://h:70000/app", "rtmp://h:x/app", "rtmp://h:/app", "rtmp://[::1]x/app"}) {
		auto u = parseRtmpUrl(bad);
		EXPECT_FALSE(u) << bad;
		if (!u) {
			EXPECT_EQ(u.error().code, ErrorCode::InvalidArgument);
		}
	}
	auto e = parseRtmpUrl("ftp://h/live/supersecret");
	ASSERT_FALSE(e);
	EXPECT_EQ(e.error().message.find("supersecret"), std::string::npos);
}

TEST(ResolveTcUrl, Absolute)
{
	auto cur = *parseRtmpUrl("rtmp://a.example:1935/live");
	auto r = resolveTcUrl(cur, "rtmps://b.example:4443/other");
	ASSERT_TRUE(r);
	EXPECT_TRUE(r->tls);
	EXPECT_EQ(r->host, "b.example");
	EXPECT_EQ(r->port, 4443);
	EXPECT_EQ(r->app, "other");
	EXPECT_EQ(r->tcUrl(), "rtmps://b.example:4443/other");
}

TEST(ResolveTcUrl, SchemeRelativeKeepsScheme)
{
	auto cur = *parseRtmpUrl("rtmps://a.example/live");
	auto r = resolveTcUrl(cur, "//192.0.2.7:1940/app2");
	ASSERT_TRUE(r);
	EXPECT_TRUE(r->tls);
	EXPECT_EQ(r->host, "192.0.2.7");
	EXPECT_EQ(r->port, 1940);
	EXPECT_EQ(r->app, "app2");
	auto noPort = resolveTcUrl(cur, "//b.example/app");
	ASSERT_TRUE(noPort);
	EXPECT_EQ(noPort->port, 443);
	auto v6 = resolveTcUrl(*parseRtmpUrl("rtmp://a/live"), "//[::1]:2000/x");
	ASSERT_TRUE(v6);
	EXPECT_EQ(v6->host, "::1");
	EXPECT_EQ(v6->tcUrl(), "rtmp://[::1]:2000/x");
}

TEST(ResolveTcUrl, PathRelativeKeepsHostAndPort)
{
	auto cur = *parseRtmpUrl("rtmp://a.example:1936/live");
	auto r = resolveTcUrl(cur, "/backup/");
	ASSERT_TRUE(r);
	EXPECT_EQ(r->host, "a.example");
	EXPECT_EQ(r->port, 1936);
	EXPECT_EQ(r->app, "backup");
	EXPECT_EQ(r->tcUrl(), "rtmp://a.example:1936/backup");
}

TEST(ResolveTcUrl, GarbageIsAnError)
{
	auto cur = *parseRtmpUrl("rtmp://a.example/live");
	for (const char *bad : {"", "app", "http://x/app", "/", "//", "//:5/app", "rtmp://", "  "}) {
		auto r = resolveTcUrl(cur, bad);
		EXPECT_FALSE(r) << "'" << bad << "'";
		if (!r) {
			EXPECT_EQ(r.error().code, ErrorCode::InvalidArgument);
		}
	}
}
