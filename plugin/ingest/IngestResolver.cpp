#include "IngestResolver.hpp"

#include "../common/Boundary.hpp"

#include "CandidateProber.hpp"
#include "IngestUrl.hpp"
#include "../common/Log.hpp"
#include "../common/OutsideText.hpp"

#include <algorithm>
#include <exception>

namespace goaway::ingest {

namespace {

using SteadyClock = std::chrono::steady_clock;

// A source's URL before DNS: what to connect to and where it came from.
struct Seed {
	IngestUrl url;
	CandidateSource source;
};

std::chrono::milliseconds left(SteadyClock::time_point deadline)
{
	return std::max(std::chrono::milliseconds(0),
			std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()));
}

} // namespace

const char *candidateSourceName(CandidateSource source)
{
	switch (source) {
	case CandidateSource::TcUrl:
		return "tcUrl";
	case CandidateSource::IngestList:
		return "ingest list";
	case CandidateSource::Dns:
		return "DNS";
	case CandidateSource::Backup:
		return "backup URL";
	case CandidateSource::Configured:
		return "configured URL";
	}
	return "unknown";
}

std::vector<SourceContribution> contributions(const Resolution &resolution, const std::vector<CandidateSource> &order)
{
	std::vector<SourceContribution> out;
	for (CandidateSource source : order) {
		SourceContribution c;
		c.source = source;
		for (const auto &candidate : resolution.candidates)
			if (candidate.source == source)
				++(candidate.draining ? c.draining : c.usable);
		for (const auto &failure : resolution.failures)
			if (failure.source == source)
				c.reason += (c.reason.empty() ? "" : "; ") + failure.reason;
		// Reasons quote what a server or resolver sent (a scheme, an HTTP status): one bounded,
		// printable line before it leaves this layer.
		c.reason = text::untrusted(c.reason, constants::kMaxContributionReasonBytes);
		if (c.usable || c.draining || !c.reason.empty())
			out.push_back(std::move(c));
	}
	return out;
}

IngestResolver::IngestResolver() : IngestResolver(Options{}) {}

IngestResolver::IngestResolver(Options options) : options_(std::move(options)), lists_(options_.http)
{
	if (!options_.clock)
		options_.clock = [] {
			return SteadyClock::now();
		};
	worker_ = std::thread([this]() noexcept { guarded("IngestResolver::run", [this] { run(); }); });
}

IngestResolver::~IngestResolver()
{
	{
		std::lock_guard lock(mutex_);
		stopping_ = true;
		pending_.reset();
		if (running_)
			running_->cancel();
	}
	wake_.notify_all();
	if (worker_.joinable())
		worker_.join();
}

uint64_t IngestResolver::resolve(ResolveRequest request, Callback callback)
{
	uint64_t id = 0;
	{
		std::lock_guard lock(mutex_);
		id = ++generation_;
		if (running_)
			running_->cancel();
		pending_ = Job{id, std::move(request), std::move(callback)};
	}
	wake_.notify_all();
	return id;
}

void IngestResolver::cancel()
{
	std::lock_guard lock(mutex_);
	++generation_;
	pending_.reset();
	if (running_)
		running_->cancel();
}

void IngestResolver::markDraining(const std::string &address, uint16_t port)
{
	coolDown_.add(address, port, options_.clock(), options_.coolDown);
}

void IngestResolver::run()
{
	for (;;) {
		Job job;
		std::shared_ptr<CancelToken> token = std::make_shared<CancelToken>();
		{
			std::unique_lock lock(mutex_);
			wake_.wait(lock, [&] { return stopping_ || pending_.has_value(); });
			if (stopping_)
				return;
			job = std::move(*pending_);
			pending_.reset();
			running_ = token;
		}
		// A resolver answer is outside data: whatever it does to us, the job ends with an answer
		// (no candidates) rather than ending the worker.
		Resolution result = guarded("IngestResolver::resolve", Resolution{},
					    [&] { return resolveNow(job.request, token.get()); });
		result.requestId = job.id;
		bool deliver = false;
		{
			std::lock_guard lock(mutex_);
			running_.reset();
			deliver = !stopping_ && job.id == generation_ && !token->cancelled();
		}
		if (!deliver || !job.callback)
			continue;
		// No exception crosses this boundary (style.md: errors are values at callbacks).
		guarded("IngestResolver::callback", [&] { job.callback(std::move(result)); });
	}
}

