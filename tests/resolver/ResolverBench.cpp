// goaway-resolver-bench: resolution + probe time for 1, 5 and 20 candidates on loopback.
// Each round fetches a generic ingest list from the local Python server (uncached), resolves
// the numeric hosts, TCP-probes every candidate and ranks them. Prints a table; not a timed test
// (it fails only if a resolution does not return every candidate).
#include "TestSupport.hpp"

#include "plugin/common/Log.hpp"
#include "plugin/ingest/CandidateProber.hpp"
#include "plugin/ingest/IngestResolver.hpp"

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace goaway;
using namespace goaway::ingest;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr int kRounds = 30;
// Rows with a silent node cost the probe cap per round; fewer rounds keep the run short.
constexpr int kSilentRounds = 8;

struct Stats {
	double median = 0, p95 = 0, max = 0;
};

Stats stats(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	Stats s;
	s.median = v[v.size() / 2];
	s.p95 = v[std::min(v.size() - 1, static_cast<size_t>(v.size() * 0.95))];
	s.max = v.back();
	return s;
}

double msSince(SteadyClock::time_point start)
{
	return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

} // namespace

int main()
{
	setLogLevel(LogLevel::Warning); // one info line per resolution would drown the table
	goaway::test::ListServer server;
	std::printf("goaway-resolver-bench: %d rounds per row (%d with a silent node), loopback, ingest list "
		    "fetched over HTTP each round (no cache)\n",
		    kRounds, kSilentRounds);
	std::printf("%-30s %10s %10s %10s | %12s\n", "candidates", "median ms", "p95 ms", "max ms", "probe-only ms");
	int failures = 0;
	for (const int n : {1, 5, 20}) {
		for (const bool withSilent : {false, true}) {
			if (withSilent && n == 1)
				continue;
			std::vector<std::unique_ptr<goaway::test::AcceptingListener>> up;
			std::unique_ptr<goaway::test::HangingListener> silent;
			std::string targets;
			std::vector<ProbeTarget> probeTargets;
			for (int i = 0; i < n; ++i) {
				const std::string address = "127.0.0." + std::to_string(10 + i);
				int port = 0;
				if (withSilent && i == n - 1) {
					silent = std::make_unique<goaway::test::HangingListener>(address);
					port = silent->port();
				} else {
					up.push_back(std::make_unique<goaway::test::AcceptingListener>(address));
					port = up.back()->port();
				}
				targets += (i ? "," : "") + address + ":" + std::to_string(port);
				probeTargets.push_back({address, static_cast<uint16_t>(port)});
			}
			IngestResolver resolver;
			ResolveRequest request;
			request.currentTcUrl = "rtmp://127.0.0.1:1/app";
			request.ingestListUrl = server.url("/generic?targets=" + targets);
			request.order = {CandidateSource::IngestList};
			request.probeTimeout = 300ms;
			std::vector<double> total, probeOnly;
			for (int round = 0; round < (withSilent ? kSilentRounds : kRounds); ++round) {
				auto start = SteadyClock::now();
				auto result = resolver.resolveNow(request);
				total.push_back(msSince(start));
				const auto reachable = std::count_if(result.candidates.begin(), result.candidates.end(),
								     [](const Candidate &c) { return c.reachable; });
				if (result.candidates.size() != static_cast<size_t>(n) ||
				    reachable != n - (withSilent ? 1 : 0))
					++failures;
				CandidateProber prober;
				start = SteadyClock::now();
				prober.probe(probeTargets, start + 300ms);
				probeOnly.push_back(msSince(start));
			}
			const Stats t = stats(total), p = stats(probeOnly);
			char label[64];
			std::snprintf(label, sizeof(label), "%d%s", n,
				      withSilent ? " (1 silent, 300 ms probe cap)" : "");
			std::printf("%-30s %10.2f %10.2f %10.2f | %12.2f\n", label, t.median, t.p95, t.max, p.median);
		}
	}
	std::fflush(stdout);
	if (failures)
		std::fprintf(stderr, "goaway-resolver-bench: %d round(s) did not return every candidate\n", failures);
	return failures ? 1 : 0;
}
