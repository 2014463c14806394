#include "tests/ingest/ServerHandshake.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace goaway::ingest;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes clientHello()
{
	Bytes b(1 + 1536);
	b[0] = 3;
	// librtmp's FP9 attempt puts version bytes at 4-7 (here 9.0.124.2).
	b[1 + 4] = 9;
	b[1 + 6] = 124;
	b[1 + 7] = 2;
	for (size_t i = 9; i < b.size(); ++i)
		b[i] = static_cast<uint8_t>(i * 13);
	return b;
}

} // namespace

TEST(ServerHandshake, AnswersS0S1S2WithZeroVersionAndEchoedC1)
{
	const Bytes c0c1 = clientHello();
	Bytes c2(1536, 0x55);
	Bytes after{0x03, 0xAA};
	Bytes all = c0c1;
	all.insert(all.end(), c2.begin(), c2.end());
	all.insert(all.end(), after.begin(), after.end());

	// Any split of the input gives the same reply and consumption.
	for (size_t cut : {size_t(0), size_t(1), size_t(700), size_t(1537), size_t(2000), all.size() - 1}) {
		ServerHandshake h;
		Bytes reply;
		size_t used = 0;
		auto first = h.feed(std::span(all).subspan(0, cut), reply);
		ASSERT_TRUE(first);
		used += *first;
		auto second = h.feed(std::span(all).subspan(used), reply);
		ASSERT_TRUE(second);
		used += *second;
		EXPECT_TRUE(h.done()) << cut;
		EXPECT_EQ(used, c0c1.size() + 1536) << cut; // the 2 bytes after C2 are not the handshake's
		ASSERT_EQ(reply.size(), 1u + 1536u + 1536u);
		EXPECT_EQ(reply[0], 3);
		EXPECT_EQ((Bytes(reply.begin() + 1, reply.begin() + 9)), Bytes(8, 0)); // time + zero version
		EXPECT_EQ((Bytes(reply.begin() + 1 + 1536, reply.end())), (Bytes(c0c1.begin() + 1, c0c1.end())));
	}
}

TEST(ServerHandshake, RejectsOtherVersions)
{
	ServerHandshake h;
	Bytes reply;
	auto r = h.feed(Bytes{6, 0, 0}, reply); // RTMPE
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, goaway::ErrorCode::Protocol);
	EXPECT_TRUE(reply.empty());
	ServerHandshake http;
	EXPECT_FALSE(http.feed(Bytes{'G', 'E', 'T', ' '}, reply)); // someone speaking HTTP
}
