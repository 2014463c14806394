// Transport::sendAll's two deadlines: a whole-call bound for commands, a no-progress bound for
// media (a slow reader is not a dead one; a reader that stopped is found within the bound).
#include "plugin/rtmp/Transport.hpp"

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

using namespace goaway;
using namespace goaway::rtmp;
using namespace std::chrono_literals;

namespace {

struct Pair {
	Transport sender;
	int reader = -1;
	~Pair()
	{
		if (reader >= 0)
			::close(reader);
	}
};

/** A connected stream socket pair; the sender side wrapped (non-blocking) as the session does. */
void makePair(Pair &p)
{
	int fds[2];
	ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
	p.sender = Transport(UniqueFd(fds[0]), nullptr);
	p.sender.setNonBlocking();
	p.reader = fds[1];
}

/** Reads `chunk` bytes every `every` until `stop`: a peer slower than the sender, never stopped. */
std::thread slowReader(int fd, std::size_t chunk, std::chrono::milliseconds every, std::atomic<bool> &stop)
{
	return std::thread([fd, chunk, every, &stop] {
		std::vector<char> buffer(chunk);
		while (!stop.load()) {
			std::this_thread::sleep_for(every); // the peer's pace, not a synchronisation
			(void)::recv(fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
		}
	});
}

} // namespace

TEST(Transport, NoProgressDeadlineFailsOnlyWhenThePeerStopsReading)
{
	Pair p;
	makePair(p);
	const std::vector<uint8_t> bytes(4u * 1024 * 1024, 0x5a); // far more than the socket buffers hold
	const auto began = std::chrono::steady_clock::now();
	auto r = p.sender.sendAll(bytes, 300, Transport::Segments::Coalesce, Transport::Deadline::NoProgress);
	const auto took = std::chrono::steady_clock::now() - began;
	ASSERT_FALSE(r.has_value());
	EXPECT_EQ(r.error().code, ErrorCode::Timeout);
	EXPECT_NE(r.error().message.find("nothing could be sent for 300 ms"), std::string::npos) << r.error().message;
	EXPECT_GE(took, 290ms); // poll() counts whole milliseconds
	EXPECT_LT(took, 5s);
}

TEST(Transport, ASlowReaderKeepsANoProgressSendGoingButNotATotalOne)
{
	// 64 KiB every 20 ms (about 3 MB/s): never a second without a byte taken.
	const std::vector<uint8_t> bytes(1024u * 1024, 0x5a);
	{
		Pair p;
		makePair(p);
		std::atomic<bool> stop{false};
		auto reader = slowReader(p.reader, 64 * 1024, 20ms, stop);
		auto r = p.sender.sendAll(bytes, 1000, Transport::Segments::Coalesce, Transport::Deadline::NoProgress);
		stop = true;
		reader.join();
		EXPECT_TRUE(r.has_value()) << r.error().message;
	}
	{
		Pair p;
		makePair(p);
		std::atomic<bool> stop{false};
		auto reader = slowReader(p.reader, 16 * 1024, 100ms, stop); // 160 KiB/s: > 5 s for 1 MiB
		auto r = p.sender.sendAll(bytes, 200);                      // Deadline::Total
		stop = true;
		reader.join();
		ASSERT_FALSE(r.has_value());
		EXPECT_NE(r.error().message.find("send timed out after 200 ms"), std::string::npos)
			<< r.error().message;
	}
}
