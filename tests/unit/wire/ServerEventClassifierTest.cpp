// Server byte streams crafted with rtmp::ChunkWriter, de-multiplexed with rtmp::ChunkDemuxer
// (what RtmpSession::poll() does), classified into events.

#include "plugin/rtmp/ChunkDemuxer.hpp"
#include "plugin/rtmp/ChunkWriter.hpp"
#include "plugin/rtmp/Command.hpp"
#include "plugin/rtmp/ServerEventClassifier.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <optional>

using namespace goaway;
using namespace goaway::rtmp;
using Bytes = std::vector<uint8_t>;

namespace {

Message goAway(uint32_t csid, size_t bodySize)
{
	Message m;
	m.type = 32;
	m.chunkStreamId = csid;
	m.payload.assign(bodySize, 0xAB);
	return m;
}

Message onStatus(const std::string &level, const std::string &code, const std::string &description,
		 const char *tcUrl = nullptr)
{
	Command c;
	c.name = "onStatus";
	c.transactionId = 0;
	amf0::Value info = amf0::Value::makeObject();
	info.set("level", amf0::Value::makeString(level));
	info.set("code", amf0::Value::makeString(code));
	info.set("description", amf0::Value::makeString(description));
	if (tcUrl)
		info.set("tcUrl", amf0::Value::makeString(tcUrl));
	c.arguments = {info};
	return makeCommandMessage(c, 1, 5);
}

/** Feeds `bytes` in pieces of `step` bytes and classifies every completed message. */
std::vector<ServerEvent> classifyStream(const Bytes &bytes, size_t step)
{
	ChunkDemuxer demuxer;
	ServerEventClassifier classifier;
	std::vector<ServerEvent> events;
	for (size_t at = 0; at < bytes.size(); at += step) {
		std::vector<Message> messages;
		size_t n = std::min(step, bytes.size() - at);
		EXPECT_TRUE(demuxer.feed(std::span<const uint8_t>(bytes.data() + at, n), messages));
		for (const auto &m : messages) {
			if (auto e = classifier.classify(m))
				events.push_back(*e);
		}
	}
	return events;
}

template<class T> std::vector<T> only(const std::vector<ServerEvent> &events)
{
	std::vector<T> out;
	for (const auto &e : events) {
		if (auto *t = std::get_if<T>(&e))
			out.push_back(*t);
	}
	return out;
}

} // namespace

TEST(ServerEventClassifier, GoAwayEmptyBody)
{
	ChunkWriter w;
	Bytes bytes;
	w.write(goAway(2, 0), bytes);
	auto events = classifyStream(bytes, bytes.size());
	ASSERT_EQ(events.size(), 1u);
	auto *g = std::get_if<GoAwayEvent>(&events[0]);
	ASSERT_NE(g, nullptr);
	EXPECT_EQ(g->bodySize, 0u);
	EXPECT_EQ(g->chunkStreamId, 2u);
}

TEST(ServerEventClassifier, GoAwayOnAnyChunkStreamWithAnyBody)
{
	// 1-byte (3, 63), 2-byte (64, 319) and 3-byte (320, 65599) basic headers.
	for (uint32_t csid : {2u, 3u, 63u, 64u, 319u, 320u, 65599u}) {
		for (size_t body : {size_t(0), size_t(1), size_t(4), size_t(100)}) {
			ChunkWriter w;
			Bytes bytes;
			w.write(goAway(csid, body), bytes);
			for (size_t step : {size_t(1), size_t(5), bytes.size()}) {
				auto goaways = only<GoAwayEvent>(classifyStream(bytes, step));
				ASSERT_EQ(goaways.size(), 1u)
					<< "csid " << csid << " body " << body << " step " << step;
				EXPECT_EQ(goaways[0].chunkStreamId, csid);
				EXPECT_EQ(goaways[0].bodySize, body);
			}
		}
	}
}

