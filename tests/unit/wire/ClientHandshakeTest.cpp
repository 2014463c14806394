// The client handshake as bytes in, bytes out (RTMP spec 5.2), byte-exact.

#include "plugin/rtmp/ClientHandshake.hpp"

#include <gtest/gtest.h>

#include <array>

using namespace goaway;
using namespace goaway::rtmp;

namespace {

std::array<uint8_t, ClientHandshake::kRandomSize> pattern()
{
	std::array<uint8_t, ClientHandshake::kRandomSize> r{};
	for (size_t i = 0; i < r.size(); ++i)
		r[i] = static_cast<uint8_t>(i * 31 + 7);
	return r;
}

} // namespace

TEST(ClientHandshake, HelloIsVersionThreeTimeZeroesAndTheRandomBytes)
{
	const auto random = pattern();
	ClientHandshake hs(random, 0x01020304);
	const auto &h = hs.hello();
	ASSERT_EQ(h.size(), 1u + 1536);
	EXPECT_EQ(h[0], 3);
	EXPECT_EQ((std::vector<uint8_t>(h.begin() + 1, h.begin() + 9)), (std::vector<uint8_t>{1, 2, 3, 4, 0, 0, 0, 0}));
	EXPECT_TRUE(std::equal(random.begin(), random.end(), h.begin() + 9));
}

TEST(ClientHandshake, ServerBytesInAnyPiecesGiveC2AsTheEchoOfS1AndKeepWhatFollows)
{
	ClientHandshake hs(pattern(), 0);
	std::vector<uint8_t> server{3};
	for (int i = 0; i < 1536; ++i)
		server.push_back(static_cast<uint8_t>(i));                     // S1
	server.insert(server.end(), hs.hello().begin() + 1, hs.hello().end()); // S2 = C1
	server.insert(server.end(), {0x02, 0xAA, 0xBB});                       // the server's first chunk bytes
	for (size_t at = 0; at < server.size(); at += 1000) {
		auto r = hs.feed(
			std::span<const uint8_t>(server).subspan(at, std::min<size_t>(1000, server.size() - at)));
		ASSERT_TRUE(r);
		EXPECT_EQ(*r, at + 1000 >= 1 + 2 * 1536);
	}
	ASSERT_TRUE(hs.done());
	ASSERT_EQ(hs.c2().size(), 1536u);
	EXPECT_TRUE(std::equal(hs.c2().begin(), hs.c2().end(), server.begin() + 1));
	EXPECT_EQ((std::vector<uint8_t>(hs.leftover().begin(), hs.leftover().end())),
		  (std::vector<uint8_t>{0x02, 0xAA, 0xBB}));
}

TEST(ClientHandshake, NotDoneUntilTheLastByteOfS2)
{
	ClientHandshake hs(pattern(), 0);
	std::vector<uint8_t> almost(1 + 2 * 1536 - 1, 3);
	ASSERT_TRUE(hs.feed(almost));
	EXPECT_FALSE(hs.done());
	EXPECT_TRUE(hs.c2().empty());
	const uint8_t last = 0;
	auto r = hs.feed(std::span<const uint8_t>(&last, 1));
	ASSERT_TRUE(r);
	EXPECT_TRUE(*r);
}

TEST(ClientHandshake, AnotherVersionByteIsAProtocolErrorAtOnce)
{
	ClientHandshake hs(pattern(), 0);
	const uint8_t s0 = 'H'; // an HTTP server answering "HTTP/1.1 400"
	auto r = hs.feed(std::span<const uint8_t>(&s0, 1));
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, ErrorCode::Protocol);
	EXPECT_NE(r.error().message.find("version 72"), std::string::npos);
}
