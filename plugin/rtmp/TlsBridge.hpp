#pragma once
// Carries librtmp's handshake over our verified TLS session through a socketpair, for the
// duration of RTMP_Connect1 only.
//
// Why not librtmp's own sb_ssl hook: Debian's librtmp (GnuTLS build) treats any return value of
// gnutls_record_recv() other than -1 as a byte count. A TLS 1.3 server sends NewSessionTicket
// messages after the handshake; gnutls_record_recv() then returns GNUTLS_E_AGAIN (-28) even on a
// blocking socket, which librtmp adds to its buffer size and the handshake fails (seen with
// stunnel/OpenSSL here; see the publish-rtmps test). The bridge retries GNUTLS_E_AGAIN itself.

#include "TlsSession.hpp"
#include "../common/Result.hpp"

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

namespace goaway::rtmp {

class TlsBridge {
public:
	TlsBridge(TlsSession &tls, int tlsFd) : tls_(tls), tlsFd_(tlsFd) {}
	~TlsBridge();
	TlsBridge(const TlsBridge &) = delete;
	TlsBridge &operator=(const TlsBridge &) = delete;

	/** Creates the socketpair and starts the pump thread; returns the plain fd for librtmp. */
	Result<int> start();
	/**
	 * Stops the pump after forwarding everything librtmp wrote, and returns the bytes that came
	 * from the server but were not yet read by librtmp (they follow librtmp's own buffer). Closes
	 * the librtmp end unless `librtmpClosedIt` (RTMP_Close already closed it).
	 */
	std::vector<uint8_t> finish(bool librtmpClosedIt);

private:
	void pump();
	bool forwardFromLibrtmp(bool drainOnly);

	TlsSession &tls_;
	int tlsFd_;
	int librtmpFd_ = -1;
	int bridgeFd_ = -1;
	int stopFds_[2] = {-1, -1};
	std::thread thread_;
};

} // namespace goaway::rtmp
