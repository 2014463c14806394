#pragma once
// What plugin/ingest hands to the handoff state machine: an ordered list of places to go next.
// Plain data on purpose (strings and numbers only) so plugin/handoff and plugin/output can carry
// it without depending on anything else in this folder.

#include <chrono>
#include <cstdint>
#include "plugin/rtmp/TcpConnector.hpp"

#include <memory>
#include <string>
#include <vector>

namespace goaway::ingest {

/** Where a candidate came from (docs: go-away-protocol.md section 3). */
enum class CandidateSource {
	TcUrl,      // the tcUrl of an E-RTMP ReconnectRequest, resolved against the current one
	IngestList, // an HTTP ingest list (Twitch / Amazon IVS shape or the generic shape)
	Dns,        // the current host name re-resolved
	Backup,     // the streamer's backup ingest URLs, in their order (e.g. YouTube's backup server)
	Configured, // the URL the user configured: the last resort
};

const char *candidateSourceName(CandidateSource source);

/** One place to connect to. `url` is the tcUrl to use; `address` the numeric IP to dial (empty
 *  when the name could not be resolved before the deadline: dial `host` then). The url carries
 *  the stream key only when an ingest template put it there, so never log `url` unredacted. */
struct Candidate {
	std::string url;
	std::string host;
	uint16_t port = 0;
	std::string address;
	CandidateSource source = CandidateSource::Configured;
	/** TCP connect time of the probe in milliseconds; -1 when not probed or the probe failed. */
	int probeMs = -1;
	/** The probe connected (or probing was off / not reached: see `note`). */
	bool reachable = false;
	/** This address is the draining node (or one still in its cool-down): kept only at the end. */
	bool draining = false;
	/** Why this candidate ranks where it does when that is not obvious (probe error, cool-down). */
	std::string note;
	/** The probe's established TCP connection, still open: only the best candidate keeps it, and
	 *  only when asked (ResolveRequest::keepBestConnection). Whoever connects to this candidate
	 *  first may take it (rtmp::SessionOptions::adoptSocket) and save a round trip. */
	std::shared_ptr<rtmp::UniqueFd> connection;
};

/** A source that produced nothing, and the reason in a sentence. */
struct SourceFailure {
	CandidateSource source = CandidateSource::Configured;
	std::string reason;
};

/** The result of one resolution, delivered through IngestResolver's callback. */
struct Resolution {
	uint64_t requestId = 0;
	std::vector<Candidate> candidates; // best first
	std::vector<SourceFailure> failures;
	std::chrono::milliseconds elapsed{0};
	bool deadlineHit = false;
};

/** What one source gave in a resolution (the dock shows it: "what each source contributed"). */
struct SourceContribution {
	CandidateSource source = CandidateSource::Configured;
	std::size_t usable = 0;   // candidates that are not the draining node
	std::size_t draining = 0; // the draining node, or one in its cool-down
	std::string reason;       // why the source gave nothing (or less): bounded, printable; may be empty
};

/** Per source in `order`, what `resolution` holds from it; sources that gave nothing and have no
 *  reason (a tcUrl on a Go Away, no backup URLs) are left out. */
std::vector<SourceContribution> contributions(const Resolution &resolution, const std::vector<CandidateSource> &order);

} // namespace goaway::ingest
