#pragma once
// Tells a dead path (an ingest that stopped reading and answering without closing) from
// congestion (acknowledgements still progress while the queue grows), from what the server
// acknowledged. Decisions only: no sockets and no clock; the caller passes the time and the
// byte counts of the live session on every turn of its loop (issue 16).

#include "HandoffTypes.hpp"

#include <chrono>
#include <cstdint>
#include <optional>

namespace goaway::handoff {

class DeadPathDetector {
public:
	enum class Verdict {
		Healthy,   // acknowledgements keep up (or nothing waits for one)
		Congested, // acknowledgements progress, but less than is sent: the queue grows (no handoff)
		Dead,      // an acknowledgement has been due for longer than the window and none came
	};

	/** Shortest and longest detection window a setting may ask for: below half a second a
	 *  loaded machine or a long round trip (plus the server's acknowledgement spacing) would
	 *  look dead; above ten seconds the output would lose more than a keyframe interval of
	 *  media into a dead socket before it moves. */
	static constexpr std::chrono::milliseconds kMinWindow{500};
	static constexpr std::chrono::milliseconds kMaxWindow{10000};
	static constexpr std::chrono::milliseconds kDefaultWindow{2000};
	static std::chrono::milliseconds clampWindow(std::chrono::milliseconds window);

	explicit DeadPathDetector(std::chrono::milliseconds window = kDefaultWindow);

	/**
	 * One observation of the live session.
	 * sentBytes: bytes of the session's stream given to the socket so far;
	 * ackedBytes: how many of them the server (or TCP) acknowledged, nullopt when not known;
	 * ackSpacing: how many bytes the server may receive before it owes an acknowledgement
	 * (the RTMP window; 0 for TCP facts, which TCP acknowledges every round trip).
	 */
	Verdict update(TimePoint now, std::uint64_t sentBytes, std::optional<std::uint64_t> ackedBytes,
		       std::uint64_t ackSpacing);
	/** A new session is live: forget everything. */
	void reset();

	std::chrono::milliseconds window() const { return window_; }
	/** When the acknowledgement that is still missing became due (nullopt: none is due). */
	std::optional<TimePoint> dueSince() const { return dueSince_; }
	/** The last time the acknowledged count grew (nullopt: never). */
	std::optional<TimePoint> lastProgress() const { return lastProgress_; }

private:
	std::chrono::milliseconds window_;
	std::optional<std::uint64_t> acked_;
	std::uint64_t outstandingAtProgress_ = 0;
	std::optional<TimePoint> lastProgress_;
	std::optional<TimePoint> dueSince_;
	bool congested_ = false;
};

const char *deadPathVerdictName(DeadPathDetector::Verdict verdict);

} // namespace goaway::handoff
