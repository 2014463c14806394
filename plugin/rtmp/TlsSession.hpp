#pragma once
// RTMPS client side over GnuTLS, established and verified by us (chain and host name); the RTMP
// handshake and everything after it run over it through Transport.

#include "../common/Result.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <string>

struct gnutls_session_int;
struct gnutls_certificate_credentials_st;

namespace goaway::rtmp {

struct TlsOptions {
	std::string host;      // for SNI and host name verification
	int timeoutMs = 10000; // TLS handshake deadline
	bool allowSelfSigned =
		false; // TESTS ONLY: accept a certificate no trusted CA signed (the host name must still match)
};

class TlsSession {
public:
	/**
	 * Runs the TLS handshake on a connected (blocking) socket: system trust store, SNI (for
	 * names, not IP literals), chain + host name verification. Errors: TlsVerification with a
	 * sentence naming the host and the reason; Timeout; ConnectFailed.
	 * The socket stays owned by the caller.
	 */
	static Result<std::unique_ptr<TlsSession>> handshake(int fd, const TlsOptions &options);

	~TlsSession();
	TlsSession(const TlsSession &) = delete;
	TlsSession &operator=(const TlsSession &) = delete;

	/** Non-blocking send/receive on a non-blocking socket. >=0 bytes, -EAGAIN when it would block,
	 *  other negative values are errors (0 from recv = closed). */
	long send(std::span<const uint8_t> bytes);
	long recv(std::span<uint8_t> buffer);
	/** Whether the last operation that returned -EAGAIN waits for writability (else readability). */
	bool wantsWrite() const;
	/** Bytes already decrypted and waiting (poll() on the socket would not see them). */
	size_t pending() const;
	/** Sends close_notify (best effort, non-blocking). */
	void bye();
	std::string lastError() const { return lastError_; }

private:
	TlsSession() = default;
	gnutls_session_int *session_ = nullptr;
	gnutls_certificate_credentials_st *credentials_ = nullptr;
	std::string lastError_;
};

} // namespace goaway::rtmp
