// Ranking, cool-down and the resolver's source handling with injected time and no network:
// numeric hosts only and probing off, so nothing here opens a socket.
#include "plugin/ingest/CandidateProber.hpp"
#include "plugin/ingest/CoolDownList.hpp"
#include "plugin/ingest/DnsResolver.hpp"
#include "plugin/ingest/IngestListClient.hpp"
#include "plugin/ingest/IngestResolver.hpp"

#include <gtest/gtest.h>

#include <atomic>

using namespace goaway;
using namespace goaway::ingest;
using namespace std::chrono_literals;

namespace {

Candidate make(const char *address, CandidateSource source, int probeMs, bool reachable = true)
{
	Candidate c;
	c.address = address;
	c.source = source;
	c.probeMs = probeMs;
	c.reachable = reachable;
	return c;
}

std::vector<std::string> addresses(const std::vector<Candidate> &list)
{
	std::vector<std::string> out;
	for (const auto &c : list)
		out.push_back(c.address + (c.draining ? "(draining)" : ""));
	return out;
}

} // namespace

TEST(CandidateRanking, FasterWinsWithinASourceAcrossBuckets)
{
	std::vector<Candidate> list{make("a", CandidateSource::IngestList, 45),
				    make("b", CandidateSource::IngestList, 3),
				    make("c", CandidateSource::IngestList, 12)};
	CandidateProber::rank(list, 10ms);
	EXPECT_EQ(addresses(list), (std::vector<std::string>{"b", "c", "a"}));
}

TEST(CandidateRanking, NearEqualTimesKeepProviderOrder)
{
	// 4 ms and 7 ms fall in the same 10 ms bucket: the list's own order (priority) decides.
	std::vector<Candidate> list{make("first", CandidateSource::IngestList, 7),
				    make("second", CandidateSource::IngestList, 4)};
	CandidateProber::rank(list, 10ms);
	EXPECT_EQ(addresses(list), (std::vector<std::string>{"first", "second"}));
}

TEST(CandidateRanking, SourceOrderThenUnreachableThenDraining)
{
	std::vector<Candidate> list{make("tc", CandidateSource::TcUrl, 90),
				    make("list-down", CandidateSource::IngestList, -1, false),
				    make("list", CandidateSource::IngestList, 30), make("dns", CandidateSource::Dns, 1),
				    make("cfg", CandidateSource::Configured, 2)};
	list.push_back(make("drain", CandidateSource::Dns, -1, false));
	list.back().draining = true;
	CandidateProber::rank(list, 10ms);
	EXPECT_EQ(addresses(list),
		  (std::vector<std::string>{"tc", "list", "dns", "cfg", "list-down", "drain(draining)"}));
}

TEST(CoolDownList, ExpiresWithInjectedTime)
{
	CoolDownList cool;
	const auto t0 = std::chrono::steady_clock::time_point{} + 1000s;
	cool.add("127.0.0.2", 1935, t0, 120s);
	EXPECT_TRUE(cool.contains("127.0.0.2", 1935, t0));
	EXPECT_FALSE(cool.contains("127.0.0.2", 1936, t0)); // another port on that host is another node
	EXPECT_FALSE(cool.contains("127.0.0.3", 1935, t0));
	EXPECT_EQ(cool.remaining("127.0.0.2", 1935, t0 + 20s), 100s);
	EXPECT_TRUE(cool.contains("127.0.0.2", 1935, t0 + 119s));
	EXPECT_FALSE(cool.contains("127.0.0.2", 1935, t0 + 120s));
	EXPECT_EQ(cool.size(t0 + 120s), 0u);
}

TEST(CoolDownList, AddressesCompareCanonically)
{
	CoolDownList cool;
	const auto t0 = std::chrono::steady_clock::time_point{} + 1s;
	cool.add("0:0:0:0:0:0:0:1", 1935, t0, 10s);
	EXPECT_TRUE(cool.contains("::1", 1935, t0));
	// A second Go Away from the same node extends, never shortens, the cool-down.
	cool.add("::1", 1935, t0 + 5s, 10s);
	cool.add("::1", 1935, t0 + 6s, 1s);
	EXPECT_EQ(cool.remaining("::1", 1935, t0 + 6s), 9s);
}

TEST(DnsResolver, PreferOthersPutsDrainingLastAndKeepsOrder)
{
	auto out = DnsResolver::preferOthers({"127.0.0.2", "::1", "127.0.0.3"}, "127.0.0.2");
	EXPECT_EQ(out, (std::vector<std::string>{"::1", "127.0.0.3", "127.0.0.2"}));
	EXPECT_EQ(DnsResolver::preferOthers({"a", "b"}, ""), (std::vector<std::string>{"a", "b"}));
}

