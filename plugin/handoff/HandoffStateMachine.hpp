#pragma once
// The handoff state machine (issue 5 B): events in, actions out. No sockets, no threads, no
// clock: every event carries `now`. Not thread-safe: the output serialises every call (one
// mutex) and executes the returned actions in order. See README.md for states and rules.

#include "BacklogLedger.hpp"
#include "HandoffActions.hpp"
#include "HandoffEvents.hpp"
#include "HandoffOptions.hpp"
#include "HandoffRecord.hpp"
#include "HandoffTypes.hpp"
#include "plugin/common/Result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace goaway::handoff {

class HandoffStateMachine {
public:
	explicit HandoffStateMachine(HandoffOptions options = {});

	// ---- life cycle ----------------------------------------------------------------------
	/** The output connected and published its first session itself (its connect thread maps
	 *  start-up failures to OBS codes). Idle / FellBack -> Streaming. The first packet routed
	 *  to it is preceded by SendHeaders. Ids above `session` are used for new sessions. */
	Actions onConnected(SessionId session, const Target &target, TimePoint now);
	/** Closes every session (the one carrying media gracefully) and forgets the backlog. */
	Actions stop(TimePoint now);

	// ---- triggers --------------------------------------------------------------------------
	Actions onGoAway(SessionId session, TimePoint now);
	Actions onReconnectRequest(SessionId session, std::optional<std::string> tcUrl, std::string description,
				   TimePoint now);
	/** "Hand off now" (dock, obs-websocket, tests). */
	Actions requestHandoff(TimePoint now);
	/** The session's connection died (read/write error, peer close). */
	Actions onSessionLost(SessionId session, std::string reason, TimePoint now);
	/** The session's server stopped acknowledging while data waited (DeadPathDetector): it is
	 *  left without a word and the stream resumes elsewhere from the keyframe at or before the
	 *  oldest packet it had not acknowledged. `detection`: since the acknowledgement was due. */
	Actions onDeadPath(SessionId session, std::string detail, std::chrono::milliseconds detection, TimePoint now);
	/** Every packet sent on `session` before `firstUnacked` reached its server, as `source`
	 *  says. With options.replayFromAcknowledged, replays start from the keyframe at or before
	 *  firstUnacked, and the backlog keeps everything from there. */
	void onAcknowledged(SessionId session, PacketSeq firstUnacked, AckSource source);

	// ---- answers to actions ------------------------------------------------------------
	Actions onCandidates(std::uint64_t requestId, std::vector<Target> candidates, TimePoint now);
	Actions onPreconnectSucceeded(SessionId session, const ConnectInfo &info, TimePoint now);
	Actions onPreconnectFailed(SessionId session, const Error &error, TimePoint now);
	Actions onPublishResult(SessionId session, const Result<void> &result, TimePoint now);

	// ---- media and time ----------------------------------------------------------------
	/** Every packet the output is about to send, in order. Store it under verdict.seq, then
	 *  execute verdict.actions. Runs tick(now) first. */
	PacketVerdict onPacket(const PacketInfo &packet, TimePoint now);
	/** Deadlines: resolve, pre-connect and publish timeouts, keyframe wait, retry cool-down. */
	Actions tick(TimePoint now);
	/** When tick() has something to do next (nullopt: only an event can change anything). */
	std::optional<TimePoint> nextDeadline() const;

	// ---- observers (get_state) ---------------------------------------------------------
	State state() const { return state_; }
	/** The session media goes to right now (nullopt while packets are held). */
	std::optional<SessionId> liveSession() const;
	/** The live connection was lost and the handoff that carries what it owed has not finished:
	 *  held in the backlog, or sent on a new session whose publish is not confirmed yet (a stop
	 *  now would drop it, or close a session its server may not have accepted). */
	bool holdingForHandoff() const { return handoff_.has_value() && !current_; }
	/** The record of the handoff in progress, as it stands. */
	std::optional<HandoffRecord> currentHandoff() const;
	std::uint64_t backlogBytes() const { return backlog_.bytes(); }
	std::size_t backlogPackets() const { return backlog_.size(); }
	const HandoffOptions &options() const { return options_; }

private:
	struct Session {
		SessionId id = 0;
		Target target;
		TimePoint startedAt{};
		bool ready = false; // connect + createStream done
		bool publishSent = false;
		bool accepted = false; // publish confirmed (the initial session: by the output)
		bool headersSent = false;
		std::optional<PacketSeq> lastSent;
	};
	struct FollowUp {
		Trigger trigger = Trigger::GoAway;
		std::optional<std::string> tcUrl;
		std::string detail;
	};
	struct Handoff {
		HandoffRecord record;
		HandoffMode mode = HandoffMode::MakeBeforeBreak;
		bool closeOldSilently = false;
		std::optional<std::string> tcUrl;
		std::optional<std::uint64_t> resolveRequest;
		std::vector<Target> candidates;
		std::size_t nextCandidate = 0;
		std::optional<PacketSeq> cutSeq;
		std::optional<TimePoint> awaitingCutSince;
		std::optional<TimePoint> holdingSince;
		std::optional<FollowUp> followUp;
		bool bbmFallbackUsed = false;
		std::string lastFailure;
	};
	struct Retry {
		TimePoint at{};
		Trigger trigger = Trigger::GoAway;
		std::optional<std::string> tcUrl;
		std::string detail;
		int round = 1;
	};

