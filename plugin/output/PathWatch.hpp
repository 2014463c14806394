#pragma once
// Watches what the live session's server acknowledged (issue 16): maps the acknowledged byte
// count to the oldest packet the server may not have (the handoff machine keeps the backlog from
// the keyframe before it) and asks DeadPathDetector whether the path died. No I/O and no clock:
// the caller reads the session's counters into AckFacts and says what time it is. Send thread only.

#include "plugin/handoff/DeadPathDetector.hpp"
#include "plugin/handoff/HandoffOptions.hpp"
#include "plugin/handoff/HandoffTypes.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

namespace goaway::output {

class PathWatch {
public:
	explicit PathWatch(std::chrono::milliseconds window) : detector_(window) {}

	/** The machine's options with replays from what the server acknowledged turned on. */
	static handoff::HandoffOptions machineOptions(handoff::HandoffOptions options);

	/** Packet `seq` went to session `id`, whose stream then ended at byte `endOffset`
	 *  (RtmpSession::bytesGiven()). */
	void noteSent(handoff::SessionId id, handoff::PacketSeq seq, std::uint64_t endOffset);
	/** What a session's counters say this turn (RtmpSession: bytesGiven, serverAcknowledgedBytes,
	 *  tcpAcknowledgedBytes — read only when the server does not acknowledge —, ackWindowAsked). */
	struct AckFacts {
		std::uint64_t bytesGiven = 0;
		std::optional<std::uint64_t> serverAcknowledged;
		std::optional<std::uint64_t> tcpAcknowledged;
		std::uint32_t ackWindowAsked = 0;
	};
	struct Observation {
		handoff::PacketSeq firstUnacked = 0; // the oldest packet the server may not have
		handoff::AckSource source = handoff::AckSource::Assumed;
		bool deadPath = false;
		std::chrono::milliseconds detection{0}; // deadPath: since an acknowledgement was due
		std::string detail;                     // deadPath: a sentence for logs and the record
		std::uint64_t bytesWaiting = 0;         // given but not known to be acknowledged
	};
	/** Once per turn of the send loop, for the session media goes to; nullopt before its first
	 *  packet. When another session goes live, what was noted for the others is forgotten (media
	 *  never goes back to a session that stopped carrying it). */
	std::optional<Observation> observe(handoff::SessionId id, const AckFacts &facts, handoff::TimePoint now,
					   bool mediaWaiting = false);
	/** The watched server acknowledges less than is sent (acknowledgements still progress: no dead
	 *  path, no handoff) — or, once so, media keeps waiting in the output's queue
	 *  (observe()'s `mediaWaiting`) while acknowledgements still come — until kCongestionCalm has
	 *  passed without either. */
	bool congested() const { return congested_; }

private:
	struct Sent {
		handoff::PacketSeq seq = 0;
		std::uint64_t endOffset = 0;
	};
	handoff::DeadPathDetector detector_;
	std::map<handoff::SessionId, std::deque<Sent>> sent_;
	std::map<handoff::SessionId, handoff::PacketSeq> lastSeq_;
	std::optional<handoff::SessionId> watched_;
	std::optional<handoff::AckSource> watchedSource_;
	bool congested_ = false;
	std::optional<handoff::TimePoint> calmSince_; // congested_: the first later verdict without it
	/// A newly watched session catches up (PathWatch.cpp, kCatchUpLimit) until the server has
	/// acknowledged what it had been given when first watched.
	struct CatchUp {
		std::uint64_t untilBytes = 0;
		handoff::TimePoint since;
	};
	std::optional<CatchUp> catchUp_;
};

} // namespace goaway::output
