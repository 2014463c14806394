#include "Transport.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

Result<void> Transport::sendAll(std::span<const uint8_t> bytes, int timeoutMs, Segments segments, Deadline kind)
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
			if (n > 0 && kind == Deadline::NoProgress)
				deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
			continue;
		}
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
										  std::chrono::steady_clock::now())
				    .count();
		if (left <= 0)
			return fail(ErrorCode::Timeout, (kind == Deadline::NoProgress ? "nothing could be sent for "
										      : "send timed out after ") +
								std::to_string(timeoutMs) +
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

void Transport::setUnsentLimit(uint32_t bytes)
{
#if defined(TCP_NOTSENT_LOWAT)
	if (fd_) {
		// The OS default is "no limit" (Linux: UINT_MAX); INT32_MAX is as good as none.
		const int limit = bytes > 0 ? static_cast<int>(std::min<uint32_t>(bytes, INT32_MAX)) : INT32_MAX;
		::setsockopt(fd_.get(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &limit, sizeof(limit));
	}
#else
	(void)bytes;
#endif
}

bool Transport::writableNow() const
{
	if (!fd_)
		return false;
	pollfd p{fd_.get(), POLLOUT, 0};
	return ::poll(&p, 1, 0) > 0 && (p.revents & POLLOUT);
}

Transport::DrainOutcome Transport::close(bool notify, int drainMs)
{
	if (tls_ && notify)
		tls_->bye();
	std::optional<uint64_t> left = fd_ ? unacknowledgedByTcp() : std::optional<uint64_t>(0);
	bool closedByPeer = false;
	if (fd_ && drainMs > 0) {
		::shutdown(fd_.get(), SHUT_WR);
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(drainMs);
		uint8_t discard[4096];
		for (;;) {
			// Read first: a byte left unread when close() runs resets the connection. Under the same
			// deadline: a server that never stops sending must not hold the stop.
			bool peerClosed = false;
			while (std::chrono::steady_clock::now() < deadline) {
				const ssize_t n = ::recv(fd_.get(), discard, sizeof(discard), MSG_DONTWAIT);
				if (n > 0)
					continue;
				peerClosed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
				break;
			}
			// Not at "all acknowledged": TCP acknowledges what the peer's kernel took, and a byte
			// from the peer arriving after close() resets the connection, which throws away
			// what the peer's application had not read yet. Its end of the stream says it read it.
			left = unacknowledgedByTcp();
			if (peerClosed) {
				closedByPeer = true;
				break;
			}
			const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(
						  deadline - std::chrono::steady_clock::now())
						  .count();
			if (wait <= 0)
				break;
			pollfd p{fd_.get(), POLLIN, 0}; // the peer's bytes or its end of the stream
			::poll(&p, 1, static_cast<int>(wait));
		}
	}
	tls_.reset();
	fd_.reset();
	return DrainOutcome{closedByPeer, left};
}

} // namespace goaway::rtmp
