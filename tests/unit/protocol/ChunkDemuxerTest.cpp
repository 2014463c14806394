#include "plugin/rtmp/ChunkDemuxer.hpp"
#include "plugin/rtmp/ChunkWriter.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using namespace goaway;
using namespace goaway::rtmp;
using Bytes = std::vector<uint8_t>;

namespace {

Bytes payloadOf(size_t n, uint8_t seed)
{
	Bytes p(n);
	for (size_t i = 0; i < n; ++i)
		p[i] = static_cast<uint8_t>(seed + i * 7);
	return p;
}

void put24(Bytes &b, uint32_t v)
{
	b.insert(b.end(), {uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)});
}

void put32(Bytes &b, uint32_t v)
{
	b.insert(b.end(), {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)});
}

// Hand-written chunk headers, independent of ChunkWriter (1-byte basic header only).
void fmt0(Bytes &b, uint8_t csid, uint32_t ts, uint32_t len, uint8_t type, uint32_t sid)
{
	b.push_back(csid);
	put24(b, ts >= 0xFFFFFF ? 0xFFFFFF : ts);
	put24(b, len);
	b.push_back(type);
	b.insert(b.end(), {uint8_t(sid), uint8_t(sid >> 8), uint8_t(sid >> 16), uint8_t(sid >> 24)});
	if (ts >= 0xFFFFFF)
		put32(b, ts);
}

void fmt1(Bytes &b, uint8_t csid, uint32_t delta, uint32_t len, uint8_t type)
{
	b.push_back(uint8_t(0x40 | csid));
	put24(b, delta);
	put24(b, len);
	b.push_back(type);
}

void fmt2(Bytes &b, uint8_t csid, uint32_t delta)
{
	b.push_back(uint8_t(0x80 | csid));
	put24(b, delta);
}

void fmt3(Bytes &b, uint8_t csid)
{
	b.push_back(uint8_t(0xC0 | csid));
}

void append(Bytes &b, const Bytes &p, size_t from, size_t n)
{
	b.insert(b.end(), p.begin() + static_cast<std::ptrdiff_t>(from),
		 p.begin() + static_cast<std::ptrdiff_t>(from + n));
}

std::vector<Message> demuxAll(const Bytes &bytes)
{
	ChunkDemuxer d;
	std::vector<Message> out;
	EXPECT_TRUE(d.feed(bytes, out));
	return out;
}

// Feeds `bytes` split at every position (two feeds) and one byte at a time; every split must give
// exactly the messages of the single feed.
void expectSplitInvariant(const Bytes &bytes, const std::vector<Message> &expected)
{
	for (size_t cut = 0; cut <= bytes.size(); ++cut) {
		ChunkDemuxer d;
		std::vector<Message> out;
		ASSERT_TRUE(d.feed(std::span(bytes).subspan(0, cut), out));
		ASSERT_TRUE(d.feed(std::span(bytes).subspan(cut), out));
		ASSERT_EQ(out.size(), expected.size()) << "cut at " << cut;
		for (size_t i = 0; i < out.size(); ++i) {
			EXPECT_EQ(out[i].payload, expected[i].payload) << "cut " << cut << " message " << i;
			EXPECT_EQ(out[i].timestamp, expected[i].timestamp) << "cut " << cut << " message " << i;
		}
		EXPECT_EQ(d.bytesReceived(), bytes.size());
	}
	ChunkDemuxer d;
	std::vector<Message> out;
	for (uint8_t byte : bytes)
		ASSERT_TRUE(d.feed(std::span(&byte, 1), out));
	ASSERT_EQ(out.size(), expected.size());
	for (size_t i = 0; i < out.size(); ++i)
		EXPECT_EQ(out[i].payload, expected[i].payload);
}

} // namespace

