#include "HostileProfile.hpp"

#include "plugin/rtmp/ChunkWriter.hpp"
#include "plugin/rtmp/Command.hpp"

#include <cmath>
#include <limits>

namespace goaway::ingest {

namespace {

using amf0::Value;
using rtmp::Command;
using rtmp::Message;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
// The connect transaction id every client uses (RTMP spec 7.2.1.1); the mistyped results are
// sent for it and for ids nobody asked for.
constexpr double kConnectTransactionId = 1;

void appendU16(std::vector<uint8_t> &out, uint16_t v)
{
	out.push_back(static_cast<uint8_t>(v >> 8));
	out.push_back(static_cast<uint8_t>(v));
}

void appendU32(std::vector<uint8_t> &out, uint32_t v)
{
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<uint8_t>(v >> shift));
}

Message command(const std::string &name, double transactionId, Value commandObject, std::vector<Value> args,
		uint32_t streamId = 0)
{
	return rtmp::makeCommandMessage(Command{name, transactionId, std::move(commandObject), std::move(args)},
					streamId);
}

} // namespace

const std::vector<HostileProfileInfo> &hostileProfiles()
{
	using E = HostileExpectation;
	static const std::vector<HostileProfileInfo> profiles = {
		{HostileProfile::HandshakeTrickle, "handshake-trickle", "handshake", E::Stop},
		{HostileProfile::HandshakeGarbage, "handshake-garbage", "handshake", E::Either},
		{HostileProfile::ConnectResultMistyped, "connect-result-mistyped", "connect", E::Either},
		{HostileProfile::ConnectErrorUtf8, "connect-error-utf8", "connect", E::Stop},
		{HostileProfile::CreateStreamBad, "createstream-bad", "createStream", E::Either},
		{HostileProfile::PublishStatusUtf8, "publish-status-utf8", "publish", E::RideThrough},
		{HostileProfile::MistypedOnStatus, "mistyped-onstatus", "publish", E::RideThrough},
		{HostileProfile::MidstreamUtf8, "midstream-utf8", "mid-stream", E::RideThrough},
		{HostileProfile::FloodControl, "flood-control", "mid-stream", E::RideThrough},
		{HostileProfile::HugeLength, "huge-length", "mid-stream", E::Either},
		{HostileProfile::DeepAmf, "deep-amf", "mid-stream", E::Either},
		{HostileProfile::GoAwayThenGarbage, "goaway-then-garbage", "handoff", E::RideThrough},
		{HostileProfile::StallMidStream, "stall-mid-stream", "mid-stream", E::RideThrough},
	};
	return profiles;
}

const HostileProfileInfo &hostileProfileInfo(HostileProfile profile)
{
	for (const auto &p : hostileProfiles())
		if (p.profile == profile)
			return p;
	return hostileProfiles().front(); // unreachable: every enumerator is listed
}

std::optional<HostileProfile> parseHostileProfile(const std::string &name)
{
	for (const auto &p : hostileProfiles())
		if (name == p.name)
			return p.profile;
	return std::nullopt;
}

const char *hostileExpectationName(HostileExpectation expectation)
{
	switch (expectation) {
	case HostileExpectation::RideThrough:
		return "ride-through";
	case HostileExpectation::Stop:
		return "stop";
	case HostileExpectation::Either:
		return "either";
	}
	return "either";
}

