#include "Transport.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#if defined(__linux__)
#include <linux/sockios.h>
#include <sys/ioctl.h>
#endif

namespace goaway::rtmp {

Transport::Transport(UniqueFd fd, std::unique_ptr<TlsSession> tls) : fd_(std::move(fd)), tls_(std::move(tls)) {}

std::optional<uint64_t> Transport::unacknowledgedByTcp() const
{
#if defined(__linux__)
	int queued = 0;
	if (!fd_ || ::ioctl(fd_.get(), SIOCOUTQ, &queued) != 0 || queued < 0)
		return std::nullopt;
	return static_cast<uint64_t>(queued);
#else
	return std::nullopt; // no portable equivalent here; plugin/net will add the other OSes' own
#endif
}

void Transport::setNonBlocking()
{
	int flags = fcntl(fd_.get(), F_GETFL);
	fcntl(fd_.get(), F_SETFL, flags | O_NONBLOCK);
}

Result<void> Transport::sendAll(std::span<const uint8_t> bytes, int timeoutMs, Segments segments)
{
	int flags = MSG_NOSIGNAL;
#if defined(__linux__) && defined(MSG_EOR)
	if (segments == Segments::OwnSegment)
		flags |= MSG_EOR; // Linux 4.7+: the segment is not collapsed with later writes (nor autocorked)
#else
	(void)segments;
#endif
	if (!fd_)
		return fail(ErrorCode::Closed, "the connection is closed");
	auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
	size_t offset = 0;
	while (offset < bytes.size()) {
		long n;
		bool wantWrite = true;
		if (tls_) {
			n = tls_->send(bytes.subspan(offset));
			if (n == -EAGAIN)
				wantWrite = tls_->wantsWrite();
			else if (n < 0)
				return fail(ErrorCode::Io, "TLS send failed: " + tls_->lastError());
		} else {
			n = ::send(fd_.get(), bytes.data() + offset, bytes.size() - offset, flags);
			if (n < 0) {
				int err = errno;
				if (err == EINTR)
					continue;
				if (err != EAGAIN && err != EWOULDBLOCK) {
					if (err == EPIPE || err == ECONNRESET)
						return fail(ErrorCode::Closed,
							    std::string("the server closed the connection (") +
								    std::strerror(err) + ")");
					return fail(ErrorCode::Io, std::string("send failed: ") + std::strerror(err));
				}
				n = -EAGAIN;
			}
		}
		if (n >= 0) {
			offset += static_cast<size_t>(n);
			continue;
		}
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
										  std::chrono::steady_clock::now())
				    .count();
		if (left <= 0)
			return fail(ErrorCode::Timeout, "send timed out after " + std::to_string(timeoutMs) +
								" ms (the server stopped reading)");
		pollfd p{fd_.get(), static_cast<short>(wantWrite ? POLLOUT : POLLIN), 0};
		int rc = ::poll(&p, 1, static_cast<int>(left));
		if (rc < 0 && errno != EINTR)
			return fail(ErrorCode::Io, std::string("poll failed: ") + std::strerror(errno));
	}
	return {};
}

Result<size_t> Transport::receiveSome(std::span<uint8_t> buffer)
{
	if (!fd_)
		return fail(ErrorCode::Closed, "the connection is closed");
	for (;;) {
		long n;
		if (tls_) {
			n = tls_->recv(buffer);
			if (n == -EAGAIN)
				return size_t(0);
			if (n < 0)
				return fail(ErrorCode::Closed, "TLS receive failed: " + tls_->lastError());
		} else {
			n = ::recv(fd_.get(), buffer.data(), buffer.size(), 0);
			if (n < 0) {
				int err = errno;
				if (err == EINTR)
					continue;
				if (err == EAGAIN || err == EWOULDBLOCK)
					return size_t(0);
				return fail(ErrorCode::Closed,
					    std::string("the connection was reset (") + std::strerror(err) + ")");
			}
		}
		if (n == 0)
			return fail(ErrorCode::Closed, "the server closed the connection");
		return static_cast<size_t>(n);
	}
}

bool Transport::waitReadable(int timeoutMs)
{
	if (!fd_)
		return false;
	if (tls_ && tls_->pending() > 0)
		return true;
	pollfd p{fd_.get(), POLLIN, 0};
	return ::poll(&p, 1, timeoutMs) > 0;
}

void Transport::close(bool notify)
{
	if (tls_ && notify)
		tls_->bye();
	tls_.reset();
	fd_.reset();
}

} // namespace goaway::rtmp
