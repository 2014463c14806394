// Our own TCP connect on loopback (ctest runs inside `unshare -n`): IPv6, a chosen address,
// every address of a name in turn, the local bind address.

#include "plugin/rtmp/TcpConnector.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace goaway;
using namespace goaway::rtmp;

namespace {

/** A listening socket on `ip` port 0; accept() returns the peer's numeric address. */
struct Listener {
	int fd = -1;
	uint16_t port = 0;
	explicit Listener(const char *ip)
	{
		sockaddr_storage ss{};
		socklen_t len;
		if (std::string(ip).find(':') != std::string::npos) {
			auto *a = reinterpret_cast<sockaddr_in6 *>(&ss);
			a->sin6_family = AF_INET6;
			inet_pton(AF_INET6, ip, &a->sin6_addr);
			len = sizeof(*a);
		} else {
			auto *a = reinterpret_cast<sockaddr_in *>(&ss);
			a->sin_family = AF_INET;
			inet_pton(AF_INET, ip, &a->sin_addr);
			len = sizeof(*a);
		}
		fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (::bind(fd, reinterpret_cast<sockaddr *>(&ss), len) != 0 || ::listen(fd, 4) != 0)
			return;
		::getsockname(fd, reinterpret_cast<sockaddr *>(&ss), &len);
		port = ntohs(ss.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6 *>(&ss)->sin6_port
						      : reinterpret_cast<sockaddr_in *>(&ss)->sin_port);
	}
	~Listener() { ::close(fd); }
	std::string acceptPeerIp()
	{
		sockaddr_storage ss{};
		socklen_t len = sizeof(ss);
		int c = ::accept(fd, reinterpret_cast<sockaddr *>(&ss), &len);
		if (c < 0)
			return {};
		::close(c);
		ResolvedAddress a;
		a.storage = ss;
		a.length = len;
		return a.ip();
	}
};

} // namespace

TEST(TcpConnector, ConnectsOverIpv6)
{
	Listener l("::1");
	ASSERT_NE(l.port, 0) << "no IPv6 loopback";
	auto s = TcpConnector::connectAny("::1", l.port, 2000);
	ASSERT_TRUE(s) << s.error().message;
	EXPECT_EQ(s->peer.text(), "[::1]:" + std::to_string(l.port));
	EXPECT_EQ(l.acceptPeerIp(), "::1");
}

TEST(TcpConnector, ChosenAddressSkipsResolvingTheName)
{
	Listener l("127.0.0.1");
	// The name does not resolve; the chosen address is used as is (the URL name stays for TLS).
	auto s = TcpConnector::connectAny("name.invalid", l.port, 2000, "127.0.0.1");
	ASSERT_TRUE(s) << s.error().message;
	EXPECT_EQ(s->peer.text(), "127.0.0.1:" + std::to_string(l.port));
	EXPECT_FALSE(TcpConnector::connectAny("name.invalid", l.port, 2000));
}

TEST(TcpConnector, TriesEveryAddressOfTheName)
{
	Listener l("127.0.0.1"); // only IPv4 listens; ::1 (if localhost has it) is refused first
	auto all = TcpConnector::resolve("localhost", l.port);
	ASSERT_TRUE(all) << all.error().message;
	auto s = TcpConnector::connectAny("localhost", l.port, 2000);
	ASSERT_TRUE(s) << s.error().message;
	EXPECT_EQ(s->peer.ip(), "127.0.0.1");
}

TEST(TcpConnector, BindsTheLocalAddress)
{
	Listener l("127.0.0.1");
	auto s = TcpConnector::connectAny("127.0.0.1", l.port, 2000, "", "127.0.0.2");
	ASSERT_TRUE(s) << s.error().message;
	EXPECT_EQ(l.acceptPeerIp(), "127.0.0.2");
	auto wrongFamily = TcpConnector::connect(s->peer, 2000, "::1");
	ASSERT_FALSE(wrongFamily);
	EXPECT_EQ(wrongFamily.error().code, ErrorCode::InvalidArgument);
}

TEST(TcpConnector, RefusedNamesTheAddress)
{
	uint16_t port;
	{
		Listener l("127.0.0.1");
		port = l.port;
	}
	auto s = TcpConnector::connectAny("127.0.0.1", port, 2000);
	ASSERT_FALSE(s);
	EXPECT_EQ(s.error().code, ErrorCode::ConnectFailed);
	EXPECT_NE(s.error().message.find("127.0.0.1:" + std::to_string(port)), std::string::npos);
}