	void setState(State next, Actions &out);
	Actions trigger(Trigger trigger, SessionId session, std::optional<std::string> tcUrl, std::string detail,
			TimePoint now);
	void beginHandoff(Trigger trigger, std::optional<std::string> tcUrl, std::string detail, const Session &from,
			  int round, TimePoint now, Actions &out);
	void tryNextCandidate(TimePoint now, Actions &out);
	void candidateFailed(const std::string &reason, TimePoint now, Actions &out);
	void confirmingFailed(const std::string &reason, bool rejected, TimePoint now, Actions &out);
	bool mayBreakBeforeMake(const Target &refused) const;
	void startBreakBeforeMakeFallback(TimePoint now, Actions &out);
	void roundFailed(const std::string &reason, TimePoint now, Actions &out);
	void fallBack(const std::string &reason, TimePoint now, Actions &out);
	void oldSessionLost(Trigger trigger, const std::string &reason, TimePoint now, Actions &out);
	/** The lost session's loss basis, and the packets it had not acknowledged that the replay
	 *  can no longer reach (the backlog cap moved the resume keyframe past them), into the record. */
	void noteUnacknowledgedLoss(SessionId lost);

	void cutAtPacket(PacketSeq seq, const PacketInfo &packet, TimePoint now, Actions &out);
	void breakAtPacket(PacketSeq seq, bool replayFromResume, TimePoint now, Actions &out);
	void cutByReplay(TimePoint now, Actions &out);
	void enterConfirmingOrComplete(TimePoint now, Actions &out);
	void complete(TimePoint now, Actions &out);
	void finishRecord(HandoffResult result, const std::string &reason, TimePoint now, Actions &out);

	void sendOn(Session &session, PacketSeq seq, const PacketInfo &packet, Actions &out);
	void replayOn(Session &session, PacketSeq fromSeq, Actions &out);
	void noteSent(Session &session, PacketSeq seq);
	void holdOrDrop(PacketSeq seq, bool cutPoint);
	void trimAndCap(PacketSeq seq, TimePoint now, Actions &out);
	void closeOld(Actions &out);
	bool isCutPoint(const PacketInfo &packet) const;
	bool holding() const;

	HandoffOptions options_;
	State state_ = State::Idle;
	std::optional<Session> current_; // the established session; nullopt once it died / closed
	std::optional<Session> next_;    // the session being prepared / confirmed
	std::optional<Handoff> handoff_;
	std::optional<Retry> retry_;
	std::optional<TimePoint> deadline_;         // resolve / pre-connect / publish answer
	std::optional<TimePoint> keyframeDeadline_; // max wait for a cut point
	bool keyframeWaitExceeded_ = false;

	BacklogLedger backlog_;
	std::optional<PacketSeq> resumeFrom_; // the cut point a replay would start from
	PacketSeq deliveredThrough_ = 0;      // newest seq sent on an accepted session
	/// replayFromAcknowledged: the oldest packet on current_ its server has not acknowledged.
	std::optional<PacketSeq> firstUnacked_;
	SessionId firstUnackedSession_ = 0;
	AckSource ackSource_ = AckSource::Assumed;

	SessionId nextSessionId_ = 1;
	PacketSeq nextSeq_ = 1;
	std::uint64_t nextRecordId_ = 1;
	std::uint64_t nextRequestId_ = 1;
};

} // namespace goaway::handoff
