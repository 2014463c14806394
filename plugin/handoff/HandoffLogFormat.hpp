#pragma once
// Formatting helpers for the state machine's log lines (shared by its two source files).

#include "HandoffTypes.hpp"

#include <cstdint>
#include <string>

namespace goaway::handoff {

/** "host:port" of an endpoint, for logs (never a key). */
inline std::string hostPort(const Endpoint &endpoint)
{
	return endpoint.host + ":" + std::to_string(endpoint.port);
}

/** A uint64_t as the type printf's %llu expects. */
inline unsigned long long ull(std::uint64_t value)
{
	return static_cast<unsigned long long>(value);
}

} // namespace goaway::handoff
