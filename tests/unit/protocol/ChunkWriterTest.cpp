#include "plugin/rtmp/ChunkDemuxer.hpp"
#include "plugin/rtmp/ChunkWriter.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

using namespace goaway::rtmp;
using Bytes = std::vector<uint8_t>;

TEST(ChunkWriter, Format0HeaderBytes)
{
	Message m;
	m.type = 20;
	m.timestamp = 0x010203;
	m.streamId = 0x01;
	m.chunkStreamId = 3;
	m.payload = {0xAA, 0xBB};
	Bytes out;
	ChunkWriter().write(m, out);
	// basic header, 3B timestamp, 3B length, type, little-endian stream id, payload
	EXPECT_EQ(out, (Bytes{0x03, 0x01, 0x02, 0x03, 0x00, 0x00, 0x02, 0x14, 0x01, 0x00, 0x00, 0x00, 0xAA, 0xBB}));
}

TEST(ChunkWriter, SplitsAtChunkSizeWithType3Continuations)
{
	Message m;
	m.type = 9;
	m.chunkStreamId = 6;
	m.payload.assign(300, 0x11);
	Bytes out;
	ChunkWriter().write(m, out);
	ASSERT_EQ(out.size(), 12u + 300u + 2u);
	EXPECT_EQ(out[12 + 128], 0xC6);
	EXPECT_EQ(out[12 + 128 + 1 + 128], 0xC6);
}

TEST(ChunkWriter, ExtendedTimestampOnEveryChunk)
{
	Message m;
	m.type = 9;
	m.timestamp = 0x12345678;
	m.chunkStreamId = 6;
	m.payload.assign(200, 0x22);
	ChunkWriter w;
	w.setChunkSize(100);
	Bytes out;
	w.write(m, out);
	ASSERT_EQ(out.size(), 12u + 4u + 100u + 1u + 4u + 100u);
	EXPECT_EQ((Bytes{out[1], out[2], out[3]}), (Bytes{0xFF, 0xFF, 0xFF}));
	EXPECT_EQ((Bytes(out.begin() + 12, out.begin() + 16)), (Bytes{0x12, 0x34, 0x56, 0x78}));
	const size_t cont = 16 + 100;
	EXPECT_EQ(out[cont], 0xC6);
	EXPECT_EQ((Bytes(out.begin() + cont + 1, out.begin() + cont + 5)), (Bytes{0x12, 0x34, 0x56, 0x78}));
}

TEST(ChunkWriter, ControlMessages)
{
	auto scs = ChunkWriter::setChunkSizeMessage(4096);
	EXPECT_EQ(scs.type, 1);
	EXPECT_EQ(scs.chunkStreamId, 2u);
	EXPECT_EQ(scs.payload, (Bytes{0, 0, 0x10, 0}));
	EXPECT_EQ(ChunkWriter::windowAckSizeMessage(2500000).payload, (Bytes{0x00, 0x26, 0x25, 0xA0}));
	auto bw = ChunkWriter::setPeerBandwidthMessage(2500000, 2);
	EXPECT_EQ(bw.type, 6);
	EXPECT_EQ(bw.payload, (Bytes{0x00, 0x26, 0x25, 0xA0, 0x02}));
	EXPECT_EQ(ChunkWriter::acknowledgementMessage(7).payload, (Bytes{0, 0, 0, 7}));
	auto ping = ChunkWriter::userControlMessage(UserControlEvent::PingRequest, 0x01020304);
	EXPECT_EQ(ping.type, 4);
	EXPECT_EQ(ping.payload, (Bytes{0, 6, 1, 2, 3, 4}));
}

TEST(ChunkWriter, RoundTripThroughDemuxerWithChunkSizeChanges)
{
	// Writer and demuxer agree across chunk sizes, big timestamps, csids and empty bodies.
	ChunkWriter w;
	ChunkDemuxer d;
	std::vector<Message> sent;
	Bytes wire;
	uint32_t ts = 0xFFFF00; // crosses the extended timestamp threshold on the way
	for (int i = 0; i < 60; ++i) {
		if (i == 20 || i == 40) {
			const uint32_t size = i == 20 ? 4096 : 77;
			auto scs = ChunkWriter::setChunkSizeMessage(size);
			w.write(scs, wire);
			w.setChunkSize(size);
			sent.push_back(scs);
		}
		Message m;
		m.type = i % 3 == 0 ? 8 : (i % 7 == 0 ? 32 : 9);
		m.timestamp = ts;
		ts += 33;
		m.streamId = 1;
		m.chunkStreamId = m.type == 8 ? 4 : (m.type == 32 ? 2 : 6);
		m.payload.assign(m.type == 32 ? 0 : size_t(50 + i * 97), uint8_t(i));
		w.write(m, wire);
		sent.push_back(m);
	}
	std::vector<Message> got;
	// Feed in odd-sized pieces.
	for (size_t at = 0; at < wire.size(); at += 113) {
		const size_t n = std::min<size_t>(113, wire.size() - at);
		ASSERT_TRUE(d.feed(std::span(wire).subspan(at, n), got));
	}
	ASSERT_EQ(got.size(), sent.size());
	for (size_t i = 0; i < got.size(); ++i) {
		EXPECT_EQ(got[i].type, sent[i].type) << i;
		EXPECT_EQ(got[i].timestamp, sent[i].timestamp) << i;
		EXPECT_EQ(got[i].streamId, sent[i].streamId) << i;
		EXPECT_EQ(got[i].chunkStreamId, sent[i].chunkStreamId) << i;
		EXPECT_EQ(got[i].payload, sent[i].payload) << i;
	}
	EXPECT_EQ(d.chunkSize(), 77u);
	EXPECT_EQ(d.bytesReceived(), wire.size());
}
