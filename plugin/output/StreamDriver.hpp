#pragma once
// The send thread of rtmp_goaway_output: connects the first session, then feeds the handoff
// state machine (plugin/handoff) with packets, server events, pre-connect results and resolver
// answers, and executes the actions it returns on real RTMP sessions (plugin/rtmp).
// OBS-free on purpose: plugin/obs/GoAwayOutput adapts it to libobs through DriverHost.

#include "DriverInbox.hpp"
#include "HandoffRecordBook.hpp"
#include "HeaderSchedule.hpp"
#include "HotStandby.hpp"
#include "LiveFigures.hpp"
#include "PacketQueue.hpp"
#include "PathWatch.hpp"
#include "SessionConnector.hpp"
#include "SessionWarmUp.hpp"
#include "StreamHeaders.hpp"
#include "TargetResolver.hpp"
#include "plugin/handoff/HandoffStateMachine.hpp"
#include "plugin/ingest/IngestResolver.hpp"
#include "plugin/rtmp/RtmpSession.hpp"

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

namespace goaway::output {

struct DriverConfig {
	std::string serverUrl; // rtmp[s]://host[:port]/app (no key)
	std::string streamKey; // never logged
	/** Timeouts, bind address, TLS test option, codec: url / key / address are set per session. */
	rtmp::SessionOptions session;
	handoff::HandoffOptions handoff;
	/** Ingest list URL, source order, downgrade rule, probing, deadline; the rest is per handoff. */
	ingest::ResolveRequest resolve;
	/** Keep a hot standby session to the live ingest (HotStandby.hpp; off by default). */
	bool hotStandby = false;
};

/** What the driver tells its owner. Called on the send thread. */
class DriverHost {
public:
	virtual ~DriverHost() = default;
	/** Metadata and sequence headers for a new session (asked once per start). */
	virtual StreamHeaders streamHeaders() = 0;
	/** The first session publishes: media may flow. */
	virtual void onStreamStarted() = 0;
	/** The first session could not be set up; the driver ends. */
	virtual void onStartFailed(const Error &error) = 0;
	virtual void onStateChanged(handoff::State state) = 0;
	virtual void onHandoffRecord(const handoff::HandoffRecord &record) = 0;
	/** No target worked and no session is live: libobs' reconnect must take over. */
	virtual void onFallBack(const std::string &reason) = 0;
	/** requestStop() finished: every session is closed. */
	virtual void onStopped() = 0;
};

class StreamDriver {
public:
	StreamDriver(DriverConfig config, DriverHost &host, PacketQueue &queue);
	/** Requests a stop (if still running) and joins the send thread. */
	~StreamDriver();
	StreamDriver(const StreamDriver &) = delete;
	StreamDriver &operator=(const StreamDriver &) = delete;

