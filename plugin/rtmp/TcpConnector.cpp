#include "TcpConnector.hpp"
#include "../common/Log.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <unistd.h>

namespace goaway::rtmp {

UniqueFd &UniqueFd::operator=(UniqueFd &&other) noexcept
{
	if (this != &other)
		reset(other.release());
	return *this;
}

void UniqueFd::reset(int fd)
{
	if (fd_ >= 0)
		::close(fd_);
	fd_ = fd;
}

std::string ResolvedAddress::ip() const
{
	char buf[INET6_ADDRSTRLEN] = {};
	if (storage.ss_family == AF_INET6) {
		auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&storage);
		inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
	} else if (storage.ss_family == AF_INET) {
		auto *in4 = reinterpret_cast<const sockaddr_in *>(&storage);
		inet_ntop(AF_INET, &in4->sin_addr, buf, sizeof(buf));
	}
	return buf;
}

std::string ResolvedAddress::text() const
{
	uint16_t port = 0;
	if (storage.ss_family == AF_INET6)
		port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&storage)->sin6_port);
	else if (storage.ss_family == AF_INET)
		port = ntohs(reinterpret_cast<const sockaddr_in *>(&storage)->sin_port);
	std::string host = storage.ss_family == AF_INET6 ? "[" + ip() + "]" : ip();
	return host + ":" + std::to_string(port);
}

Result<std::vector<ResolvedAddress>> TcpConnector::resolve(const std::string &host, uint16_t port)
{
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_protocol = IPPROTO_TCP;
	hints.ai_flags = AI_ADDRCONFIG;
	addrinfo *list = nullptr;
	std::string service = std::to_string(port);
	int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
	if (rc == EAI_BADFLAGS || rc == EAI_NONAME || rc == EAI_ADDRFAMILY) {
		// AI_ADDRCONFIG hides ::1 / 127.0.0.1 when only loopback is up; retry without it.
		hints.ai_flags = 0;
		rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &list);
	}
	if (rc != 0)
		return fail(ErrorCode::ConnectFailed, "cannot resolve " + host + ": " + gai_strerror(rc));
	std::vector<ResolvedAddress> out;
	for (addrinfo *ai = list; ai; ai = ai->ai_next) {
		if (ai->ai_addrlen > sizeof(sockaddr_storage))
			continue;
		ResolvedAddress a;
		std::memcpy(&a.storage, ai->ai_addr, ai->ai_addrlen);
		a.length = ai->ai_addrlen;
		bool duplicate = false;
		for (const auto &seen : out)
			duplicate = duplicate || seen.text() == a.text();
		if (!duplicate)
			out.push_back(a);
	}
	freeaddrinfo(list);
	if (out.empty())
		return fail(ErrorCode::ConnectFailed, "cannot resolve " + host + ": no TCP address");
	return out;
}