TEST(ServerEventClassifier, GoAwaySplitAcrossChunksAndAfterSetChunkSize)
{
	ChunkWriter w;
	Bytes bytes;
	w.write(goAway(3, 300), bytes); // 128-byte chunks: 3 chunks
	w.write(ChunkWriter::setChunkSizeMessage(60), bytes);
	w.setChunkSize(60);
	w.write(goAway(7, 150), bytes); // 60-byte chunks: 3 chunks
	w.write(ChunkWriter::setChunkSizeMessage(4096), bytes);
	w.setChunkSize(4096);
	w.write(goAway(2, 0), bytes);
	for (size_t step : {size_t(1), size_t(7), size_t(61), bytes.size()}) {
		auto events = classifyStream(bytes, step);
		auto goaways = only<GoAwayEvent>(events);
		ASSERT_EQ(goaways.size(), 3u) << "step " << step;
		EXPECT_EQ(goaways[0].bodySize, 300u);
		EXPECT_EQ(goaways[1].bodySize, 150u);
		EXPECT_EQ(goaways[1].chunkStreamId, 7u);
		EXPECT_EQ(goaways[2].bodySize, 0u);
		auto sizes = only<SetChunkSizeEvent>(events);
		ASSERT_EQ(sizes.size(), 2u);
		EXPECT_EQ(sizes[0].size, 60u);
		EXPECT_EQ(sizes[1].size, 4096u);
	}
}

TEST(ServerEventClassifier, GoAwayMixedWithAcksPingsAndResults)
{
	ChunkWriter w;
	Bytes bytes;
	w.write(ChunkWriter::windowAckSizeMessage(2500000), bytes);
	w.write(ChunkWriter::setPeerBandwidthMessage(2500000, 2), bytes);
	w.write(ChunkWriter::acknowledgementMessage(123456), bytes);
	w.write(ChunkWriter::userControlMessage(UserControlEvent::PingRequest, 777), bytes);
	w.write(goAway(2, 0), bytes);
	w.write(ChunkWriter::userControlMessage(UserControlEvent::StreamBegin, 1), bytes);
	Command result;
	result.name = "_result";
	result.transactionId = 4;
	result.commandObject = amf0::Value::makeNull();
	result.arguments = {amf0::Value::makeNumber(1)};
	w.write(makeCommandMessage(result), bytes);
	for (size_t step : {size_t(1), size_t(3), bytes.size()}) {
		auto events = classifyStream(bytes, step);
		ASSERT_EQ(events.size(), 7u);
		EXPECT_EQ(std::get<WindowAckSizeEvent>(events[0]).size, 2500000u);
		EXPECT_EQ(std::get<SetPeerBandwidthEvent>(events[1]).limitType, 2);
		EXPECT_EQ(std::get<AcknowledgementEvent>(events[2]).sequenceNumber, 123456u);
		EXPECT_EQ(std::get<PingEvent>(events[3]).timestamp, 777u);
		EXPECT_TRUE(std::holds_alternative<GoAwayEvent>(events[4]));
		EXPECT_EQ(std::get<UserControlEventReceived>(events[5]).event, 0);
		const auto &r = std::get<CommandResultEvent>(events[6]);
		EXPECT_FALSE(r.isError);
		EXPECT_EQ(r.transactionId, 4);
		ASSERT_EQ(r.arguments.size(), 1u);
		EXPECT_EQ(r.arguments[0].number, 1);
	}
}

TEST(ServerEventClassifier, ReconnectRequestWithAndWithoutTcUrl)
{
	ChunkWriter w;
	Bytes bytes;
	w.write(onStatus("status", "NetConnection.Connect.ReconnectRequest", "maintenance", "//127.0.0.1:2000/live"),
		bytes);
	w.write(onStatus("status", "NetConnection.Connect.ReconnectRequest", "drain"), bytes);
	auto events = only<ReconnectRequestEvent>(classifyStream(bytes, 9));
	ASSERT_EQ(events.size(), 2u);
	EXPECT_EQ(events[0].description, "maintenance");
	ASSERT_TRUE(events[0].tcUrl);
	EXPECT_EQ(*events[0].tcUrl, "//127.0.0.1:2000/live");
	EXPECT_EQ(events[1].description, "drain");
	EXPECT_FALSE(events[1].tcUrl);
}

