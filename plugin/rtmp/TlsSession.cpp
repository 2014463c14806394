#include "TlsSession.hpp"
#include "../common/Log.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

namespace goaway::rtmp {

namespace {

bool isIpLiteral(const std::string &host)
{
	unsigned char buf[16];
	return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

std::string statusText(unsigned status)
{
	gnutls_datum_t out{};
	if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &out, 0) < 0)
		return "unknown reason";
	std::string text(reinterpret_cast<const char *>(out.data), out.size);
	gnutls_free(out.data);
	return text;
}

} // namespace

TlsSession::~TlsSession()
{
	if (session_)
		gnutls_deinit(session_);
	if (credentials_)
		gnutls_certificate_free_credentials(credentials_);
}

Result<std::unique_ptr<TlsSession>> TlsSession::handshake(int fd, const TlsOptions &options)
{
	std::unique_ptr<TlsSession> tls(new TlsSession());
	const std::string &host = options.host;
	if (gnutls_certificate_allocate_credentials(&tls->credentials_) < 0)
		return fail(ErrorCode::Internal, "GnuTLS: cannot allocate credentials");
	int loaded = gnutls_certificate_set_x509_system_trust(tls->credentials_);
	if (loaded < 0)
		GOAWAY_LOG_WARN("TlsSession::handshake", "no system trust store (%s)", gnutls_strerror(loaded));
	if (gnutls_init(&tls->session_, GNUTLS_CLIENT | GNUTLS_NO_SIGNAL | GNUTLS_NO_TICKETS) < 0)
		return fail(ErrorCode::Internal, "GnuTLS: cannot create a session");
	gnutls_set_default_priority(tls->session_);
	gnutls_credentials_set(tls->session_, GNUTLS_CRD_CERTIFICATE, tls->credentials_);
	if (!isIpLiteral(host)) // RFC 6066 3: SNI carries DNS names only
		gnutls_server_name_set(tls->session_, GNUTLS_NAME_DNS, host.data(), host.size());
	if (!options.allowSelfSigned)
		gnutls_session_set_verify_cert(tls->session_, host.c_str(), 0);
	gnutls_transport_set_int(tls->session_, fd);
	gnutls_handshake_set_timeout(tls->session_, static_cast<unsigned>(options.timeoutMs));

	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options.timeoutMs);
	int rc;
	do {
		rc = gnutls_handshake(tls->session_);
	} while (rc < 0 && !gnutls_error_is_fatal(rc) && std::chrono::steady_clock::now() < deadline);

	if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
		unsigned status = gnutls_session_get_verify_cert_status(tls->session_);
		return fail(ErrorCode::TlsVerification,
			    "the TLS certificate of " + host + " could not be verified: " + statusText(status));
	}
	if (rc == GNUTLS_E_TIMEDOUT || (rc < 0 && !gnutls_error_is_fatal(rc)))
		return fail(ErrorCode::Timeout, "TLS handshake with " + host + " timed out after " +
							std::to_string(options.timeoutMs) + " ms");
	if (rc < 0)
		return fail(ErrorCode::ConnectFailed, "TLS handshake with " + host + " failed: " + gnutls_strerror(rc));

	if (options.allowSelfSigned) {
		// Test option: tolerate an unknown signer, still require the host name to match.
		unsigned status = 0;
		if (gnutls_certificate_verify_peers3(tls->session_, host.c_str(), &status) < 0)
			return fail(ErrorCode::TlsVerification,
				    "the TLS certificate of " + host + " could not be read");
		unsigned remaining = status & ~(GNUTLS_CERT_INVALID | GNUTLS_CERT_SIGNER_NOT_FOUND);
		if (remaining != 0)
			return fail(ErrorCode::TlsVerification,
				    "the TLS certificate of " + host + " could not be verified: " + statusText(status));
		if (status != 0)
			GOAWAY_LOG_WARN("TlsSession::handshake",
					"accepting the self-signed certificate of %s (test option allowSelfSigned)",
					host.c_str());
	}
	return tls;
}

long TlsSession::send(std::span<const uint8_t> bytes)
{
	ssize_t rc = gnutls_record_send(session_, bytes.data(), bytes.size());
	if (rc >= 0)
		return static_cast<long>(rc);
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
		return -EAGAIN;
	lastError_ = gnutls_strerror(static_cast<int>(rc));
	return -EIO;
}

long TlsSession::recv(std::span<uint8_t> buffer)
{
	ssize_t rc = gnutls_record_recv(session_, buffer.data(), buffer.size());
	if (rc >= 0)
		return static_cast<long>(rc);
	if (rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED)
		return -EAGAIN;
	if (rc == GNUTLS_E_PREMATURE_TERMINATION)
		return 0; // peer closed without close_notify: treat as a close
	lastError_ = gnutls_strerror(static_cast<int>(rc));
	return -EIO;
}

bool TlsSession::wantsWrite() const
{
	return gnutls_record_get_direction(session_) == 1;
}

size_t TlsSession::pending() const
{
	return gnutls_record_check_pending(session_);
}

void TlsSession::bye()
{
	if (session_)
		gnutls_bye(session_, GNUTLS_SHUT_WR);
}

} // namespace goaway::rtmp
