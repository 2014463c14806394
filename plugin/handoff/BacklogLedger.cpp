#include "BacklogLedger.hpp"

#include <algorithm>

namespace goaway::handoff {

void BacklogLedger::push(const Entry &entry)
{
	entries_.push_back(entry);
	bytes_ += entry.bytes;
}

std::size_t BacklogLedger::trimBefore(PacketSeq beforeSeq)
{
	std::size_t dropped = 0;
	while (!entries_.empty() && entries_.front().seq < beforeSeq) {
		bytes_ -= entries_.front().bytes;
		entries_.pop_front();
		++dropped;
	}
	return dropped;
}

void BacklogLedger::clear()
{
	entries_.clear();
	bytes_ = 0;
}

std::optional<PacketSeq> BacklogLedger::frontSeq() const
{
	if (entries_.empty())
		return std::nullopt;
	return entries_.front().seq;
}

std::optional<PacketSeq> BacklogLedger::backSeq() const
{
	if (entries_.empty())
		return std::nullopt;
	return entries_.back().seq;
}

BacklogLedger::Span BacklogLedger::spanFrom(PacketSeq fromSeq) const
{
	Span span;
	// Walk from the newest end: replays start near the back far more often than at the front.
	for (auto it = entries_.rbegin(); it != entries_.rend() && it->seq >= fromSeq; ++it) {
		++span.packets;
		span.bytes += it->bytes;
	}
	return span;
}

std::uint64_t BacklogLedger::countBetween(PacketSeq fromSeq, PacketSeq throughSeq) const
{
	std::uint64_t count = 0;
	for (const Entry &entry : entries_) {
		if (entry.seq > throughSeq)
			break;
		if (entry.seq >= fromSeq)
			++count;
	}
	return count;
}

std::optional<PacketSeq> BacklogLedger::oldestCutPointWithin(std::uint64_t capBytes) const
{
	std::optional<PacketSeq> best;
	std::uint64_t total = 0;
	for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
		total += it->bytes;
		if (total > capBytes)
			break;
		if (it->cutPoint)
			best = it->seq;
	}
	return best;
}

std::optional<std::int64_t> BacklogLedger::dtsOf(PacketSeq seq) const
{
	const auto it = std::lower_bound(entries_.begin(), entries_.end(), seq,
					 [](const Entry &entry, PacketSeq wanted) { return entry.seq < wanted; });
	if (it == entries_.end() || it->seq != seq)
		return std::nullopt;
	return it->dtsMs;
}

std::optional<PacketSeq> BacklogLedger::newestCutPoint() const
{
	for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
		if (it->cutPoint)
			return it->seq;
	}
	return std::nullopt;
}

std::optional<PacketSeq> BacklogLedger::newestCutPointAtOrBefore(PacketSeq atOrBefore) const
{
	for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
		if (it->cutPoint && it->seq <= atOrBefore)
			return it->seq;
	return std::nullopt;
}

} // namespace goaway::handoff
