// plugin/ingest against real loopback peers: the Python ingest-list server (good, slow, broken,
// huge, redirecting answers) and TCP listeners that accept, refuse or never answer.
// Runs inside `unshare -n` (ctest); every address is 127.0.0.x.
#include "TestSupport.hpp"

#include "plugin/ingest/CandidateProber.hpp"
#include "plugin/ingest/IngestListClient.hpp"
#include "plugin/ingest/IngestResolver.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>

using namespace goaway;
using namespace goaway::ingest;
using namespace std::chrono_literals;
using goaway::test::AcceptingListener;
using goaway::test::HangingListener;
using goaway::test::ListServer;
using SteadyClock = std::chrono::steady_clock;

namespace {

long long msSince(SteadyClock::time_point start)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();
}

IngestListParseOptions keyed()
{
	IngestListParseOptions o;
	o.streamKey = "live_SECRET";
	return o;
}

bool mentions(const Error &e, const char *text)
{
	return e.message.find(text) != std::string::npos;
}

} // namespace

class ListClientTest : public ::testing::Test {
protected:
	ListServer server;
};

TEST_F(ListClientTest, TwitchShapeOverHttp)
{
	IngestListClient client;
	auto list = client.fetch(server.url("/twitch?targets=127.0.0.2:1935,127.0.0.3:1936"), keyed(), 2s);
	ASSERT_TRUE(list) << list.error().message;
	ASSERT_EQ(list->entries.size(), 2u);
	EXPECT_EQ(list->entries[0].url.tcUrl(), "rtmp://127.0.0.2:1935/app"); // "/{stream_key}" stripped
	EXPECT_EQ(list->entries[1].url.port, 1936);
}

TEST_F(ListClientTest, GenericShapeAfterOneRedirect)
{
	IngestListClient client;
	auto list = client.fetch(server.url("/redirect?to=/generic%3Ftargets%3D127.0.0.4:2000"), keyed(), 2s);
	ASSERT_TRUE(list) << list.error().message;
	ASSERT_EQ(list->entries.size(), 1u);
	EXPECT_EQ(list->entries[0].url.tcUrl(), "rtmp://127.0.0.4:2000/app");
}

TEST_F(ListClientTest, SendsPluginUserAgent)
{
	IngestListClient client;
	auto list = client.fetch(server.url("/ua?targets=127.0.0.2:1935"), keyed(), 2s);
	EXPECT_TRUE(list) << list.error().message; // the server answers 403 to any other agent
}

TEST_F(ListClientTest, SlowAnswerTimesOut)
{
	IngestListClient::Options options;
	options.totalTimeout = 300ms;
	IngestListClient client(options);
	const auto start = SteadyClock::now();
	auto list = client.fetch(server.url("/slow?seconds=5"), keyed(), 5s);
	const auto took = msSince(start);
	ASSERT_FALSE(list);
	EXPECT_EQ(list.error().code, ErrorCode::Timeout);
	EXPECT_TRUE(mentions(list.error(), "within 300 ms")) << list.error().message;
	EXPECT_GE(took, 280);
	EXPECT_LT(took, 1500);
}

TEST_F(ListClientTest, BrokenAnswersAreClearReasons)
{
	IngestListClient client;
	struct Case {
		const char *path;
		const char *reason;
	} cases[] = {
		{"/broken", "not JSON"},
		{"/wrongshape", "wrong shape"},
		{"/badentries", "no usable entry"},
		{"/huge", "larger than 262144 bytes"},
		{"/huge-stream", "larger than 262144 bytes"},
		{"/redirect-loop", "redirected more than 3 times"},
		{"/status?code=500", "HTTP 500"},
		{"/status?code=404", "HTTP 404"},
		{"/status?code=204", "HTTP 204"},
	};
	for (const auto &c : cases) {
		auto list = client.fetch(server.url(c.path), keyed(), 2s);
		ASSERT_FALSE(list) << c.path;
		EXPECT_TRUE(mentions(list.error(), c.reason)) << c.path << ": " << list.error().message;
		EXPECT_FALSE(mentions(list.error(), "live_SECRET"));
	}
	auto bad = client.fetch(server.url("/badentries"), keyed(), 2s);
	EXPECT_TRUE(mentions(bad.error(), "no host")) << bad.error().message;
	EXPECT_TRUE(mentions(bad.error(), "'http' is not rtmp")) << bad.error().message;
}

