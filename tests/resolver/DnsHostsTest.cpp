// DNS re-resolution with names served inside the namespace: run_dns_test.sh bind-mounts a
// temporary hosts file over /etc/hosts; this test rewrites that file between lookups.
// Addresses are loopback only (127.0.0.2, 127.0.0.3, ::1).
#include "TestSupport.hpp"

#include "plugin/ingest/DnsResolver.hpp"
#include "plugin/ingest/IngestResolver.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>

using namespace goaway;
using namespace goaway::ingest;
using namespace std::chrono_literals;
using goaway::test::AcceptingListener;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr const char *kName = "multi.goaway.test";

// Writes the test hosts file, but only after checking it really is what /etc/hosts shows: this
// test must never touch the machine's own /etc/hosts.
void writeHosts(const std::string &lines)
{
	const char *path = std::getenv("GOAWAY_TEST_HOSTS_FILE");
	ASSERT_NE(path, nullptr) << "run through run_dns_test.sh";
	struct stat mine {
	}, etc{};
	ASSERT_EQ(stat(path, &mine), 0);
	ASSERT_EQ(stat("/etc/hosts", &etc), 0);
	ASSERT_TRUE(mine.st_dev == etc.st_dev && mine.st_ino == etc.st_ino) << "/etc/hosts is not the test's file";
	std::ofstream out(path, std::ios::trunc); // in place: the bind mount follows the inode
	out << "127.0.0.1 localhost\n::1 localhost\n" << lines;
}

std::vector<std::string> sorted(std::vector<std::string> v)
{
	std::sort(v.begin(), v.end());
	return v;
}

} // namespace

TEST(DnsHosts, AllAddressesThenReResolution)
{
	writeHosts("127.0.0.2 multi.goaway.test\n127.0.0.3 multi.goaway.test\n::1 multi.goaway.test\n");
	DnsResolver dns;
	auto first = dns.resolve(kName, SteadyClock::now() + 2s);
	ASSERT_TRUE(first) << first.error().message;
	EXPECT_EQ(sorted(*first), (std::vector<std::string>{"127.0.0.2", "127.0.0.3", "::1"}));
	// The name moves: a new lookup sees it (no stale cache inside the resolver).
	writeHosts("127.0.0.3 multi.goaway.test\n");
	auto second = dns.resolve(kName, SteadyClock::now() + 2s);
	ASSERT_TRUE(second) << second.error().message;
	EXPECT_EQ(*second, std::vector<std::string>{"127.0.0.3"});
}

TEST(DnsHosts, UnknownNameIsAReasonNotAHang)
{
	writeHosts("");
	DnsResolver dns;
	const auto start = SteadyClock::now();
	auto missing = dns.resolve("absent.goaway.test", start + 1500ms);
	EXPECT_LT(SteadyClock::now() - start, 1700ms);
	ASSERT_FALSE(missing);
	EXPECT_NE(missing.error().message.find("absent.goaway.test"), std::string::npos) << missing.error().message;
}

TEST(DnsHosts, ResolverPrefersOtherAddressesThanTheDrainingOne)
{
	// Three nodes behind one name, on the same port.
	std::unique_ptr<AcceptingListener> a, b, c;
	for (int attempt = 0; attempt < 20; ++attempt) {
		a = std::make_unique<AcceptingListener>("127.0.0.2");
		ASSERT_TRUE(a->ok());
		b = std::make_unique<AcceptingListener>("127.0.0.3", a->port());
		c = std::make_unique<AcceptingListener>("::1", a->port());
		if (b->ok() && c->ok())
			break;
	}
	ASSERT_TRUE(b->ok() && c->ok()) << "no port free on all three addresses";
	writeHosts("127.0.0.2 multi.goaway.test\n127.0.0.3 multi.goaway.test\n::1 multi.goaway.test\n");

	std::atomic<SteadyClock::duration> now{1000s};
	IngestResolver::Options options;
	options.coolDown = 60s;
	options.clock = [&] {
		return SteadyClock::time_point{} + now.load();
	};
	IngestResolver resolver(options);
	ResolveRequest r;
	r.currentTcUrl = std::string("rtmp://") + kName + ":" + std::to_string(a->port()) + "/app";
	r.drainingAddress = "127.0.0.2";
	r.order = {CandidateSource::Dns};
	r.probeTimeout = 500ms;
	auto result = resolver.resolveNow(r);
	ASSERT_EQ(result.candidates.size(), 3u);
	EXPECT_TRUE(result.failures.empty());
	const auto &cs = result.candidates;
	EXPECT_EQ(sorted({cs[0].address, cs[1].address}), (std::vector<std::string>{"127.0.0.3", "::1"}));
	EXPECT_TRUE(cs[0].reachable && cs[1].reachable);
	EXPECT_EQ(cs[0].host, kName); // the name stays in the URL (TLS verification needs it)
	EXPECT_EQ(cs[2].address, "127.0.0.2");
	EXPECT_TRUE(cs[2].draining);

	// After the cool-down the node is an ordinary candidate again.
	r.drainingAddress.clear();
	now = now.load() + 61s;
	auto later = resolver.resolveNow(r);
	ASSERT_EQ(later.candidates.size(), 3u);
	EXPECT_TRUE(std::none_of(later.candidates.begin(), later.candidates.end(),
				 [](const Candidate &x) { return x.draining; }));
}