TEST(IngestListClient, MaxAgeFromCacheControl)
{
	EXPECT_EQ(IngestListClient::parseMaxAge("max-age=60"), 60s);
	EXPECT_EQ(IngestListClient::parseMaxAge(" public, MAX-AGE = 300"), 300s);
	EXPECT_EQ(IngestListClient::parseMaxAge("max-age=\"30\""), 30s);
	EXPECT_EQ(IngestListClient::parseMaxAge("max-age=99999999999999999999"), 3600s); // capped
	EXPECT_EQ(IngestListClient::parseMaxAge("no-store, max-age=60"), 0s);
	EXPECT_EQ(IngestListClient::parseMaxAge("no-cache"), 0s);
	EXPECT_EQ(IngestListClient::parseMaxAge("max-age=abc"), 0s);
	EXPECT_EQ(IngestListClient::parseMaxAge(""), 0s);
	EXPECT_TRUE(IngestListClient::userAgent().starts_with("obs-rtmp-goaway/"));
	EXPECT_GT(IngestListClient::userAgent().size(), std::string("obs-rtmp-goaway/").size());
}

class ResolverOffline : public ::testing::Test {
protected:
	std::atomic<std::chrono::steady_clock::duration> now{1000s};
	IngestResolver::Options options()
	{
		IngestResolver::Options o;
		o.coolDown = 60s;
		o.clock = [this] {
			return std::chrono::steady_clock::time_point{} + now.load();
		};
		return o;
	}
	static ResolveRequest request()
	{
		ResolveRequest r;
		r.currentTcUrl = "rtmp://127.0.0.2:1935/live";
		r.drainingAddress = "127.0.0.2";
		r.configuredUrl = "rtmp://127.0.0.9:1935/live";
		r.probe = false;
		return r;
	}
};

TEST_F(ResolverOffline, TcUrlFirstThenDnsThenConfiguredDrainingLast)
{
	IngestResolver resolver(options());
	auto r = request();
	r.reconnectTcUrl = "//127.0.0.5:1940/live2";
	auto result = resolver.resolveNow(r);
	ASSERT_EQ(result.candidates.size(), 3u);
	EXPECT_EQ(result.candidates[0].url, "rtmp://127.0.0.5:1940/live2");
	EXPECT_EQ(result.candidates[0].source, CandidateSource::TcUrl);
	EXPECT_EQ(result.candidates[1].url, "rtmp://127.0.0.9:1935/live");
	EXPECT_EQ(result.candidates[1].source, CandidateSource::Configured);
	EXPECT_EQ(result.candidates[2].address, "127.0.0.2");
	EXPECT_TRUE(result.candidates[2].draining);
	ASSERT_EQ(result.failures.size(), 1u);
	EXPECT_EQ(result.failures[0].source, CandidateSource::Dns);
	EXPECT_NE(result.failures[0].reason.find("only to the draining node"), std::string::npos);
}

TEST_F(ResolverOffline, CoolDownEndsWithInjectedTime)
{
	IngestResolver resolver(options());
	auto first = resolver.resolveNow(request());
	EXPECT_TRUE(first.candidates.back().draining);
	auto later = request();
	later.drainingAddress.clear(); // no new Go Away: only the earlier one's cool-down applies
	now = now.load() + 59s;
	EXPECT_TRUE(resolver.resolveNow(later).candidates.back().draining);
	now = now.load() + 2s;
	auto after = resolver.resolveNow(later);
	ASSERT_EQ(after.candidates.size(), 2u);
	EXPECT_FALSE(after.candidates[0].draining);
	EXPECT_EQ(after.candidates[0].address, "127.0.0.2"); // DNS source ranks before configured again
}

TEST_F(ResolverOffline, ServerNamedNodeIsHonouredEvenIfDraining)
{
	IngestResolver resolver(options());
	auto r = request();
	r.reconnectTcUrl = "/live"; // path-relative: the same node, another app
	auto result = resolver.resolveNow(r);
	ASSERT_FALSE(result.candidates.empty());
	EXPECT_EQ(result.candidates[0].source, CandidateSource::TcUrl);
	EXPECT_FALSE(result.candidates[0].draining);
}

TEST_F(ResolverOffline, SourceOrderIsConfigurable)
{
	IngestResolver resolver(options());
	auto r = request();
	r.drainingAddress.clear();
	r.order = {CandidateSource::Configured, CandidateSource::Dns};
	auto result = resolver.resolveNow(r);
	ASSERT_EQ(result.candidates.size(), 2u);
	EXPECT_EQ(result.candidates[0].source, CandidateSource::Configured);
	EXPECT_EQ(result.candidates[1].source, CandidateSource::Dns);
	r.order = {CandidateSource::Dns};
	EXPECT_EQ(resolver.resolveNow(r).candidates.size(), 1u);
}