TEST(ServerEventClassifier, StatusErrorsAndPublishStart)
{
	ChunkWriter w;
	Bytes bytes;
	w.write(onStatus("status", "NetStream.Publish.Start", "Start publishing"), bytes);
	w.write(onStatus("error", "NetStream.Publish.BadName", "Already publishing"), bytes);
	Command error;
	error.name = "_error";
	error.transactionId = 5;
	amf0::Value info = amf0::Value::makeObject();
	info.set("code", amf0::Value::makeString("NetConnection.Call.Failed"));
	info.set("description", amf0::Value::makeString("denied"));
	error.arguments = {info};
	w.write(makeCommandMessage(error), bytes);
	auto events = classifyStream(bytes, bytes.size());
	ASSERT_EQ(events.size(), 3u);
	auto start = std::get<StatusEvent>(events[0]);
	EXPECT_EQ(start.code, "NetStream.Publish.Start");
	EXPECT_FALSE(start.isError());
	auto bad = std::get<StatusEvent>(events[1]);
	EXPECT_TRUE(bad.isError());
	EXPECT_EQ(bad.description, "Already publishing");
	auto err = std::get<CommandResultEvent>(events[2]);
	EXPECT_TRUE(err.isError);
	EXPECT_EQ(err.transactionId, 5);
	EXPECT_EQ(err.code(), "NetConnection.Call.Failed");
	EXPECT_EQ(err.description(), "denied");
}

TEST(ServerEventClassifier, UnknownTypesAndMediaAreIgnored)
{
	ServerEventClassifier classifier;
	for (uint8_t type : {uint8_t(8), uint8_t(9), uint8_t(18), uint8_t(22), uint8_t(33), uint8_t(99), uint8_t(99)}) {
		Message m;
		m.type = type;
		m.payload = {1, 2, 3};
		EXPECT_FALSE(classifier.classify(m)) << int(type);
	}
	Message truncated;
	truncated.type = 1; // Set Chunk Size with 2 bytes
	truncated.payload = {0, 1};
	EXPECT_FALSE(classifier.classify(truncated));
}

// ---- the text boundary: server strings come out valid, printable and bounded -------------------

TEST(ServerEventClassifier, ReconnectRequestWithALatin1DescriptionGivesValidText)
{
	ServerEventClassifier classifier;
	auto e = classifier.classify(onStatus("status", "NetConnection.Connect.ReconnectRequest",
					      "Serveur arr\xEAt\xE9\r\n", "rtmp://b/live"));
	ASSERT_TRUE(e);
	auto *rr = std::get_if<ReconnectRequestEvent>(&*e);
	ASSERT_NE(rr, nullptr);
	EXPECT_EQ(rr->description, "Serveur arr\xEF\xBF\xBDt\xEF\xBF\xBD  ");
	ASSERT_TRUE(rr->tcUrl);
	EXPECT_EQ(*rr->tcUrl, "rtmp://b/live");
}

TEST(ServerEventClassifier, ATcUrlThatIsNotCleanTextIsRefusedWholeNotRepaired)
{
	ServerEventClassifier classifier;
	for (std::string bad : {std::string("rtmp://evil\n/live"), std::string("rtmp://b\xFF/live"),
				"rtmp://b/" + std::string(5000, 'a')}) {
		auto e = classifier.classify(
			onStatus("status", "NetConnection.Connect.ReconnectRequest", "", bad.c_str()));
		ASSERT_TRUE(e);
		auto *rr = std::get_if<ReconnectRequestEvent>(&*e);
		ASSERT_NE(rr, nullptr);
		EXPECT_FALSE(rr->tcUrl) << bad.substr(0, 40); // the handoff still happens, without it
	}
}