TEST(ChunkDemuxer, SingleChunkMessage)
{
	Bytes b;
	fmt0(b, 3, 1000, 5, 20, 1);
	append(b, Bytes{1, 2, 3, 4, 5}, 0, 5);
	auto out = demuxAll(b);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].type, 20);
	EXPECT_EQ(out[0].timestamp, 1000u);
	EXPECT_EQ(out[0].streamId, 1u);
	EXPECT_EQ(out[0].chunkStreamId, 3u);
	EXPECT_EQ(out[0].payload, (Bytes{1, 2, 3, 4, 5}));
}

TEST(ChunkDemuxer, ZeroLengthGoAwayIsAMessage)
{
	Bytes b;
	fmt0(b, 2, 0, 0, 32, 0);
	auto out = demuxAll(b);
	ASSERT_EQ(out.size(), 1u);
	EXPECT_EQ(out[0].messageType(), MessageType::GoAway);
	EXPECT_TRUE(out[0].payload.empty());
}

TEST(ChunkDemuxer, MultiChunkMessageSplitAtEveryByte)
{
	const Bytes p = payloadOf(300, 1); // 128 + 128 + 44 at the default chunk size
	Bytes b;
	fmt0(b, 6, 40, 300, 9, 1);
	append(b, p, 0, 128);
	fmt3(b, 6);
	append(b, p, 128, 128);
	fmt3(b, 6);
	append(b, p, 256, 44);
	Message m;
	m.payload = p;
	m.timestamp = 40;
	expectSplitInvariant(b, {m});
}

TEST(ChunkDemuxer, DeltaHeadersAccumulateTimestamps)
{
	// fmt0 t=1000, fmt1 +33 (new length), fmt2 +34, fmt3 repeats +34, as FFmpeg writes them.
	Bytes b;
	fmt0(b, 4, 1000, 2, 8, 1);
	append(b, Bytes{0xAF, 1}, 0, 2);
	fmt1(b, 4, 33, 3, 8);
	append(b, Bytes{0xAF, 1, 2}, 0, 3);
	fmt2(b, 4, 34);
	append(b, Bytes{0xAF, 1, 3}, 0, 3);
	fmt3(b, 4);
	append(b, Bytes{0xAF, 1, 4}, 0, 3);
	auto out = demuxAll(b);
	ASSERT_EQ(out.size(), 4u);
	EXPECT_EQ(out[0].timestamp, 1000u);
	EXPECT_EQ(out[1].timestamp, 1033u);
	EXPECT_EQ(out[2].timestamp, 1067u);
	EXPECT_EQ(out[3].timestamp, 1101u);
	EXPECT_EQ(out[3].payload, (Bytes{0xAF, 1, 4}));
	EXPECT_EQ(out[3].streamId, 1u);
	EXPECT_EQ(out[3].type, 8);
}

TEST(ChunkDemuxer, ChunkSizeChangeAppliesToTheNextChunk)
{
	const Bytes p = payloadOf(1000, 9);
	Bytes b;
	fmt0(b, 2, 0, 4, 1, 0);
	put32(b, 400);
	fmt0(b, 6, 0, 1000, 9, 1);
	append(b, p, 0, 400);
	fmt3(b, 6);
	append(b, p, 400, 400);
	fmt3(b, 6);
	append(b, p, 800, 200);
	Message setSize;
	setSize.payload = {0, 0, 1, 0x90};
	Message video;
	video.payload = p;
	expectSplitInvariant(b, {setSize, video});
	ChunkDemuxer d;
	std::vector<Message> out;
	ASSERT_TRUE(d.feed(b, out));
	EXPECT_EQ(d.chunkSize(), 400u);
	EXPECT_EQ(out[0].messageType(), MessageType::SetChunkSize);
}