namespace {

/** What connect() and adopt() hand over: a blocking socket with TCP_NODELAY. */
void makeBlockingWithoutDelay(int fd)
{
	int flags = fcntl(fd, F_GETFL);
	fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

} // namespace

Result<ConnectedSocket> TcpConnector::connect(const ResolvedAddress &address, int timeoutMs,
					      const std::string &bindAddress, ConnectCanceller *canceller)
{
	int family = address.storage.ss_family;
	UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, IPPROTO_TCP));
	if (!fd)
		return fail(ErrorCode::ConnectFailed, std::string("socket(): ") + std::strerror(errno));
	// After fd, so on a failure it detaches before fd closes; kept attached on success.
	ConnectCanceller::Detach attachment(canceller, fd.get());
	if (canceller && !canceller->attach(fd.get()))
		return fail(ErrorCode::Cancelled, "TCP connect to " + address.text() + " cancelled");
	if (!bindAddress.empty()) {
		sockaddr_storage local{};
		socklen_t localLen = 0;
		if (family == AF_INET6) {
			auto *in6 = reinterpret_cast<sockaddr_in6 *>(&local);
			in6->sin6_family = AF_INET6;
			if (inet_pton(AF_INET6, bindAddress.c_str(), &in6->sin6_addr) != 1)
				return fail(ErrorCode::InvalidArgument,
					    "bind address " + bindAddress +
						    " is not an IPv6 address (the server is IPv6)");
			localLen = sizeof(sockaddr_in6);
		} else {
			auto *in4 = reinterpret_cast<sockaddr_in *>(&local);
			in4->sin_family = AF_INET;
			if (inet_pton(AF_INET, bindAddress.c_str(), &in4->sin_addr) != 1)
				return fail(ErrorCode::InvalidArgument,
					    "bind address " + bindAddress +
						    " is not an IPv4 address (the server is IPv4)");
			localLen = sizeof(sockaddr_in);
		}
		if (::bind(fd.get(), reinterpret_cast<sockaddr *>(&local), localLen) != 0)
			return fail(ErrorCode::ConnectFailed,
				    "cannot bind to " + bindAddress + ": " + std::strerror(errno));
	}
	int rc = ::connect(fd.get(), reinterpret_cast<const sockaddr *>(&address.storage), address.length);
	if (rc != 0 && errno != EINPROGRESS)
		return fail(ErrorCode::ConnectFailed, "TCP connect to " + address.text() + ": " + std::strerror(errno));
	if (rc != 0) {
		auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
		for (;;) {
			auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
					    deadline - std::chrono::steady_clock::now())
					    .count();
			if (left <= 0)
				return fail(ErrorCode::Timeout, "TCP connect to " + address.text() +
									" timed out after " +
									std::to_string(timeoutMs) + " ms");
			pollfd p{fd.get(), POLLOUT, 0};
			int n = ::poll(&p, 1, static_cast<int>(left));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return fail(ErrorCode::ConnectFailed, std::string("poll(): ") + std::strerror(errno));
			if (n > 0)
				break;
		}
		if (canceller && canceller->cancelled())
			return fail(ErrorCode::Cancelled, "TCP connect to " + address.text() + " cancelled");
		int err = 0;
		socklen_t len = sizeof(err);
		getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
		if (err != 0)
			return fail(ErrorCode::ConnectFailed,
				    "TCP connect to " + address.text() + ": " + std::strerror(err));
	}
	makeBlockingWithoutDelay(fd.get());
	attachment.keep();
	return ConnectedSocket{std::move(fd), address};
}

Result<ConnectedSocket> TcpConnector::adopt(UniqueFd fd, ConnectCanceller *canceller)
{
	ResolvedAddress peer;
	peer.length = sizeof(peer.storage);
	if (!fd || ::getpeername(fd.get(), reinterpret_cast<sockaddr *>(&peer.storage), &peer.length) != 0)
		return fail(ErrorCode::ConnectFailed, "the probe connection is not connected");
	int err = 0;
	socklen_t len = sizeof(err);
	if (getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0)
		return fail(ErrorCode::ConnectFailed,
			    "the probe connection to " + peer.text() + " failed: " + std::strerror(err ? err : errno));
	char byte = 0;
	if (::recv(fd.get(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0)
		return fail(ErrorCode::ConnectFailed, "the probe connection to " + peer.text() + " was closed");
	ConnectCanceller::Detach attachment(canceller, fd.get());
	if (canceller && !canceller->attach(fd.get()))
		return fail(ErrorCode::Cancelled, "TCP connect to " + peer.text() + " cancelled");
	makeBlockingWithoutDelay(fd.get());
	attachment.keep();
	return ConnectedSocket{std::move(fd), peer};
}

Result<ConnectedSocket> TcpConnector::connectAny(const std::string &host, uint16_t port, int timeoutMs,
						 const std::string &onlyAddress, const std::string &bindAddress,
						 ConnectCanceller *canceller)
{
	std::vector<ResolvedAddress> addresses;
	if (!onlyAddress.empty()) {
		auto one = resolve(onlyAddress, port);
		if (!one)
			return std::unexpected(one.error());
		addresses = *one;
	} else {
		auto all = resolve(host, port);
		if (!all)
			return std::unexpected(all.error());
		addresses = *all;
	}
	Error last{ErrorCode::ConnectFailed, "no address"};
	std::string tried;
	for (const auto &address : addresses) {
		auto socket = connect(address, timeoutMs, bindAddress, canceller);
		if (socket || socket.error().code == ErrorCode::Cancelled)
			return socket;
		GOAWAY_LOG_INFO("TcpConnector::connectAny", "%s", socket.error().message.c_str());
		last = socket.error();
		tried += (tried.empty() ? "" : ", ") + address.text();
	}
	return fail(last.code, "cannot connect to " + host + " (tried " + tried + "): " + last.message);
}

} // namespace goaway::rtmp
