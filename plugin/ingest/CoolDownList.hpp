#pragma once
// Nodes that told us to go away, kept out of candidate lists for a while. Time is passed in
// (no clock inside), so tests drive it directly.

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace goaway::ingest {

class CoolDownList {
public:
	using TimePoint = std::chrono::steady_clock::time_point;

	/** `address:port` is draining from `now` for `coolDown` (extends an earlier entry). */
	void add(std::string_view address, uint16_t port, TimePoint now, std::chrono::milliseconds coolDown);
	/** True while `now` is before the entry's end; forgets expired entries. */
	bool contains(std::string_view address, uint16_t port, TimePoint now);
	/** Time left for the entry, zero when absent or expired. */
	std::chrono::milliseconds remaining(std::string_view address, uint16_t port, TimePoint now);
	std::size_t size(TimePoint now);

private:
	using Key = std::pair<std::string, uint16_t>;
	void prune(TimePoint now);

	std::mutex mutex_;
	std::map<Key, TimePoint> until_;
};

} // namespace goaway::ingest
