// Cancelling a connect from another thread (ctest runs inside `unshare -n`): a node that accepts
// TCP and then never answers must not hold up a stop for the whole handshake timeout.

#include "plugin/rtmp/ConnectCanceller.hpp"
#include "plugin/rtmp/RtmpSession.hpp"
#include "plugin/rtmp/TcpConnector.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <future>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace goaway;
using namespace goaway::rtmp;

namespace {

// Far longer than any test run: a connect that ends with Timeout instead of Cancelled would fail
// the test only after this, so the cancel is what ends it.
constexpr int kHandshakeTimeoutMs = 120000;

/** A loopback node that accepts connections and never reads or answers ("hang"). */
struct HangingNode {
	int fd = -1;
	uint16_t port = 0;
	HangingNode()
	{
		sockaddr_in a{};
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		socklen_t len = sizeof(a);
		if (::bind(fd, reinterpret_cast<sockaddr *>(&a), len) != 0 || ::listen(fd, 4) != 0)
			return;
		::getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len);
		port = ntohs(a.sin_port);
	}
	~HangingNode() { ::close(fd); }
	/** Blocks until a client connected; the accepted socket stays open and silent. */
	int acceptOne() { return ::accept(fd, nullptr, nullptr); }
};

} // namespace

TEST(ConnectCanceller, CancelDuringTheHandshakeEndsConnectAtOnceWithCancelled)
{
	HangingNode node;
	ASSERT_NE(node.port, 0);
	auto canceller = std::make_shared<ConnectCanceller>();
	SessionOptions o;
	o.url = "rtmp://127.0.0.1:" + std::to_string(node.port) + "/live";
	o.streamKey = "never-logged";
	o.ioTimeoutMs = kHandshakeTimeoutMs;
	o.canceller = canceller;
	RtmpSession session;
	auto result = std::async(std::launch::async, [&] { return session.connect(o); });
	int accepted = node.acceptOne(); // TCP is up: the client now waits for S0/S1 that never come
	ASSERT_GE(accepted, 0);
	canceller->cancel();
	auto r = result.get();
	::close(accepted);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, ErrorCode::Cancelled) << r.error().message;
	EXPECT_NE(r.error().message.find("cancelled"), std::string::npos);
	EXPECT_EQ(r.error().message.find("never-logged"), std::string::npos);
	EXPECT_FALSE(session.isOpen());
}

TEST(ConnectCanceller, ACancelBeforeTheConnectRefusesToStart)
{
	HangingNode node;
	ConnectCanceller canceller;
	canceller.cancel();
	auto addresses = TcpConnector::resolve("127.0.0.1", node.port);
	ASSERT_TRUE(addresses);
	auto s = TcpConnector::connect(addresses->front(), 2000, {}, &canceller);
	ASSERT_FALSE(s);
	EXPECT_EQ(s.error().code, ErrorCode::Cancelled);
}

TEST(ConnectCanceller, ASocketDetachedIsNoLongerTouched)
{
	int pair[2];
	ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
	ConnectCanceller canceller;
	ASSERT_TRUE(canceller.attach(pair[0]));
	canceller.detach(pair[0]);
	canceller.cancel();
	EXPECT_TRUE(canceller.cancelled());
	EXPECT_EQ(::send(pair[0], "x", 1, MSG_NOSIGNAL), 1) << "a detached socket was shut down";
	EXPECT_FALSE(canceller.attach(pair[1])) << "after a cancel nothing attaches";
	::close(pair[0]);
	::close(pair[1]);
}