TEST(ChunkDemuxer, ChunkSizeChangeBetweenTwoChunksOfOtherStream)
{
	// A message in progress on csid 6 continues at the new size after a Set Chunk Size on csid 2.
	const Bytes p = payloadOf(300, 3);
	Bytes b;
	fmt0(b, 6, 0, 300, 9, 1);
	append(b, p, 0, 128);
	fmt0(b, 2, 0, 4, 1, 0);
	put32(b, 4096);
	fmt3(b, 6);
	append(b, p, 128, 172);
	auto out = demuxAll(b);
	ASSERT_EQ(out.size(), 2u);
	EXPECT_EQ(out[1].payload, p);
}

TEST(ChunkDemuxer, ExtendedTimestampRepeatedOnContinuationChunks)
{
	const uint32_t ts = 0x01000000; // beyond 24 bits
	const Bytes p = payloadOf(300, 5);
	Bytes b;
	fmt0(b, 6, ts, 300, 9, 1); // writes 0xFFFFFF + extended field
	append(b, p, 0, 128);
	fmt3(b, 6);
	put32(b, ts);
	append(b, p, 128, 128);
	fmt3(b, 6);
	put32(b, ts);
	append(b, p, 256, 44);
	Message m;
	m.payload = p;
	m.timestamp = ts;
	expectSplitInvariant(b, {m});
}

TEST(ChunkDemuxer, ExtendedDeltaOnNewType3Message)
{
	// fmt1 with an extended delta, then a fmt3 chunk starting a new message re-applies the
	// extended field it carries.
	Bytes b;
	fmt0(b, 4, 10, 1, 8, 1);
	b.push_back(0xAA);
	fmt1(b, 4, 0xFFFFFF, 1, 8);
	put32(b, 0x01000000);
	b.push_back(0xBB);
	fmt3(b, 4);
	put32(b, 0x01000000);
	b.push_back(0xCC);
	auto out = demuxAll(b);
	ASSERT_EQ(out.size(), 3u);
	EXPECT_EQ(out[1].timestamp, 10u + 0x01000000u);
	EXPECT_EQ(out[2].timestamp, 10u + 0x02000000u);
	EXPECT_EQ(out[2].payload, Bytes{0xCC});
}

TEST(ChunkDemuxer, InterleavedChunkStreams)
{
	const Bytes video = payloadOf(300, 1);
	const Bytes audio = payloadOf(200, 100);
	Bytes b;
	fmt0(b, 6, 100, 300, 9, 1);
	append(b, video, 0, 128);
	fmt0(b, 4, 90, 200, 8, 1);
	append(b, audio, 0, 128);
	fmt3(b, 6);
	append(b, video, 128, 128);
	fmt3(b, 4);
	append(b, audio, 128, 72);
	fmt3(b, 6);
	append(b, video, 256, 44);
	Message a, v;
	a.payload = audio;
	a.timestamp = 90;
	v.payload = video;
	v.timestamp = 100;
	expectSplitInvariant(b, {a, v});
	auto out = demuxAll(b);
	EXPECT_EQ(out[0].type, 8);
	EXPECT_EQ(out[0].chunkStreamId, 4u);
	EXPECT_EQ(out[1].type, 9);
}

TEST(ChunkDemuxer, AbortDiscardsThePartialMessage)
{
	const Bytes dropped = payloadOf(300, 1);
	Bytes b;
	fmt0(b, 6, 0, 300, 9, 1);
	append(b, dropped, 0, 128);
	fmt0(b, 2, 0, 4, 2, 0); // Abort chunk stream 6
	put32(b, 6);
	fmt0(b, 6, 40, 3, 9, 1);
	append(b, Bytes{7, 8, 9}, 0, 3);
	auto out = demuxAll(b);
	ASSERT_EQ(out.size(), 2u);
	EXPECT_EQ(out[0].messageType(), MessageType::Abort);
	EXPECT_EQ(out[1].payload, (Bytes{7, 8, 9}));
	EXPECT_EQ(out[1].timestamp, 40u);

	// After an Abort, a type-3 chunk starts a fresh message with the old header.
	const Bytes fresh = payloadOf(300, 50);
	Bytes c;
	fmt0(c, 6, 0, 300, 9, 1);
	append(c, dropped, 0, 128);
	fmt0(c, 2, 0, 4, 2, 0);
	put32(c, 6);
	fmt3(c, 6);
	append(c, fresh, 0, 128);
	fmt3(c, 6);
	append(c, fresh, 128, 128);
	fmt3(c, 6);
	append(c, fresh, 256, 44);
	auto again = demuxAll(c);
	ASSERT_EQ(again.size(), 2u);
	EXPECT_EQ(again[1].payload, fresh);
}

