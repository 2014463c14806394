#pragma once
// JSON of handoff records and the output's live state, for the `handoff` signal, the
// get_handoffs / get_state / get_stats proc handlers, the dock and obs-websocket. Never a key.

#include "StreamDriver.hpp"
#include "plugin/handoff/HandoffRecord.hpp"

#include <nlohmann/json.hpp>

namespace goaway::output {

/** Times are milliseconds since `epoch` (the output's start), so records read as a timeline. */
nlohmann::json handoffRecordToJson(const handoff::HandoffRecord &record, handoff::TimePoint epoch);
nlohmann::json snapshotToJson(const DriverSnapshot &snapshot);
std::string stateSlug(handoff::State state);
/** JSON text that never throws: a string that is not valid UTF-8 (the outside-text boundary
 *  should have made every one valid) is written with U+FFFD instead of aborting the dump. */
std::string jsonText(const nlohmann::json &j);

} // namespace goaway::output