TEST_F(ListClientTest, HttpsIsVerifiedAndPlainHttpOnlyOnLoopback)
{
	IngestListClient client;
	// TLS towards a plain-HTTP port: the handshake fails, reported rather than ignored.
	auto tls = client.fetchBody("https://127.0.0.1:" + std::to_string(server.port()) + "/generic", 2s);
	ASSERT_FALSE(tls);
	// Plain http to a non-loopback name is refused before any lookup or connect.
	auto remote = client.fetchBody("http://ingest.example.test/ingests", 2s);
	ASSERT_FALSE(remote);
	EXPECT_EQ(remote.error().code, ErrorCode::InvalidArgument);
	EXPECT_TRUE(mentions(remote.error(), "https://"));
}

TEST_F(ListClientTest, CachesForMaxAge)
{
	std::atomic<SteadyClock::duration> now{1000s};
	IngestListClient::Options options;
	options.clock = [&] {
		return SteadyClock::time_point{} + now.load();
	};
	IngestListClient client(options);
	const auto url = server.url("/cached?targets=127.0.0.2:1935");
	auto first = client.fetchBody(url, 2s);
	ASSERT_TRUE(first) << first.error().message;
	EXPECT_FALSE(first->fromCache);
	EXPECT_EQ(first->maxAge, 60s);
	EXPECT_NE(first->body.find("\"serial\": 1"), std::string::npos) << first->body;
	now = now.load() + 59s;
	auto second = client.fetchBody(url, 2s);
	ASSERT_TRUE(second);
	EXPECT_TRUE(second->fromCache);
	EXPECT_EQ(second->body, first->body);
	now = now.load() + 2s;
	auto third = client.fetchBody(url, 2s);
	ASSERT_TRUE(third);
	EXPECT_FALSE(third->fromCache);
	EXPECT_NE(third->body.find("\"serial\": 2"), std::string::npos) << third->body;
}

TEST_F(ListClientTest, CancelStopsAFetchInFlight)
{
	IngestListClient client;
	CancelToken token;
	auto pending = std::async(std::launch::async,
				  [&] { return client.fetch(server.url("/slow?seconds=20"), keyed(), 10s, &token); });
	ASSERT_FALSE(server.waitForLine("HIT /slow", 5s).empty());
	const auto start = SteadyClock::now();
	token.cancel();
	auto list = pending.get();
	EXPECT_LT(msSince(start), 500);
	ASSERT_FALSE(list);
	EXPECT_TRUE(mentions(list.error(), "cancelled"));
}

TEST(CandidateProber, AcceptRefuseAndNoAnswer)
{
	AcceptingListener up("127.0.0.1");
	HangingListener hang("127.0.0.1");
	ASSERT_TRUE(up.ok());
	ASSERT_TRUE(hang.ok());
	const int closed = goaway::test::closedPort("127.0.0.1");
	CandidateProber prober;
	const auto start = SteadyClock::now();
	auto outcomes = prober.probe({{"127.0.0.1", static_cast<uint16_t>(up.port())},
				      {"127.0.0.1", static_cast<uint16_t>(closed)},
				      {"127.0.0.1", static_cast<uint16_t>(hang.port())}},
				     start + 300ms);
	const auto took = msSince(start);
	ASSERT_EQ(outcomes.size(), 3u);
	EXPECT_TRUE(outcomes[0].connected);
	EXPECT_GE(outcomes[0].connectMs, 0);
	EXPECT_LT(outcomes[0].connectMs, 100);
	EXPECT_FALSE(outcomes[1].connected);
	EXPECT_NE(outcomes[1].error.find("refused"), std::string::npos) << outcomes[1].error;
	EXPECT_FALSE(outcomes[2].connected);
	EXPECT_EQ(outcomes[2].error, "no answer before the deadline");
	EXPECT_GE(took, 290); // the silent node holds the probe to its deadline ...
	EXPECT_LT(took, 800); // ... and not beyond
}

