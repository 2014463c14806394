#include "NodeListener.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace goaway::ingest {

namespace {

// Pending connections the kernel may queue: tests open a handful at once.
constexpr int kListenBacklog = 64;

std::string addressText(const sockaddr_storage &addr, uint16_t *port)
{
	char host[INET6_ADDRSTRLEN] = {};
	if (addr.ss_family == AF_INET6) {
		const auto *a = reinterpret_cast<const sockaddr_in6 *>(&addr);
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		*port = ntohs(a->sin6_port);
		return "[" + std::string(host) + "]";
	}
	const auto *a = reinterpret_cast<const sockaddr_in *>(&addr);
	inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
	*port = ntohs(a->sin_port);
	return host;
}

} // namespace

NodeListener::~NodeListener()
{
	if (fd_ >= 0)
		::close(fd_);
}

NodeListener::NodeListener(NodeListener &&other) noexcept
	: fd_(other.fd_),
	  host_(std::move(other.host_)),
	  port_(other.port_)
{
	other.fd_ = -1;
}

Result<void> NodeListener::listen(const std::string &host, uint16_t port)
{
	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	addrinfo *found = nullptr;
	const std::string service = std::to_string(port);
	if (int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0)
		return fail(ErrorCode::InvalidArgument, "cannot listen on '" + host + "': " + gai_strerror(rc) +
								" (give a numeric address such as 127.0.0.1 or ::1)");
	const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		freeaddrinfo(found);
		return fail(ErrorCode::Io, std::string("socket: ") + std::strerror(errno));
	}
	const int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, kListenBacklog) != 0) {
		const std::string why = std::strerror(errno);
		freeaddrinfo(found);
		::close(fd);
		return fail(ErrorCode::Io, "cannot listen on " + host + ":" + service + ": " + why);
	}
	freeaddrinfo(found);
	sockaddr_storage bound{};
	socklen_t len = sizeof(bound);
	getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &len);
	uint16_t boundPort = 0;
	addressText(bound, &boundPort);
	fd_ = fd;
	host_ = host;
	port_ = boundPort;
	return {};
}

NodeListener::Accepted NodeListener::accept()
{
	sockaddr_storage peer{};
	socklen_t len = sizeof(peer);
	const int fd = ::accept4(fd_, reinterpret_cast<sockaddr *>(&peer), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return {};
	const int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); // signals must not wait for Nagle
	uint16_t port = 0;
	const std::string host = addressText(peer, &port);
	return {fd, host + ":" + std::to_string(port)};
}

} // namespace goaway::ingest
