#pragma once
// The driver's live figures for get_state / get_stats / the dock: written by the send thread,
// read as one consistent copy from any thread.

#include "plugin/handoff/HandoffTypes.hpp"
#include "plugin/ingest/Candidate.hpp"
#include "plugin/rtmp/RtmpSession.hpp"

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace goaway::output {

/** A consistent copy of the driver's live figures. */
struct DriverSnapshot {
	handoff::State state = handoff::State::Idle;
	std::string server;      // host:port of the live session
	std::string peerAddress; // numeric address of the live session
	bool tls = false;
	uint64_t bytesSent = 0; // all sessions, since start
	int connectTimeMs = 0;  // the first session's connect()
	uint64_t packetsSent = 0;
	uint64_t handoffs = 0;
	uint64_t backlogBytes = 0;
	// What we announce in connect (this stream's settings) ...
	bool announcedGoAway = false;
	int announcedCapsEx = 0;
	// ... and, separately, what the server showed: the capsEx the live session's connect reply
	// echoed (nullopt: none) and the signals received since the start. Never inferred.
	std::optional<uint32_t> serverCapsEx;
	uint64_t goAwaysReceived = 0;
	// The live server acknowledges less than is sent, acknowledgements still progressing (issue 16:
	// congestion, no handoff; the queue's drop policy applies): now, and how often it began.
	bool pathCongested = false;
	uint64_t congestionEpisodes = 0;
	uint64_t reconnectRequestsReceived = 0;
	// What each resolver source gave for the latest handoff target resolution (none yet: empty).
	std::vector<ingest::SourceContribution> resolverSources;
};

class LiveFigures {
public:
	enum class Signal { GoAway, ReconnectRequest };

	explicit LiveFigures(const rtmp::SessionOptions &announced);
	DriverSnapshot read() const;
	void setConnectTime(double ms);
	void countHandoff();
	void countSignal(Signal signal);
	void setPathCongested(bool congested);
	void setResolverSources(std::vector<ingest::SourceContribution> sources);
	/**
	 * Once per turn of the send loop: no string is copied or formatted unless another session went
	 * live (`liveId` differs from the last call's).
	 */
	void update(handoff::State state, uint64_t bytesSent, uint64_t packetsSent, uint64_t backlogBytes,
		    std::optional<handoff::SessionId> liveId, const rtmp::RtmpSession *live);

private:
	mutable std::mutex mutex_;
	DriverSnapshot snapshot_;
	std::optional<handoff::SessionId> describedSession_;
};

} // namespace goaway::output