class ResolverTest : public ::testing::Test {
protected:
	ListServer server;
	AcceptingListener good{"127.0.0.2"};
	AcceptingListener draining{"127.0.0.5"};
	AcceptingListener configured{"127.0.0.6"};
	HangingListener silent{"127.0.0.4"};
	int refusing = goaway::test::closedPort("127.0.0.3");

	std::string target(const char *address, int port) { return std::string(address) + ":" + std::to_string(port); }

	ResolveRequest request(const std::string &listPath)
	{
		ResolveRequest r;
		r.currentTcUrl = "rtmp://127.0.0.5:" + std::to_string(draining.port()) + "/app";
		r.drainingAddress = "127.0.0.5";
		r.configuredUrl = "rtmp://127.0.0.6:" + std::to_string(configured.port()) + "/app";
		r.ingestListUrl = server.url(listPath);
		r.streamKey = "live_SECRET";
		r.probeTimeout = 400ms;
		r.deadline = 2000ms;
		return r;
	}
	std::string goodList()
	{
		return "/generic?targets=" + target("127.0.0.4", silent.port()) + "," +
		       target("127.0.0.2", good.port()) + "," + target("127.0.0.3", refusing);
	}
};

TEST_F(ResolverTest, ListCandidatesProbedRankedDrainingLast)
{
	ASSERT_TRUE(good.ok() && draining.ok() && configured.ok() && silent.ok());
	IngestResolver resolver;
	auto result = resolver.resolveNow(request(goodList()));
	ASSERT_EQ(result.candidates.size(), 5u);
	const auto &c = result.candidates;
	EXPECT_EQ(c[0].address, "127.0.0.2"); // reachable list node
	EXPECT_EQ(c[0].source, CandidateSource::IngestList);
	EXPECT_TRUE(c[0].reachable);
	EXPECT_GE(c[0].probeMs, 0);
	EXPECT_EQ(c[1].address, "127.0.0.6"); // reachable configured URL
	EXPECT_EQ(c[2].address, "127.0.0.4"); // list nodes that failed their probe, list order
	EXPECT_EQ(c[2].note, "probe: no answer before the deadline");
	EXPECT_EQ(c[3].address, "127.0.0.3");
	EXPECT_NE(c[3].note.find("refused"), std::string::npos);
	EXPECT_EQ(c[4].address, "127.0.0.5"); // the draining node, never probed
	EXPECT_TRUE(c[4].draining);
	EXPECT_EQ(c[4].probeMs, -1);
	ASSERT_EQ(result.failures.size(), 1u);
	EXPECT_EQ(result.failures[0].source, CandidateSource::Dns);
}

TEST_F(ResolverTest, TheBestCandidateKeepsItsProbeConnectionOnlyWhenAsked)
{
	ASSERT_TRUE(good.ok() && draining.ok() && configured.ok() && silent.ok());
	IngestResolver resolver;
	auto r = request(goodList());
	r.keepBestConnection = true;
	auto result = resolver.resolveNow(r);
	ASSERT_EQ(result.candidates.size(), 5u);
	const auto &c = result.candidates;
	ASSERT_TRUE(c[0].connection && *c[0].connection) << "the best candidate's probe stays open";
	sockaddr_in peer{};
	socklen_t len = sizeof(peer);
	ASSERT_EQ(getpeername(c[0].connection->get(), reinterpret_cast<sockaddr *>(&peer), &len), 0);
	EXPECT_EQ(ntohs(peer.sin_port), good.port());
	for (std::size_t i = 1; i < c.size(); ++i)
		EXPECT_FALSE(c[i].connection) << "candidate " << i << " (" << c[i].address << ")";

	auto closed = resolver.resolveNow(request(goodList()));
	ASSERT_FALSE(closed.candidates.empty());
	EXPECT_FALSE(closed.candidates[0].connection) << "not asked: every probe connection closes";
}