TEST(ChunkDemuxer, TwoAndThreeByteChunkStreamIds)
{
	ChunkWriter w;
	for (uint32_t csid : {2u, 63u, 64u, 319u, 320u, 65599u}) {
		Message m;
		m.type = 20;
		m.chunkStreamId = csid;
		m.payload = payloadOf(200, uint8_t(csid));
		Bytes b;
		w.write(m, b);
		auto out = demuxAll(b);
		ASSERT_EQ(out.size(), 1u) << csid;
		EXPECT_EQ(out[0].chunkStreamId, csid);
		EXPECT_EQ(out[0].payload, m.payload);
	}
}

TEST(ChunkDemuxer, OversizedChunkSizeIsAnErrorAndPoisons)
{
	Bytes b;
	fmt0(b, 2, 0, 4, 1, 0);
	put32(b, 0x7FFFFFFF);
	ChunkDemuxer d;
	std::vector<Message> out;
	auto r = d.feed(b, out);
	ASSERT_FALSE(r);
	EXPECT_EQ(r.error().code, ErrorCode::Protocol);
	Bytes more;
	fmt0(more, 3, 0, 1, 20, 0);
	more.push_back(5);
	EXPECT_FALSE(d.feed(more, out));
	EXPECT_TRUE(out.empty());
}

TEST(ChunkDemuxer, ZeroChunkSizeIsAnError)
{
	Bytes b;
	fmt0(b, 2, 0, 4, 1, 0);
	put32(b, 0);
	ChunkDemuxer d;
	std::vector<Message> out;
	EXPECT_FALSE(d.feed(b, out));
}

TEST(ChunkDemuxer, ConfiguredMaximumChunkSize)
{
	Bytes b;
	fmt0(b, 2, 0, 4, 1, 0);
	put32(b, 65536);
	ChunkDemuxer d(65535);
	std::vector<Message> out;
	EXPECT_FALSE(d.feed(b, out));
}

TEST(ChunkDemuxer, ContinuationWithoutHeaderIsAnError)
{
	for (uint8_t first : {uint8_t(0x43), uint8_t(0x83), uint8_t(0xC3)}) {
		Bytes b{first, 0, 0, 0, 0, 0, 0, 0};
		ChunkDemuxer d;
		std::vector<Message> out;
		auto r = d.feed(b, out);
		ASSERT_FALSE(r);
		EXPECT_EQ(r.error().code, ErrorCode::Protocol);
	}
}

TEST(ChunkDemuxer, LargestEncodableLengthIsAccepted)
{
	Bytes b;
	b.push_back(0x06);
	put24(b, 0);
	put24(b, 0xFFFFFF); // 16 MiB - 1 fits the limit
	b.push_back(9);
	put32(b, 0);
	ChunkDemuxer d;
	std::vector<Message> out;
	EXPECT_TRUE(d.feed(b, out));
}

TEST(ChunkDemuxer, GarbageNeverCrashes)
{
	// Deterministic pseudo-random bytes: the demuxer must either wait or fail, never crash.
	uint32_t x = 12345;
	for (int round = 0; round < 200; ++round) {
		Bytes b(2000);
		for (auto &byte : b) {
			x = x * 1103515245u + 12345u;
			byte = uint8_t(x >> 16);
		}
		ChunkDemuxer d;
		std::vector<Message> out;
		(void)d.feed(b, out);
	}
	SUCCEED();
}
