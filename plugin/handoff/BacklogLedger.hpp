#pragma once
// The machine's mirror of the output's packet backlog: sequence numbers and sizes only (the
// output keeps the bytes). Lets the machine decide trims, replays and the cap without ever
// touching media.

#include "HandoffTypes.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace goaway::handoff {

class BacklogLedger {
public:
	struct Entry {
		PacketSeq seq = 0;
		std::uint64_t bytes = 0;
		bool cutPoint = false; // a video keyframe (audio-only streams: any audio packet)
		std::int64_t dtsMs = 0;
	};

	/** Appends; seq must be larger than every seq already held. */
	void push(const Entry &entry);
	/** Drops every entry with seq < beforeSeq; returns how many were dropped. */
	std::size_t trimBefore(PacketSeq beforeSeq);
	void clear();

	bool empty() const { return entries_.empty(); }
	std::size_t size() const { return entries_.size(); }
	std::uint64_t bytes() const { return bytes_; }
	/** Seq of the oldest entry, or nullopt when empty. */
	std::optional<PacketSeq> frontSeq() const;
	/** Seq of the newest entry, or nullopt when empty. */
	std::optional<PacketSeq> backSeq() const;

	/** Packets and bytes held with seq >= fromSeq. */
	struct Span {
		std::uint64_t packets = 0;
		std::uint64_t bytes = 0;
	};
	Span spanFrom(PacketSeq fromSeq) const;
	/** Entries with fromSeq <= seq <= throughSeq. */
	std::uint64_t countBetween(PacketSeq fromSeq, PacketSeq throughSeq) const;
	/** The oldest cut point such that it and everything after it fit in `capBytes`. */
	std::optional<PacketSeq> oldestCutPointWithin(std::uint64_t capBytes) const;
	/** The dts of the entry `seq`, or nullopt when it is not held. */
	std::optional<std::int64_t> dtsOf(PacketSeq seq) const;
	/** The newest cut point held, or nullopt. */
	std::optional<PacketSeq> newestCutPoint() const;
	/** The newest cut point held with seq <= atOrBefore, or nullopt. */
	std::optional<PacketSeq> newestCutPointAtOrBefore(PacketSeq atOrBefore) const;

private:
	std::deque<Entry> entries_;
	std::uint64_t bytes_ = 0;
};

} // namespace goaway::handoff
