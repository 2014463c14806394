#pragma once
// The plain RTMP client handshake (RTMP spec 5.2) as bytes in, bytes out: no socket, no clock.
// C0 = version 3; C1 = 4-byte time, 4 zero bytes, 1528 random bytes. The server answers S0 (its
// version), S1 (1536 bytes) and S2 (an echo of C1); the client answers C2 = S1 and may send its
// `connect` right behind C2 (servers read them in order). This is the handshake librtmp, FFmpeg
// and OBS perform for plain (non-RTMPE, unverified) links, and what every RTMP server accepts.

#include "../common/Result.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace goaway::rtmp {

class ClientHandshake {
public:
	static constexpr uint8_t kVersion = 3;         // RTMP spec 5.2.2: plain RTMP
	static constexpr size_t kSignatureSize = 1536; // C1, S1, C2, S2 (RTMP spec 5.2.3)
	static constexpr size_t kRandomSize = kSignatureSize - 8;

	/** random: C1's random part (1528 bytes); timeMs: C1's time field (any epoch). */
	ClientHandshake(std::span<const uint8_t, kRandomSize> random, uint32_t timeMs);

	/** C0 + C1: what the client sends first. */
	const std::vector<uint8_t> &hello() const { return hello_; }

	/**
	 * Feeds bytes from the server. Returns true once S0, S1 and S2 are complete (bytes past S2
	 * are kept in leftover()), false while more are needed. Error (Protocol): S0 is not version 3,
	 * i.e. the peer is not a plain RTMP server. S2 is not compared with C1: servers that speak the
	 * Flash-digest handshake answer a plain client with their own S2, and librtmp, FFmpeg and OBS
	 * accept it too.
	 */
	Result<bool> feed(std::span<const uint8_t> bytes);

	bool done() const { return received_.size() >= kServerBytes; }
	/** C2: the echo of S1. Valid once done(). */
	std::span<const uint8_t> c2() const;
	/** Bytes the server sent after S2 (its first chunks), to be fed to the chunk demuxer. */
	std::span<const uint8_t> leftover() const;

private:
	static constexpr size_t kServerBytes = 1 + 2 * kSignatureSize; // S0 + S1 + S2
	std::vector<uint8_t> hello_;
	std::vector<uint8_t> received_;
};

} // namespace goaway::rtmp
