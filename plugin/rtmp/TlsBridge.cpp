#include "TlsBridge.hpp"

#include <cerrno>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace goaway::rtmp {

namespace {

/** Bytes moved per read; the RTMP handshake is 3 KiB each way plus the connect command. */
constexpr size_t kBridgeBuffer = 16 * 1024;

bool writeAll(int fd, const uint8_t *data, size_t size)
{
	while (size > 0) {
		ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		size -= static_cast<size_t>(n);
	}
	return true;
}

bool tlsWriteAll(TlsSession &tls, int fd, const uint8_t *data, size_t size)
{
	while (size > 0) {
		long n = tls.send(std::span<const uint8_t>(data, size));
		if (n == -EAGAIN) {
			pollfd p{fd, static_cast<short>(tls.wantsWrite() ? POLLOUT : POLLIN), 0};
			::poll(&p, 1, 1000);
			continue;
		}
		if (n < 0)
			return false;
		data += n;
		size -= static_cast<size_t>(n);
	}
	return true;
}

} // namespace

TlsBridge::~TlsBridge()
{
	if (thread_.joinable())
		finish(false);
}

Result<int> TlsBridge::start()
{
	int pair[2];
	if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
		return fail(ErrorCode::Internal, "socketpair failed");
	if (::pipe2(stopFds_, O_CLOEXEC) != 0) {
		::close(pair[0]);
		::close(pair[1]);
		return fail(ErrorCode::Internal, "pipe failed");
	}
	librtmpFd_ = pair[0];
	bridgeFd_ = pair[1];
	thread_ = std::thread([this] { pump(); });
	return librtmpFd_;
}

bool TlsBridge::forwardFromLibrtmp(bool drainOnly)
{
	uint8_t buffer[kBridgeBuffer];
	for (;;) {
		ssize_t n = ::recv(bridgeFd_, buffer, sizeof(buffer), drainOnly ? MSG_DONTWAIT : 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? false : (errno == EAGAIN || errno == EWOULDBLOCK);
		if (!tlsWriteAll(tls_, tlsFd_, buffer, static_cast<size_t>(n)))
			return false;
		if (!drainOnly)
			return true;
	}
}

void TlsBridge::pump()
{
	uint8_t buffer[kBridgeBuffer];
	bool serverOpen = true;
	for (;;) {
		pollfd fds[3] = {{stopFds_[0], POLLIN, 0}, {bridgeFd_, POLLIN, 0}, {tlsFd_, POLLIN, 0}};
		const bool tlsPending = serverOpen && tls_.pending() > 0;
		int rc = ::poll(fds, serverOpen ? 3 : 2, tlsPending ? 0 : 1000);
		if (rc < 0 && errno != EINTR)
			return;
		if (fds[0].revents)
			return; // finish(): it drains what librtmp wrote itself
		if (fds[1].revents & (POLLIN | POLLHUP)) {
			if (!forwardFromLibrtmp(false))
				return;
		}
		if (serverOpen && (tlsPending || (fds[2].revents & (POLLIN | POLLHUP | POLLERR)))) {
			long n = tls_.recv(std::span<uint8_t>(buffer, sizeof(buffer)));
			if (n == -EAGAIN)
				continue; // post-handshake message (session ticket) or partial record
			if (n <= 0) {
				serverOpen = false;
				::shutdown(bridgeFd_, SHUT_WR); // librtmp sees the close as EOF
				continue;
			}
			if (!writeAll(bridgeFd_, buffer, static_cast<size_t>(n)))
				return;
		}
	}
}

std::vector<uint8_t> TlsBridge::finish(bool librtmpClosedIt)
{
	if (thread_.joinable()) {
		char one = 1;
		(void)!::write(stopFds_[1], &one, 1);
		thread_.join();
		// Everything librtmp wrote (the connect command) is in the pair by now: forward it.
		forwardFromLibrtmp(true);
	}
	std::vector<uint8_t> unread;
	if (!librtmpClosedIt && librtmpFd_ >= 0) {
		uint8_t buffer[kBridgeBuffer];
		for (;;) {
			ssize_t n = ::recv(librtmpFd_, buffer, sizeof(buffer), MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			unread.insert(unread.end(), buffer, buffer + n);
		}
		::close(librtmpFd_);
	}
	librtmpFd_ = -1;
	for (int *fd : {&bridgeFd_, &stopFds_[0], &stopFds_[1]}) {
		if (*fd >= 0)
			::close(*fd);
		*fd = -1;
	}
	return unread;
}

} // namespace goaway::rtmp
