#pragma once
// The queue between libobs' encoder thread (push) and the send thread (pop), with a drop policy
// at least as good as OBS's stock rtmp_output: when more than dropBFramesAfter of video waits,
// disposable frames (b-frames) go; past dropPFramesAfter every non-keyframe video packet goes
// until the next keyframe (a decoder needs an unbroken reference chain). Audio is never dropped:
// a gap in audio is heard, a dropped video frame mostly is not.

#include "QueuedPacket.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <span>
#include <vector>

namespace goaway::output {

/** Video and audio packet counts. */
struct PacketCounts {
	uint64_t video = 0;
	uint64_t audio = 0;
};

class PacketQueue {
public:
	struct Thresholds {
		std::chrono::microseconds dropBFramesAfter{700000};
		std::chrono::microseconds dropPFramesAfter{900000};
	};

	PacketQueue();
	explicit PacketQueue(Thresholds thresholds);

	/** Encoder thread. Never blocks beyond the mutex. Returns false when the packet was dropped
	 *  by the policy (it is counted) or the queue is closed. */
	bool push(QueuedPacket packet);

	/** Send thread: waits until `deadline` for a video packet (or any packet, while audio wakes
	 *  the queue), then moves every queued packet into `out` in order; empty on timeout with
	 *  nothing queued. With `maxBytes`, it stops after the packet that reaches that many bytes
	 *  (at least one packet goes): the rest stays queued, where the drop policy sees it. */
	void popAll(std::chrono::steady_clock::time_point deadline, std::vector<QueuedPacket> &out,
		    uint64_t maxBytes = UINT64_MAX);

	/** Whether an audio push wakes a waiting pop (default true). Off, audio waits for the next
	 *  video packet or the waiter's deadline: the send thread then wakes once per video frame
	 *  and sends the audio with it in one write. */
	void setAudioWakes(bool wakes);

	/** Waits until `deadline`, a wake() or close() without taking anything: the send thread holds
	 *  packets here, where the drop policy sees them, while the live connection takes no more. */
	void waitHolding(std::chrono::steady_clock::time_point deadline);

	/** Wakes popAll() early (a server event or a request needs the send thread's attention). */
	void wake();
	/** Stops the queue: push() refuses; popAll() still takes what is left, without waiting. */
	void close();
	/** Send thread, at the stop point: closes the queue and drops what it holds. `popped` (the
	 *  packets already taken that reached the stop point), the dropped packets and every later
	 *  push are counted in afterStop(): OBS's stop(ts) says packets from ts on are not sent. */
	void closeAtStop(std::span<const QueuedPacket> popped);
	/** Packets encoded past the stop point since the last reset(). */
	PacketCounts afterStop() const;
	void clear();
	/** Empties the queue, reopens it and takes new thresholds (a new start of the output). */
	void reset(Thresholds thresholds);

	/**
	 * Send thread, around its writes: a write blocked longer than `after` may be one on a dead
	 * path (the output finds that out when nothing is taken for its dead-path window, then hands
	 * off and replays what waits here), so while it stays blocked, up to `cap` from its start, the
	 * drop policy waits instead of dropping what the next session will carry. Afterwards (a slow
	 * path) the policy applies as before. `cap` 0 (the default): never held.
	 */
	void setWriteStallHold(std::chrono::milliseconds after, std::chrono::milliseconds cap);
	void noteWriteStarted(std::chrono::steady_clock::time_point at);
	void noteWriteEnded();
	/** Video packets that the drop policy spared because a write was blocked (since the reset). */
	uint64_t sparedByWriteStall() const;

	/** Buffered video duration / dropPFramesAfter, clamped to [0, 1] (OBS's congestion meter). */
	float congestion() const;
	uint64_t droppedFrames() const;
	size_t size() const;
	uint64_t bytes() const;

private:
	std::chrono::microseconds bufferedVideoLocked() const;
	void dropVideoBelowLocked(PacketPriority minimum);
	bool writeStalledLocked() const;

	Thresholds thresholds_;
	mutable std::mutex mutex_;
	std::condition_variable ready_;
	std::deque<QueuedPacket> packets_;
	uint64_t bytes_ = 0;
	uint64_t dropped_ = 0;
	PacketCounts afterStop_;
	/// Incoming video below this priority is dropped until the next keyframe resets it.
	PacketPriority minimumPriority_ = PacketPriority::Disposable;
	bool woken_ = false;
	bool closed_ = false;
	bool audioWakes_ = true;
	std::chrono::milliseconds stallAfter_{0};
	std::chrono::milliseconds stallCap_{0};
	/// steady_clock nanoseconds when the send thread's current write began; 0: not writing.
	std::atomic<int64_t> writeStartedNs_{0};
	uint64_t spared_ = 0;
};

} // namespace goaway::output
