#pragma once
// CPU time of this process and of each of its threads (user + kernel, nanoseconds), from the
// kernel's per-thread CPU clocks. The sender benchmark takes two snapshots and reports the deltas.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>

namespace goaway::runner {

struct ThreadCpu {
	uint64_t wallNs = 0; // monotonic clock
	uint64_t processNs = 0;
	std::map<int, std::pair<std::string, uint64_t>> threads; // tid -> (name, ns)

	static ThreadCpu now();
	/** {"wallNs", "processNs", "threads": [{"tid","name","ns","new"}]}: `later` minus `earlier` (threads that
	 *  started in between count from 0); "new": the thread did not exist in `reference` (e.g. taken
	 *  before the output started: the output's own threads). */
	static nlohmann::json delta(const ThreadCpu &earlier, const ThreadCpu &later, const ThreadCpu &reference);
};

} // namespace goaway::runner