TEST_F(ResolverOffline, BackupUrlsComeAfterAnotherNodeButBeforeTheConfiguredOne)
{
	IngestResolver resolver(options());
	auto r = request();
	r.backupUrls = {"rtmp://127.0.0.7:1936/live2?backup=1", "rtmp://127.0.0.8/live"};
	auto result = resolver.resolveNow(r);
	// DNS gave only the draining node: the backups in their order, then the configured URL,
	// the draining node last.
	ASSERT_EQ(result.candidates.size(), 4u);
	EXPECT_EQ(result.candidates[0].source, CandidateSource::Backup);
	EXPECT_EQ(result.candidates[0].address, "127.0.0.7");
	EXPECT_EQ(result.candidates[0].port, 1936);
	EXPECT_EQ(result.candidates[1].source, CandidateSource::Backup);
	EXPECT_EQ(result.candidates[1].address, "127.0.0.8");
	EXPECT_EQ(result.candidates[2].source, CandidateSource::Configured);
	EXPECT_TRUE(result.candidates[3].draining);
}

TEST_F(ResolverOffline, TheDrainingBackupIsKeptLast)
{
	IngestResolver resolver(options());
	auto r = request(); // the stream is on 127.0.0.2, and that node is draining
	r.backupUrls = {"rtmp://127.0.0.2:1935/live", "rtmp://127.0.0.8/live"};
	auto result = resolver.resolveNow(r);
	ASSERT_EQ(result.candidates.size(), 3u); // the first backup is the same (url, address) as DNS's
	EXPECT_EQ(result.candidates[0].address, "127.0.0.8");
	EXPECT_EQ(result.candidates[1].source, CandidateSource::Configured);
	EXPECT_TRUE(result.candidates[2].draining);
	// What the dock shows per source: the backup gave one node (the other was DNS's).
	auto given = contributions(result, r.order);
	ASSERT_EQ(given.size(), 3u);
	EXPECT_EQ(given[0].source, CandidateSource::Dns);
	EXPECT_EQ(given[0].draining, 1u);
	EXPECT_EQ(given[1].source, CandidateSource::Backup);
	EXPECT_EQ(given[1].usable, 1u);
	EXPECT_EQ(given[1].reason, "");
	EXPECT_EQ(given[2].source, CandidateSource::Configured);
}

TEST_F(ResolverOffline, BadOrDowngradingBackupUrlsAreReasonsAndTheRestStillCount)
{
	IngestResolver resolver(options());
	ResolveRequest r;
	r.currentTcUrl = "rtmps://127.0.0.2/live";
	r.drainingAddress = "127.0.0.2";
	r.backupUrls = {"https://127.0.0.3/live", "rtmp://127.0.0.4/live", "rtmps://127.0.0.5/live"};
	r.probe = false;
	auto result = resolver.resolveNow(r);
	std::vector<std::string> reasons;
	for (const auto &f : result.failures)
		if (f.source == CandidateSource::Backup)
			reasons.push_back(f.reason);
	ASSERT_EQ(reasons.size(), 2u);
	EXPECT_NE(reasons[0].find("backup URL 1"), std::string::npos);
	EXPECT_NE(reasons[1].find("backup URL 2"), std::string::npos);
	EXPECT_NE(reasons[1].find("TLS"), std::string::npos);
	ASSERT_FALSE(result.candidates.empty());
	EXPECT_EQ(result.candidates[0].url, "rtmps://127.0.0.5/live");
	EXPECT_EQ(result.candidates[0].source, CandidateSource::Backup);
	r.allowDowngrade = true;
	EXPECT_EQ(resolver.resolveNow(r).candidates[0].address, "127.0.0.4");
}

TEST_F(ResolverOffline, RefusedDowngradeAndBadUrlsAreReasonsNotCrashes)
{
	IngestResolver resolver(options());
	ResolveRequest r;
	r.currentTcUrl = "rtmps://127.0.0.2/live";
	r.reconnectTcUrl = "rtmp://127.0.0.3/live";
	r.configuredUrl = "srt://127.0.0.4:9000";
	r.ingestListUrl = "ftp://127.0.0.1/list";
	r.streamKey = "SECRETKEY";
	r.probe = false;
	auto result = resolver.resolveNow(r);
	ASSERT_EQ(result.failures.size(), 3u);
	EXPECT_EQ(result.failures[0].source, CandidateSource::TcUrl);
	EXPECT_NE(result.failures[0].reason.find("downgrade"), std::string::npos);
	EXPECT_EQ(result.failures[1].source, CandidateSource::IngestList);
	EXPECT_EQ(result.failures[2].source, CandidateSource::Configured);
	ASSERT_EQ(result.candidates.size(), 1u); // DNS of the current host still stands
	EXPECT_EQ(result.candidates[0].url, "rtmps://127.0.0.2/live");
}
