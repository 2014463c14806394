#pragma once
// The one place librtmp (Debian's librtmp-dev 2.4+20151223, unpatched) is driven: its handshake
// (RTMP_Connect1) over OUR connected socket and, for RTMPS, OUR verified TLS session, sending OUR
// connect command. Everything after that (reading, chunking, commands) is the project's code.

#include "Transport.hpp"
#include "../common/Result.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::rtmp {

class LibrtmpHandshake {
public:
	/**
	 * Runs the RTMP handshake and sends `connectBody` (a type-20 body built by
	 * buildConnectBody()) as the connect command, on the blocking socket of `transport`.
	 * For RTMPS librtmp talks to a TlsBridge (socketpair) that carries its bytes over our verified
	 * TLS session; the protocol flags are left without RTMP_FEATURE_SSL so librtmp never starts
	 * TLS itself (its sb_ssl hook breaks on TLS 1.3 session tickets, see TlsBridge.hpp).
	 * Returns the bytes librtmp had already read past the handshake (the caller's demuxer must
	 * start with them). Afterwards librtmp holds nothing: sb_socket is detached before RTMP_Close
	 * so it does not close our socket. When librtmp fails on plain RTMP it closes our socket
	 * itself; the transport is then abandoned (not closed twice).
	 * Errors: ConnectFailed (handshake or send failed), Timeout (no answer within ioTimeoutMs).
	 */
	static Result<std::vector<uint8_t>> run(Transport &transport, std::span<const uint8_t> connectBody,
						int ioTimeoutMs);
};

} // namespace goaway::rtmp
