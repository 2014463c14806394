#pragma once
// Parallel TCP connect probes with one deadline, and the ranking of candidates by what the
// probes measured. Probing is the only socket work in this layer besides DNS and HTTP.

#include "CancelToken.hpp"
#include "Candidate.hpp"
#include "../common/Constants.hpp"
#include "plugin/rtmp/TcpConnector.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace goaway::ingest {

struct ProbeTarget {
	std::string address; // numeric IPv4 or IPv6
	uint16_t port = 0;
};

struct ProbeOutcome {
	bool connected = false;
	int connectMs = -1;
	std::string error; // why not connected ("refused", "no answer before the deadline", ...)
	/** probe(keepConnections): the established connection, still open (non-blocking). */
	std::shared_ptr<rtmp::UniqueFd> connection;
};

class CandidateProber {
public:
	/** Connects to every target at once (at most kMaxProbesInFlight sockets open), closing each
	 *  connection as soon as it is established (`keepConnections`: handing it back in its outcome
	 *  instead): the connect time is the SYN / SYN-ACK round trip. Returns one outcome per
	 *  target, in order. Never blocks past `deadline` or a cancel. */
	std::vector<ProbeOutcome> probe(const std::vector<ProbeTarget> &targets,
					std::chrono::steady_clock::time_point deadline,
					const CancelToken *cancel = nullptr, bool keepConnections = false);

	/** Orders candidates best first. Key: draining (cool-down) last; reachable before
	 *  unreachable; the source's position in the order it first appears in `candidates`
	 *  (callers pass them grouped by source, in the configured source order); connect time in
	 *  `bucket`-wide steps (unprobed after probed); then the incoming order (stable), which
	 *  keeps an ingest list's priority between nodes about as close. Pure: no clock, no I/O. */
	static void rank(std::vector<Candidate> &candidates,
			 std::chrono::milliseconds bucket = constants::kProbeRankBucket);
};

} // namespace goaway::ingest
