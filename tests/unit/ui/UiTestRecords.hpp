#pragma once
// Handoff records as the output really serialises them (plugin/output HandoffJson, the `handoff`
// signal's payload), so the model is tested against the producer's shape, not a copy of it.

#include "plugin/output/HandoffJson.hpp"

#include <QByteArray>

namespace goaway::ui::test {

inline QByteArray recordJson(std::uint64_t id, std::uint64_t framesLost, handoff::HandoffResult result,
			     std::optional<std::int64_t> deadAirMs = 12,
			     handoff::Endpoint from = {"127.0.0.1", 40001, "127.0.0.1"},
			     handoff::Endpoint to = {"127.0.0.1", 40002, "127.0.0.1"})
{
	const handoff::TimePoint epoch = handoff::Clock::now();
	handoff::HandoffRecord r;
	r.id = id;
	r.trigger = handoff::Trigger::GoAway;
	r.from = from;
	r.to = to;
	r.triggeredAt = epoch + std::chrono::milliseconds(65000 + 1000 * id);
	r.waitedForKeyframeMs = 830;
	r.preconnectMs = 4;
	r.deadAirMs = deadAirMs;
	r.framesLost = framesLost;
	r.result = result;
	if (result != handoff::HandoffResult::Succeeded)
		r.failureReason = "no target accepted the stream";
	return QByteArray::fromStdString(output::handoffRecordToJson(r, epoch).dump());
}

} // namespace goaway::ui::test