namespace hostile {

std::string invalidUtf8Text(size_t size)
{
	// Each piece is invalid on its own or a control character a log or a JSON writer must escape:
	// 0xFF 0xFE (never in UTF-8), a lone continuation byte, an overlong '/', a UTF-16 surrogate
	// (U+D800), a 4-byte lead with its sequence cut short, NUL, ESC, CR LF, BEL, DEL, C1 0x85.
	static const std::string pattern("\xFF\xFE"
					 "bad "
					 "\x80"
					 "\xC0\xAF"
					 "\xED\xA0\x80"
					 "\xF0\x9F"
					 " "
					 "\x00\x1B[31m\r\n\x07\x7F"
					 "\xC2\x85",
					 2 + 4 + 1 + 2 + 3 + 2 + 1 + 10 + 2);
	std::string out;
	out.reserve(size);
	while (out.size() < size)
		out.append(pattern, 0, std::min(pattern.size(), size - out.size()));
	return out;
}

std::vector<uint8_t> deepAmfObject(size_t depth)
{
	std::vector<uint8_t> out;
	out.reserve(depth * 7 + 1);
	for (size_t i = 0; i < depth; ++i) {
		out.push_back(static_cast<uint8_t>(amf0::Marker::Object));
		appendU16(out, 1);
		out.push_back('a');
	}
	out.push_back(static_cast<uint8_t>(amf0::Marker::Null));
	for (size_t i = 0; i < depth; ++i) {
		appendU16(out, 0);
		out.push_back(static_cast<uint8_t>(amf0::Marker::ObjectEnd));
	}
	return out;
}

std::vector<uint8_t> deepAmfStrictArray(size_t depth)
{
	std::vector<uint8_t> out;
	out.reserve(depth * 5 + 1);
	for (size_t i = 0; i < depth; ++i) {
		out.push_back(static_cast<uint8_t>(amf0::Marker::StrictArray));
		appendU32(out, 1);
	}
	out.push_back(static_cast<uint8_t>(amf0::Marker::Null));
	return out;
}

Message rawCommand(std::vector<uint8_t> body, uint32_t streamId)
{
	Message m;
	m.type = static_cast<uint8_t>(rtmp::MessageType::CommandAmf0);
	m.chunkStreamId = rtmp::chunk_stream::kCommand;
	m.streamId = streamId;
	m.payload = std::move(body);
	return m;
}

std::vector<Message> mistypedConnectResults()
{
	std::vector<Message> out;
	// Transaction ids no client can have asked for, with the properties / info swapped for other types.
	out.push_back(command("_result", kNaN, Value::makeString("garbage"), {Value::makeNumber(42)}));
	out.push_back(command("_result", -1, Value::makeNull(), {Value::makeString("NetConnection.Connect.Success")}));
	out.push_back(command("_result", kInf, Value::makeNumber(kNaN),
			      {Value::makeObject({{"level", Value::makeBoolean(true)},
						  {"code", Value::makeNumber(1e308)},
						  {"description", Value::makeNumber(-kInf)}})}));
	out.push_back(command("_result", 1e308, Value::makeStrictArray({Value::makeNull()}), {}));
	out.push_back(command("_result", -kInf, Value::makeNull(), {Value::makeNumber(kNaN)}));
	// The connect id itself with a result whose info is a number and whose code is missing: a
	// client that takes it for success must still not crash; the real _result follows.
	std::vector<uint8_t> body =
		amf0::encodeAll({Value::makeString("_result"), Value::makeNumber(kConnectTransactionId),
				 Value::makeBoolean(false), Value::makeNumber(kNaN)});
	out.push_back(rawCommand(std::move(body)));
	// Broken AMF: a string announcing 65535 bytes that has 3.
	out.push_back(rawCommand({0x02, 0x00, 0x07, '_', 'r', 'e', 's',  'u',  'l',  't', 0x00, 0x3F, 0xF0,
				  0,    0,    0,    0,   0,   0,   0x02, 0xFF, 0xFF, 'a', 'b',  'c'}));
	return out;
}

std::vector<Message> badCreateStreamResults(double transactionId)
{
	std::vector<Message> out;
	out.push_back(command("_result", transactionId, Value::makeNull(), {Value::makeNumber(kNaN)}));
	out.push_back(command("_result", transactionId, Value::makeNull(), {Value::makeString("1")}));
	out.push_back(command("_result", transactionId, Value::makeNull(), {Value::makeNumber(-1)}));
	out.push_back(command("_result", transactionId, Value::makeNull(), {Value::makeNumber(1e300)}));
	out.push_back(command("_result", transactionId, Value::makeNull(), {}));
	return out;
}

std::vector<Message> mistypedStatuses(uint32_t streamId)
{
	std::vector<Message> out;
	out.push_back(command("onStatus", 0, Value::makeNull(), {Value::makeNumber(42)}, streamId));
	out.push_back(command("onStatus", 0, Value::makeNull(),
			      {Value::makeObject({{"level", Value::makeBoolean(true)},
						  {"code", Value::makeNumber(7)},
						  {"description", Value::makeNull()}})},
			      streamId));
	out.push_back(
		command("onStatus", 0, Value::makeNull(), {Value::makeString("NetStream.Publish.Start")}, streamId));
	out.push_back(command("onStatus", kNaN, Value::makeNull(), {}, streamId));
	out.push_back(command("onStatus", 0, Value::makeNull(),
			      {Value::makeStrictArray({Value::makeString("NetStream.Publish.Start")})}, streamId));
	out.push_back(command("onStatus", 0, Value::makeNull(),
			      {Value::makeObject({{"level", Value::makeString("status")},
						  {"code", Value::makeObject({{"code", Value::makeString("x")}})},
						  {"description", Value::makeStrictArray()}})},
			      streamId));
	// No AMF at all after the name.
	out.push_back(rawCommand(amf0::encode(Value::makeString("onStatus")), streamId));
	return out;
}

std::vector<uint8_t> garbageAfterConnect(uint32_t chunkSize)
{
	std::vector<uint8_t> out;
	rtmp::ChunkWriter writer;
	writer.setChunkSize(chunkSize);
	// Window Ack Size with a 1-byte body (it needs 4).
	Message shortAck;
	shortAck.type = static_cast<uint8_t>(rtmp::MessageType::WindowAckSize);
	shortAck.chunkStreamId = rtmp::chunk_stream::kProtocolControl;
	shortAck.payload = {0x01};
	writer.write(shortAck, out);
	// A _result for connect whose body is broken AMF (an unknown marker 0x11 mid-way).
	writer.write(rawCommand({0x02, 0x00, 0x07, '_', 'r', 'e', 's', 'u',  'l',  't',  0x00, 0x3F,
				 0xF0, 0,    0,    0,   0,   0,   0,   0x11, 0xDE, 0xAD, 0xBE, 0xEF}),
		     out);
	// A type-3 (continuation) chunk on a chunk stream that never had a header.
	out.push_back(0xC0 | 21);
	out.insert(out.end(), 64, 0xEE);
	return out;
}

std::vector<uint8_t> hugeLengthChunks(uint32_t announcedLength, size_t bodyBytes, uint32_t chunkSize)
{
	std::vector<uint8_t> out;
	out.reserve(bodyBytes + bodyBytes / chunkSize + 16);
	out.push_back(static_cast<uint8_t>(kHugeChunkStreamId)); // fmt 0
	out.insert(out.end(), {0, 0, 0});                        // timestamp
	out.push_back(static_cast<uint8_t>(announcedLength >> 16));
	out.push_back(static_cast<uint8_t>(announcedLength >> 8));
	out.push_back(static_cast<uint8_t>(announcedLength));
	out.push_back(static_cast<uint8_t>(rtmp::MessageType::CommandAmf0));
	out.insert(out.end(), {0, 0, 0, 0}); // message stream id 0 (little endian)
	for (size_t sent = 0; sent < bodyBytes;) {
		if (sent > 0)
			out.push_back(0xC0 | static_cast<uint8_t>(kHugeChunkStreamId));
		const size_t n = std::min<size_t>(chunkSize, bodyBytes - sent);
		// A long string marker first, so a client that starts parsing early sees a plausible body.
		for (size_t i = 0; i < n; ++i)
			out.push_back(sent + i == 0 ? 0x0C : static_cast<uint8_t>('A' + (sent + i) % 26));
		sent += n;
	}
	return out;
}

} // namespace hostile

} // namespace goaway::ingest
