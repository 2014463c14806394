#pragma once
// Where a handoff goes: gathers candidates from the configured sources (tcUrl of a
// ReconnectRequest, an HTTP ingest list, DNS re-resolution of the current host, the configured
// URL), resolves and probes them within one deadline, ranks them, and delivers the list through a
// callback from its own thread. The caller (the send thread, the handoff state machine) never
// waits on the network.

#include "CancelToken.hpp"
#include "Candidate.hpp"
#include "CoolDownList.hpp"
#include "DnsResolver.hpp"
#include "IngestListClient.hpp"
#include "../common/Constants.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace goaway::ingest {

/** One resolution, filled by plugin/output (TargetResolver) from the stream settings and the signal received. */
struct ResolveRequest {
	/** The tcUrl of the session being drained (rtmp[s]://host[:port]/app). */
	std::string currentTcUrl;
	/** Numeric peer address and port of the draining session; empty when unknown. Put in the
	 *  cool-down list when the resolution starts. */
	std::string drainingAddress;
	uint16_t drainingPort = 0;
	/** tcUrl of an E-RTMP ReconnectRequest (absolute, //host/app or /app); none for Go Away. */
	std::optional<std::string> reconnectTcUrl;
	/** HTTP(S) ingest list to fetch; empty = that source is not configured. */
	std::string ingestListUrl;
	/** The streamer's backup ingest URLs (rtmp[s]://host[:port]/app), in their order. */
	std::vector<std::string> backupUrls;
	/** The server URL from the stream settings: the last resort. */
	std::string configuredUrl;
	/** Used only where an ingest template asks for it; never logged. */
	std::string streamKey;
	/** Source order = rank order between sources. Sources not listed are not used. */
	std::vector<CandidateSource> order{CandidateSource::TcUrl, CandidateSource::IngestList, CandidateSource::Dns,
					   CandidateSource::Backup, CandidateSource::Configured};
	/** Allow an rtmps stream to move to an rtmp candidate (off: such candidates are refused). */
	bool allowDowngrade = false;
	/** TCP-probe the candidates (off: no connects; candidates keep source order). */
	bool probe = true;
	/** Hand the best candidate's probe connection back in it (Candidate::connection) instead of
	 *  closing it. Off where a connect must bind a local address (the probes do not). */
	bool keepBestConnection = false;
	std::chrono::milliseconds deadline = constants::kResolveDeadline;
	std::chrono::milliseconds probeTimeout = constants::kProbeTimeout;
};

class IngestResolver {
public:
	using Callback = std::function<void(Resolution)>;
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	struct Options {
		/** How long a draining node stays out of the lists. */
		std::chrono::milliseconds coolDown = constants::kDrainingCoolDown;
		IngestListClient::Options http;
		/** Time for the cool-down list (tests inject it); steady_clock::now by default.
		 *  Deadlines always use the real steady clock. */
		Clock clock;
	};

	IngestResolver();
	explicit IngestResolver(Options options);
	/** Cancels any resolution in flight and waits for the worker (bounded: every wait in a
	 *  resolution wakes on cancel). After it returns no callback runs. Must not be called from
	 *  inside the callback. */
	~IngestResolver();
	IngestResolver(const IngestResolver &) = delete;
	IngestResolver &operator=(const IngestResolver &) = delete;

	/** Starts resolving on the worker thread and returns at once with the request id that the
	 *  Resolution will carry. A newer request supersedes an older one: the older one is
	 *  cancelled and its callback not called (one already being delivered may still arrive; match
	 *  the id). The callback runs on the worker thread; exceptions from it are swallowed. */
	uint64_t resolve(ResolveRequest request, Callback callback);
	/** Cancels the resolution in flight, if any; its callback is not called. */
	void cancel();

	/** Excludes `address:port` for the configured cool-down from now (also done for
	 *  ResolveRequest::drainingAddress). */
	void markDraining(const std::string &address, uint16_t port);

	/** The whole resolution, synchronously, on the calling thread (used by the worker, tests and
	 *  the benchmark). */
	Resolution resolveNow(const ResolveRequest &request, const CancelToken *cancel = nullptr);

	CoolDownList &coolDownList() { return coolDown_; }

private:
	struct Job {
		uint64_t id = 0;
		ResolveRequest request;
		Callback callback;
	};

	void run();

	Options options_;
	IngestListClient lists_;
	DnsResolver dns_;
	CoolDownList coolDown_;

	std::mutex mutex_;
	std::condition_variable wake_;
	std::optional<Job> pending_;
	std::shared_ptr<CancelToken> running_;
	uint64_t generation_ = 0;
	bool stopping_ = false;
	std::thread worker_; // last: started after every member it uses exists
};

} // namespace goaway::ingest
