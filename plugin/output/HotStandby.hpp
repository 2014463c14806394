#pragma once
// The optional hot standby (issue 16, item 3): a second session kept connected (TCP, TLS,
// handshake, connect, createStream — never published) to the live session's ingest, so that a
// failure without a signal costs a publish instead of a whole connect. Decisions only, no I/O and
// no clock: StreamDriver connects, polls and closes the session and says what happened and when.
//
// Cost, for the README: one idle connection to the ingest while streaming, re-made after each use
// and whenever the server drops it.

#include "plugin/handoff/HandoffTypes.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace goaway::output {

class HotStandby {
public:
	/// Standby sessions are numbered apart from the handoff machine's (which count up from 1), so
	/// an inbox result can never be taken for one of the machine's sessions.
	static constexpr handoff::SessionId kFirstId = handoff::SessionId(1) << 62;

	enum class Phase { Off, Waiting, Connecting, Ready };

	explicit HotStandby(bool enabled) : phase_(enabled ? Phase::Waiting : Phase::Off) {}

	Phase phase() const { return phase_; }
	bool isStandby(handoff::SessionId id) const { return id >= kFirstId; }

	/** Time to connect one: it is wanted, nothing is connecting or ready, the stream is live
	 *  without a handoff running (a standby must not compete with a replay), and any back-off
	 *  after a failure or a use has passed. */
	bool shouldConnect(handoff::TimePoint now, bool streamingWithoutHandoff) const;
	/** A connect to `url` starts now; the session's number. */
	handoff::SessionId beginConnect(std::string url);
	/** The connect finished; `address` is the numeric peer address. A result for a session that is
	 *  no longer the one connecting (after a stop or a newer connect) is false: close it. */
	bool connected(handoff::SessionId id, std::string address);
	/** The connect failed, or the server dropped the ready standby: try again after a back-off
	 *  that doubles from kRetryFirst to kRetryMax while it keeps failing. */
	void failed(handoff::SessionId id, handoff::TimePoint now);
	/** A handoff wants a session to `target`: the ready standby's number if it goes to the same
	 *  URL (and, when the target names an address, the same address). The standby is then the
	 *  caller's, and a new one is made once the stream is live again (kAfterUse). */
	std::optional<handoff::SessionId> take(const handoff::Target &target, handoff::TimePoint now);
	/** The ready or connecting standby's number (to close or cancel it at a stop). */
	std::optional<handoff::SessionId> current() const;
	/** Off for good (the output stops). */
	void stop() { phase_ = Phase::Off; }

	/// The first retry after a failed connect or a dropped standby: a node that refuses or drops
	/// idle connections is not hammered, and one that blipped is back within a second.
	static constexpr std::chrono::milliseconds kRetryFirst{1000};
	/// The longest back-off: an ingest that never keeps an idle connection costs a connect every
	/// half minute, no more.
	static constexpr std::chrono::milliseconds kRetryMax{30000};
	/// After the standby was used (and only once the handoff is over): the new session's first
	/// replay bursts leave first. Short, because failures can come close together and a connect
	/// is a few hundred bytes beside the stream.
	static constexpr std::chrono::milliseconds kAfterUse{500};

private:
	Phase phase_;
	handoff::SessionId nextId_ = kFirstId;
	handoff::SessionId id_ = 0; // Connecting / Ready
	std::string url_;
	std::string address_;
	std::optional<handoff::TimePoint> notBefore_;
	std::chrono::milliseconds backoff_{0};
};

} // namespace goaway::output