TEST(ServerEventClassifier, EveryStringOfAnErrorResultIsBoundedAndPrintable)
{
	ServerEventClassifier classifier;
	Command c;
	c.name = "_error";
	c.transactionId = 1;
	amf0::Value info = amf0::Value::makeObject();
	info.set("code\x01", amf0::Value::makeString("x"));
	info.set("description", amf0::Value::makeString(std::string(70000, '\x07')));
	info.set("code", amf0::Value::makeString("NetConnection.Connect.Rejected\x1B"));
	c.arguments = {info};
	auto e = classifier.classify(makeCommandMessage(c, 0, 3));
	ASSERT_TRUE(e);
	auto *r = std::get_if<CommandResultEvent>(&*e);
	ASSERT_NE(r, nullptr);
	EXPECT_LE(r->description().size(), 512u);
	EXPECT_EQ(r->description().find('\x07'), std::string::npos);
	EXPECT_EQ(r->code(), "NetConnection.Connect.Rejected\xEF\xBF\xBD");
	EXPECT_EQ(r->arguments[0].properties[0].first, "code\xEF\xBF\xBD");
}

namespace {

/** A connect _result as a server sends it, through the classifier (bytes in, event out). */
CommandResultEvent connectResult(std::optional<amf0::Value> inProperties, std::optional<amf0::Value> inInfo)
{
	Command c;
	c.name = "_result";
	c.transactionId = 1;
	c.commandObject = amf0::Value::makeObject({{"fmsVer", amf0::Value::makeString("FMS/3,5,7,7009")}});
	if (inProperties)
		c.commandObject.set("capsEx", *inProperties);
	amf0::Value info =
		amf0::Value::makeObject({{"code", amf0::Value::makeString("NetConnection.Connect.Success")}});
	if (inInfo)
		info.set("capsEx", *inInfo);
	c.arguments = {info};
	ServerEventClassifier classifier;
	auto e = classifier.classify(makeCommandMessage(c, 0, 3));
	auto *r = e ? std::get_if<CommandResultEvent>(&*e) : nullptr;
	return r ? *r : CommandResultEvent{};
}

} // namespace

TEST(ServerEventClassifier, TheServersCapsExEchoIsReadFromPropertiesOrInfoAndOnlyWhenValid)
{
	using V = amf0::Value;
	EXPECT_EQ(connectResult(std::nullopt, std::nullopt).capsEx(), std::nullopt); // nginx-rtmp, OBS 29 peers
	EXPECT_EQ(connectResult(V::makeNumber(1), std::nullopt).capsEx(), 1u);       // E-RTMP v2: properties
	EXPECT_EQ(connectResult(std::nullopt, V::makeNumber(15)).capsEx(), 15u);     // in the info object
	EXPECT_EQ(connectResult(V::makeNumber(0), V::makeNumber(1)).capsEx(), 0u);   // properties first
	EXPECT_EQ(connectResult(V::makeNumber(CommandResultEvent::kMaxCapsEx), std::nullopt).capsEx(),
		  CommandResultEvent::kMaxCapsEx);
	// Untrusted bytes: anything but a small non-negative integer is "not shown", never a guess.
	for (const V &bad : {V::makeString("1"), V::makeBoolean(true), V::makeNumber(-1), V::makeNumber(0.5),
			     V::makeNumber(1e300), V::makeNumber(std::numeric_limits<double>::quiet_NaN()),
			     V::makeNumber(std::numeric_limits<double>::infinity()),
			     V::makeNumber(CommandResultEvent::kMaxCapsEx + 1.0), V::makeNull()})
		EXPECT_EQ(connectResult(bad, std::nullopt).capsEx(), std::nullopt);
}
