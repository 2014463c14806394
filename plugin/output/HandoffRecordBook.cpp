#include "HandoffRecordBook.hpp"

#include "plugin/common/Log.hpp"

#include <algorithm>
#include <chrono>

namespace goaway::output {

namespace {

/// Issue 19: a handoff's dead air is the largest gap between media sends from this long before
/// the trigger to this long after the first send on the new session (the ingest measures the same
/// window on arrival); the record is published once the window has closed.
constexpr auto kDeadAirWindowBefore = std::chrono::milliseconds(1000);
constexpr auto kDeadAirWindowAfter = std::chrono::milliseconds(1000);

} // namespace

void HandoffRecordBook::onSend(handoff::SessionId session, handoff::PacketSeq seq, handoff::TimePoint at,
			       bool delivered)
{
	if (lastSendSession_ && *lastSendSession_ != session) {
		pendingSwitchGapMs_ = handoff::msBetween(lastSendAt_, at);
		switchedAt_ = at;
	}
	lastSendSession_ = session;
	lastSendAt_ = at;
	if (!delivered)
		return;
	sendTimeline_.onSend(at);
	sent_.push_back({session, seq, at});
	while (!sent_.empty() && at - sent_.front().at > SendTimeline::kDefaultKeep)
		sent_.pop_front();
}

std::optional<handoff::TimePoint> HandoffRecordBook::lastAcknowledgedSend(handoff::SessionId session,
									  handoff::PacketSeq firstUnacknowledged) const
{
	for (auto it = sent_.rbegin(); it != sent_.rend(); ++it)
		if (it->session == session && it->seq < firstUnacknowledged)
			return it->at;
	return std::nullopt;
}

void HandoffRecordBook::hold(handoff::HandoffRecord record)
{
	HeldRecord held{std::move(record), std::nullopt, std::nullopt};
	if (held.record.cutOverAt && pendingSwitchGapMs_) {
		held.record.switchGapMs = *pendingSwitchGapMs_;
		held.windowFrom = std::min(held.record.triggeredAt, switchedAt_) - kDeadAirWindowBefore;
		held.windowTo = switchedAt_ + kDeadAirWindowAfter;
		const auto &r = held.record;
		if (r.lossBasis && r.firstUnacknowledged)
			if (auto acked = lastAcknowledgedSend(r.fromSession, *r.firstUnacknowledged))
				held.upToMs = handoff::msBetween(*acked, switchedAt_);
	}
	pendingSwitchGapMs_.reset();
	heldRecords_.push_back(std::move(held));
}

void HandoffRecordBook::fillDeadAir(HeldRecord &held, handoff::TimePoint at) const
{
	if (!held.windowFrom)
		return;
	handoff::HandoffRecord &record = held.record;
	record.deadAirMs = sendTimeline_.largestGap(*held.windowFrom, std::min(*held.windowTo, at));
	if (!record.lossBasis)
		return; // the old connection carried everything it was given: the sends are the measure
	if (held.upToMs) {
		record.deadAirMs = std::max(record.deadAirMs.value_or(0), *held.upToMs);
		record.deadAirBasis = handoff::DeadAirBasis::UpTo;
	} else {
		// No acknowledgement to bound it by: the server waited at least across the switch.
		record.deadAirMs = record.switchGapMs;
		record.deadAirBasis = handoff::DeadAirBasis::AtLeast;
	}
}

std::optional<handoff::TimePoint> HandoffRecordBook::nextWindowClose() const
{
	if (heldRecords_.empty())
		return std::nullopt;
	return heldRecords_.front().windowTo;
}

std::vector<handoff::HandoffRecord> HandoffRecordBook::takeDue(handoff::TimePoint at, bool all)
{
	std::vector<handoff::HandoffRecord> due;
	// In order: a record without a window (a failed handoff) waits behind an earlier held one.
	while (!heldRecords_.empty() &&
	       (all || !heldRecords_.front().windowTo || *heldRecords_.front().windowTo <= at)) {
		HeldRecord held = std::move(heldRecords_.front());
		heldRecords_.pop_front();
		handoff::HandoffRecord &record = held.record;
		fillDeadAir(held, at);
		GOAWAY_LOG_INFO("HandoffRecordBook::takeDue",
				"handoff #%llu (%s) %s:%u -> %s:%u: keyframe wait %lld ms, pre-connect %lld ms, "
				"dead air %s%lld ms (switch gap %lld ms), frames lost %llu, duplicates %llu: %s%s%s",
				(unsigned long long)record.id, handoff::triggerName(record.trigger),
				record.from.host.c_str(), record.from.port, record.to.host.c_str(), record.to.port,
				(long long)record.waitedForKeyframeMs, (long long)record.preconnectMs,
				record.deadAirBasis == handoff::DeadAirBasis::UpTo      ? "up to "
				: record.deadAirBasis == handoff::DeadAirBasis::AtLeast ? "at least "
											: "",
				(long long)record.deadAirMs.value_or(-1), (long long)record.switchGapMs.value_or(-1),
				(unsigned long long)record.framesLost, (unsigned long long)record.duplicates,
				handoff::handoffResultName(record.result), record.failureReason.empty() ? "" : ": ",
				record.failureReason.c_str());
		due.push_back(std::move(held.record));
	}
	return due;
}

} // namespace goaway::output