Resolution IngestResolver::resolveNow(const ResolveRequest &request, const CancelToken *cancel)
{
	const auto started = SteadyClock::now();
	const auto deadline = started + request.deadline;
	const std::string &key = request.streamKey;
	Resolution result;
	auto failure = [&](CandidateSource source, const std::string &reason) {
		std::string safe = redactSecret(reason, key);
		GOAWAY_LOG_WARN("IngestResolver::resolveNow", "%s: %s", candidateSourceName(source), safe.c_str());
		result.failures.push_back({source, std::move(safe)});
	};
	auto wants = [&](CandidateSource s) {
		return std::find(request.order.begin(), request.order.end(), s) != request.order.end();
	};

	auto current = parseIngestUrl(request.currentTcUrl);
	if (!request.drainingAddress.empty()) {
		const uint16_t port = request.drainingPort ? request.drainingPort : (current ? current->port : 0);
		coolDown_.add(request.drainingAddress, port, options_.clock(), options_.coolDown);
	}

	// 1. Sources, in the configured order. Only the ingest list touches the network here.
	std::vector<Seed> seeds;
	for (CandidateSource source : request.order) {
		switch (source) {
		case CandidateSource::TcUrl: {
			if (!request.reconnectTcUrl)
				break; // Go Away, or a ReconnectRequest without tcUrl: nothing to resolve
			if (!current) {
				failure(source, "current tcUrl is not usable: " + current.error().message);
				break;
			}
			auto url = resolveReconnectTcUrl(*current, *request.reconnectTcUrl, request.allowDowngrade);
			if (url)
				seeds.push_back({*url, source});
			else
				failure(source, "server's tcUrl refused: " + url.error().message);
			break;
		}
		case CandidateSource::IngestList: {
			if (request.ingestListUrl.empty())
				break;
			IngestListParseOptions parse;
			parse.secure = current && current->tls;
			parse.allowDowngrade = request.allowDowngrade;
			parse.streamKey = key;
			// Leave the probes their time: a slow list must not eat the whole deadline.
			const auto budget =
				std::max(constants::kIngestListMinBudget, left(deadline) - request.probeTimeout);
			auto list =
				lists_.fetch(request.ingestListUrl, parse, std::min(budget, left(deadline)), cancel);
			if (!list) {
				failure(source, list.error().message);
				break;
			}
			for (const auto &rejected : list->rejected)
				GOAWAY_LOG_INFO("IngestResolver::resolveNow", "ingest list entry skipped: %s",
						redactSecret(rejected, key).c_str());
			for (const auto &entry : list->entries)
				seeds.push_back({entry.url, source});
			break;
		}
		case CandidateSource::Dns:
			if (current)
				seeds.push_back({*current, source});
			else
				failure(source, "current tcUrl is not usable: " + current.error().message);
			break;
		case CandidateSource::Backup:
			for (std::size_t i = 0; i < request.backupUrls.size(); ++i) {
				const std::string which = "backup URL " + std::to_string(i + 1);
				auto url = parseIngestUrl(request.backupUrls[i]);
				if (!url)
					failure(source, which + " is not usable: " + url.error().message);
				else if (current && downgradeRefused(current->tls, *url, request.allowDowngrade))
					failure(source,
						which + " is rtmp://: it would leave TLS (allow downgrade to use it)");
				else
					seeds.push_back({*url, source});
			}
			break;
		case CandidateSource::Configured: {
			if (request.configuredUrl.empty())
				break;
			auto url = parseIngestUrl(request.configuredUrl);
			if (url)
				seeds.push_back({*url, source});
			else
				failure(source, "configured URL is not usable: " + url.error().message);
			break;
		}
		}
	}

	// 2. DNS for every distinct host at once.
	std::vector<std::string> hosts;
	for (const auto &seed : seeds)
		if (std::find(hosts.begin(), hosts.end(), seed.url.host) == hosts.end())
			hosts.push_back(seed.url.host);
	auto resolved = dns_.resolveAll(hosts, deadline, cancel);
	auto addressesOf = [&](const std::string &host) -> const Result<std::vector<std::string>> & {
		return resolved[std::find(hosts.begin(), hosts.end(), host) - hosts.begin()];
	};

	// 3. Candidates: one per (url, address), the draining node marked.
	const auto coolNow = options_.clock();
	auto &candidates = result.candidates;
	bool dnsOnlyDraining = false;
	for (const auto &seed : seeds) {
		const auto &addresses = addressesOf(seed.url.host);
		Candidate base;
		base.url = seed.url.tcUrl();
		base.host = seed.url.host;
		base.port = seed.url.port;
		base.source = seed.source;
		if (!addresses) {
			if (seed.source == CandidateSource::Dns) {
				failure(seed.source, addresses.error().message);
				continue;
			}
			base.note = redactSecret(addresses.error().message, key);
			if (addresses.error().code == ErrorCode::Timeout)
				result.deadlineHit = true;
			candidates.push_back(base); // the session can still try the name itself
			continue;
		}
		std::vector<std::string> ordered =
			seed.source == CandidateSource::Dns
				? DnsResolver::preferOthers(*addresses, request.drainingAddress)
				: *addresses;
		bool anyOther = false;
		for (const auto &address : ordered) {
			const bool duplicate =
				std::any_of(candidates.begin(), candidates.end(), [&](const Candidate &c) {
					return c.url == base.url && c.address == address;
				});
			if (duplicate)
				continue;
			Candidate c = base;
			c.address = address;
			// The server named this node itself (tcUrl): honour it even if it is draining.
			const auto cool = coolDown_.remaining(address, c.port, coolNow);
			if (cool.count() > 0 && seed.source != CandidateSource::TcUrl) {
				c.draining = true;
				c.note = "draining node, in cool-down for " + std::to_string(cool.count() / 1000) +
					 " s more";
			} else {
				anyOther = true;
			}
			candidates.push_back(std::move(c));
		}
		if (seed.source == CandidateSource::Dns && !anyOther)
			dnsOnlyDraining = true;
	}
	if (dnsOnlyDraining && wants(CandidateSource::Dns))
		failure(CandidateSource::Dns, "the host name resolves only to the draining node");
	// A source whose every URL named a node an earlier source already gave: said, not logged
	// (the dock shows why a source the streamer set up gave nothing new).
	for (const auto &seed : seeds) {
		const auto source = seed.source;
		const bool gave = std::any_of(candidates.begin(), candidates.end(),
					      [&](const Candidate &c) { return c.source == source; });
		const bool said = std::any_of(result.failures.begin(), result.failures.end(),
					      [&](const SourceFailure &f) { return f.source == source; });
		if (!gave && !said)
			result.failures.push_back({source, "the same node as an earlier source"});
	}

	// 4. Probe everything with an address that is not draining, in parallel. Not the draining node,
	//    even alone: its probe would cost a round trip before a connect that its connection saves
	//    (nothing gained), and before a hot standby is taken (a round trip lost).
	std::vector<std::size_t> probed;
	std::vector<ProbeTarget> targets;
	for (std::size_t i = 0; i < candidates.size(); ++i) {
		if (candidates[i].address.empty() || candidates[i].draining)
			continue;
		if (!request.probe) {
			candidates[i].reachable = true;
			continue;
		}
		probed.push_back(i);
		targets.push_back({candidates[i].address, candidates[i].port});
	}
	if (!targets.empty()) {
		const auto probeDeadline = std::min(deadline, SteadyClock::now() + request.probeTimeout);
		CandidateProber prober;
		auto outcomes = prober.probe(targets, probeDeadline, cancel, request.keepBestConnection);
		for (std::size_t k = 0; k < probed.size(); ++k) {
			Candidate &c = candidates[probed[k]];
			c.reachable = outcomes[k].connected;
			c.probeMs = outcomes[k].connectMs;
			c.connection = std::move(outcomes[k].connection);
			if (!c.reachable)
				c.note = "probe: " + outcomes[k].error;
		}
	}
	CandidateProber::rank(candidates);
	for (std::size_t i = 1; i < candidates.size(); ++i)
		candidates[i].connection.reset(); // only the best one's is taken: the others close now
	result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
	if (SteadyClock::now() >= deadline)
		result.deadlineHit = true;
	for (const auto &c : candidates) {
		GOAWAY_LOG_DEBUG("candidate %s via %s at %s:%u probe %d ms%s%s", redactSecret(c.url, key).c_str(),
				 candidateSourceName(c.source), c.address.empty() ? "?" : c.address.c_str(), c.port,
				 c.probeMs, c.note.empty() ? "" : " - ", c.note.c_str());
	}
	GOAWAY_LOG_INFO("IngestResolver::resolveNow", "%zu candidate(s), %zu source failure(s), %lld ms%s",
			candidates.size(), result.failures.size(), static_cast<long long>(result.elapsed.count()),
			result.deadlineHit ? " (deadline reached)" : "");
	return result;
}

} // namespace goaway::ingest
