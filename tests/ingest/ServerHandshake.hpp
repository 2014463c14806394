#pragma once
// Server side of the plain RTMP handshake (RTMP spec 5.2). Pure: bytes in, bytes out.

#include "plugin/common/Result.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::ingest {

/**
 * Reads C0+C1, answers S0+S1+S2, then waits for C2. S1 carries zero version bytes (offset 4-7)
 * so that librtmp clients, which try the Flash Player 9 digest handshake when they can, fall back
 * to the plain handshake and do not look for a server digest. S2 echoes C1 (what librtmp checks
 * in the plain path; FFmpeg publishers echo S1 back as C2 and check nothing).
 */
class ServerHandshake {
public:
	enum class State { WaitC0C1, WaitC2, Done };

	/**
	 * Consumes bytes from `in` (up to what the handshake needs), appends any reply to `reply`
	 * and returns how many bytes it consumed; bytes after C2 belong to the chunk stream.
	 * Error (ErrorCode::Protocol) when C0 asks for a version other than 3 (e.g. RTMPE's 6).
	 */
	Result<size_t> feed(std::span<const uint8_t> in, std::vector<uint8_t> &reply);

	State state() const { return state_; }
	bool done() const { return state_ == State::Done; }

private:
	State state_ = State::WaitC0C1;
	std::vector<uint8_t> buffer_;
};

} // namespace goaway::ingest