TEST_F(ResolverTest, TheDrainingNodeIsNotProbedEvenAlone)
{
	// Its probe would cost a round trip before the connect its connection saves, and before a
	// hot standby is taken: the resolution answers at once.
	ASSERT_TRUE(draining.ok());
	IngestResolver resolver;
	ResolveRequest r;
	r.currentTcUrl = "rtmp://127.0.0.5:" + std::to_string(draining.port()) + "/app";
	r.drainingAddress = "127.0.0.5";
	r.drainingPort = draining.port();
	r.configuredUrl = r.currentTcUrl;
	r.keepBestConnection = true;
	r.probeTimeout = 400ms;
	auto result = resolver.resolveNow(r);
	ASSERT_EQ(result.candidates.size(), 1u);
	EXPECT_TRUE(result.candidates[0].draining);
	EXPECT_EQ(result.candidates[0].probeMs, -1);
	EXPECT_FALSE(result.candidates[0].connection);
}

TEST_F(ResolverTest, BadListFallsThroughToNextSources)
{
	IngestResolver resolver;
	for (const char *path : {"/broken", "/huge", "/redirect-loop", "/status?code=503"}) {
		auto result = resolver.resolveNow(request(path));
		ASSERT_FALSE(result.failures.empty()) << path;
		EXPECT_EQ(result.failures[0].source, CandidateSource::IngestList) << path;
		ASSERT_FALSE(result.candidates.empty()) << path;
		EXPECT_EQ(result.candidates[0].address, "127.0.0.6") << path; // the configured URL still works
		EXPECT_TRUE(result.candidates[0].reachable) << path;
	}
}

TEST_F(ResolverTest, SlowListLeavesTimeForTheOtherSources)
{
	IngestResolver resolver;
	auto r = request("/slow?seconds=10");
	r.deadline = 1200ms;
	const auto start = SteadyClock::now();
	auto result = resolver.resolveNow(r);
	EXPECT_LT(msSince(start), 1400);
	ASSERT_FALSE(result.failures.empty());
	EXPECT_EQ(result.failures[0].source, CandidateSource::IngestList);
	EXPECT_NE(result.failures[0].reason.find("within"), std::string::npos) << result.failures[0].reason;
	ASSERT_FALSE(result.candidates.empty());
	EXPECT_EQ(result.candidates[0].address, "127.0.0.6");
	EXPECT_TRUE(result.candidates[0].reachable);
}

TEST_F(ResolverTest, AsynchronousWithDeadlineAndCallback)
{
	IngestResolver resolver;
	auto r = request("/slow?seconds=10");
	r.deadline = 1000ms;
	std::promise<Resolution> delivered;
	const auto start = SteadyClock::now();
	const uint64_t id = resolver.resolve(r, [&](Resolution res) { delivered.set_value(std::move(res)); });
	EXPECT_LT(msSince(start), 50); // the caller never waits on the network
	auto future = delivered.get_future();
	ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
	auto result = future.get();
	EXPECT_EQ(result.requestId, id);
	EXPECT_LE(result.elapsed.count(), 1150);
	ASSERT_FALSE(result.candidates.empty());
	EXPECT_EQ(result.candidates[0].address, "127.0.0.6");
}

TEST_F(ResolverTest, DestroyWhileInFlightNeverCallsBack)
{
	std::atomic<int> calls{0};
	auto resolver = std::make_unique<IngestResolver>();
	auto r = request("/slow?seconds=20");
	r.deadline = 10s;
	resolver->resolve(r, [&](Resolution) { ++calls; });
	ASSERT_FALSE(server.waitForLine("HIT /slow", 5s).empty());
	const auto start = SteadyClock::now();
	resolver.reset();
	EXPECT_LT(msSince(start), 500);
	EXPECT_EQ(calls.load(), 0);
}

TEST_F(ResolverTest, NewerRequestSupersedesOlder)
{
	std::atomic<int> oldCalls{0};
	std::promise<uint64_t> newer;
	IngestResolver resolver;
	auto slow = request("/slow?seconds=20");
	slow.deadline = 10s;
	resolver.resolve(slow, [&](Resolution) { ++oldCalls; });
	ASSERT_FALSE(server.waitForLine("HIT /slow", 5s).empty());
	auto fast = request(goodList());
	fast.ingestListUrl.clear();
	const uint64_t id = resolver.resolve(fast, [&](Resolution res) { newer.set_value(res.requestId); });
	auto future = newer.get_future();
	ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
	EXPECT_EQ(future.get(), id);
	EXPECT_EQ(oldCalls.load(), 0);
}