	void start();
	/** Any thread: stop after sending the packets with dts_usec < stopAtUsec (0: at once). */
	void requestStop(int64_t stopAtUsec);
	/** Any thread: "hand off now". */
	void requestHandoff();
	void join();
	DriverSnapshot snapshot() const;

private:
	void runGuarded() noexcept;
	void run();
	void tearDown();
	bool connectFirstSession();
	void loop();
	/** The stop point is reached: unpublish every session and end the loop. */
	void stop();
	/** stop(), unless the old connection was lost and what it owed is held for a handoff that
	 *  has not cut yet: then the loop goes on (bounded) until the new session carries it. */
	void stopOrDrain();
	/** Writes what each session buffered this turn (sessions are corked). */
	void flushSessions();
	void handleInbox();
	void pollSessions();
	/** What the live session's server acknowledged: the replay point, and a dead path
	 *  (StreamDriverPathWatch.cpp). */
	void watchPath();
	/** The live connection holds its unsent limit on a congested path: leave packets queued. */
	bool holdForPath();
	/** Sends the warm-up messages due on pre-connected sessions that carry no media yet. */
	void warmUpSessions();
	/** The hot standby (StreamDriverConnections.cpp): connects one when it is due, polls the ready one
	 *  (pings; a drop or a drain signal ends it, a new one follows after a back-off). */
	void keepStandby();
	/** An inbox result for the standby's connect (true: it was one, and it is handled). */
	bool standbyConnected(inbox::PreconnectDone &done);
	/** A pre-connect the ready standby answers at once (true: the machine gets it, deferred). */
	bool takeStandby(const handoff::action::Preconnect &pre);
	/** A dead path: the standby goes the same way (same ingest, same network), so it is not
	 *  used; a new one is made once the stream is live again. */
	void dropStandby(const char *why);
	void closeStandby();
	/** The best target's probe connection from the resolver, kept for the pre-connect to it. */
	void keepProbeConnection(inbox::CandidatesReady &ready);
	/** That connection, when `target` is the one it goes to and it is fresh (else null). */
	std::shared_ptr<rtmp::UniqueFd> takeProbeConnection(const handoff::Target &target);
	/** A connected session joins sessions_ (corked, warmed up); what the machine is told of it. */
	handoff::ConnectInfo adoptSession(handoff::SessionId id, std::unique_ptr<rtmp::RtmpSession> session,
					  const rtmp::ConnectTimings &t, bool hotStandby);
	void handlePacket(QueuedPacket packet);
	void execute(handoff::Actions actions);
	void execute(const handoff::Action &action);
	void startResolve(const handoff::action::ResolveTargets &request);
	void sendStored(handoff::SessionId id, handoff::PacketSeq seq);
	void closeSession(handoff::SessionId id, bool gracefully);
	/** A session's I/O failed. `byWrite`: a media or command write that could not go on; with
	 *  ErrorCode::Timeout nothing was taken for the dead-path window: the path is dead, not lost. */
	void sessionFailed(handoff::SessionId id, const Error &error, bool byWrite = false);
	/** Runs `event` (a machine call) once the action list being executed is done. */
	void defer(std::function<handoff::Actions()> event);
	void updateSnapshot();
	/** Publishes the held handoff records whose dead-air window has closed (`all`: every one,
	 *  with what was measured so far: the stream stops or falls back). */
	void publishRecords(bool all);
	rtmp::RtmpSession *session(handoff::SessionId id);
	handoff::TimePoint now() const { return handoff::Clock::now(); }

	DriverConfig config_;
	DriverHost &host_;
	PacketQueue &queue_;
	DriverInbox inbox_;
	SessionConnector connector_;
	TargetResolver resolver_;
	SessionWarmUp warmUp_;
	PathWatch pathWatch_;
	handoff::HandoffStateMachine machine_;
	HotStandby standby_;

	// Send thread only.
	std::map<handoff::SessionId, std::unique_ptr<rtmp::RtmpSession>> sessions_;
	std::map<handoff::SessionId, bool> publishPending_;
	std::map<handoff::PacketSeq, QueuedPacket> backlog_;
	std::map<uint64_t, uint64_t> resolverToMachine_; // resolver request id -> machine request id
	HeaderSchedule headers_;
	std::unique_ptr<rtmp::RtmpSession> standbySession_; // ready, not yet taken
	rtmp::ConnectTimings standbyTimings_;
	struct ProbeConnection {
		std::string url;
		std::string address;
		std::shared_ptr<rtmp::UniqueFd> socket;
		handoff::TimePoint at;
	};
	std::optional<ProbeConnection> probeConnection_; // the latest resolution's best target
	/// Sends and held records: a cut's record waits until its dead-air window has passed.
	HandoffRecordBook records_;
	uint64_t packetsSent_ = 0;
	uint64_t bytesOfClosedSessions_ = 0;
	bool finished_ = false;
	bool streamStarted_ = false; // host_.onStreamStarted() was called
	/// Lets a stop (or OBS exit) end the first connect at once, like the pre-connects'.
	std::shared_ptr<rtmp::ConnectCanceller> firstConnect_ = std::make_shared<rtmp::ConnectCanceller>();
	int executing_ = 0;
	std::vector<std::function<handoff::Actions()>> deferred_;
	std::optional<handoff::TimePoint> drainUntil_; // stopOrDrain(): when it stops regardless
	bool congestedShown_ = false;                  // what figures_ shows of pathWatch_.congested()
	bool stopping_ = false;                        // stop() runs: graceful closes drain

	// Any thread.
	std::atomic<bool> stopRequested_{false};
	std::atomic<int64_t> stopAtUsec_{0};
	LiveFigures figures_;
	std::thread thread_;
};

} // namespace goaway::output
