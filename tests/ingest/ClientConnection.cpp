#include "ClientConnection.hpp"

#include "StreamName.hpp"
#include "plugin/common/Log.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace goaway::ingest {

namespace {

using rtmp::Command;
using rtmp::Message;
using rtmp::MessageType;
using amf0::Value;

// Window acknowledgement size and peer bandwidth announced after connect: the values FMS, nginx-rtmp
// and most ingests send; clients acknowledge every 2.5 MB.
constexpr uint32_t kWindowAckSize = 2500000;
constexpr uint8_t kPeerBandwidthDynamic = 2; // RTMP spec 5.4.5 limit type "dynamic"
// Largest read per readable event: keeps one busy publisher from starving the others in the loop.
constexpr size_t kMaxReadPerEvent = 256 * 1024;
// read-rate=: the bucket holds at most this much time's worth of reading (a burst no larger than a
// receive buffer turn), and an empty bucket pauses reading this long before the next look.
constexpr int64_t kReadRateBurstMs = 50;
constexpr int64_t kReadRatePauseMs = 10;
// read-rate=: the node's receive buffer, small so that what it cannot read backs up to the
// client within a fraction of a second instead of filling the kernel's autotuned megabytes.
constexpr int kReadRateReceiveBuffer = 64 * 1024;
// Stream id handed out by createStream (every client publishes one stream per connection).
constexpr double kFirstStreamId = 1;

const char *amfTypeName(const Value &v)
{
	if (v.isBoolean())
		return "boolean";
	if (v.isNumber())
		return "number";
	if (v.isString())
		return "string";
	if (v.isObject())
		return "object";
	return "null";
}

bool truthy(const Value &v)
{
	if (v.isBoolean())
		return v.boolean;
	if (v.isNumber())
		return v.number != 0;
	if (v.isString())
		return v.string == "true" || v.string == "1";
	return false;
}

} // namespace

ClientConnection::ClientConnection(int fd, ConnectionRecord record, const NodeOptions &node, const Options &options,
				   ConnectionEvents &events, HostileNodeState &hostileState)
	: fd_(fd),
	  record_(std::move(record)),
	  node_(node),
	  options_(options),
	  events_(events),
	  demuxer_(options.maxIncomingChunkSize),
	  hostileState_(hostileState)
{
	garbageConnection_ = hostile(HostileProfile::GoAwayThenGarbage) && hostileState_.goAwaySent;
	if (node_.readRateKbps > 0)
		::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &kReadRateReceiveBuffer, sizeof(kReadRateReceiveBuffer));
	if (node_.refuse)
		finish("refused (node fault)", record_.acceptedAtMs);
}

ClientConnection::~ClientConnection()
{
	if (fd_ >= 0)
		::close(fd_);
}

std::string ClientConnection::where() const
{
	return "connection " + std::to_string(record_.id) + " on " + record_.node;
}

short ClientConnection::pollEvents() const
{
	if (closed())
		return 0;
	if (stalled_ || faultStalled_)
		return 0; // stall-mid-stream / stall-after: neither read nor write (poll still reports a hang-up)
	if (node_.hang)
		return POLLRDHUP; // never read: only notice the peer going away
	short events = 0;
	if ((inbound_.empty() || !inbound_.back().eof) && readResumeAtMs_ < 0)
		events |= POLLIN;
	if (!outBuffer_.empty())
		events |= POLLOUT;
	return events;
}

int64_t ClientConnection::nextDeadline() const
{
	if (faultStalled_)
		return stallResetAtMs_; // nothing else moves while stalled (latency queues included)
	int64_t next = -1;
	if (!inbound_.empty())
		next = inbound_.front().dueMs;
	if (!outbound_.empty() && (next < 0 || outbound_.front().dueMs < next))
		next = outbound_.front().dueMs;
	for (int64_t t : {midStreamAtMs_, floodNextMs_, stalled_ ? stallUntilMs_ : int64_t(-1), closeAtMs_, stallAtMs_,
			  readResumeAtMs_})
		if (t >= 0 && (next < 0 || t < next))
			next = t;
	return next;
}

size_t ClientConnection::readAllowance(int64_t nowMs)
{
	if (node_.readRateKbps <= 0)
		return SIZE_MAX;
	const int64_t bytesPerSecond = int64_t(node_.readRateKbps) * 1000 / 8;
	const int64_t burst = std::max<int64_t>(bytesPerSecond * kReadRateBurstMs / 1000, 1);
	if (readBudgetAtMs_ < 0)
		readBudget_ = burst;
	else
		readBudget_ = std::min(burst, readBudget_ + (nowMs - readBudgetAtMs_) * bytesPerSecond / 1000);
	readBudgetAtMs_ = nowMs;
	return readBudget_ > 0 ? static_cast<size_t>(readBudget_) : 0;
}

void ClientConnection::onReadable(int64_t nowMs)
{
	uint8_t buffer[65536];
	size_t total = 0;
	while (!closed() && !faultStalled_ && total < kMaxReadPerEvent) {
		const size_t allowed = std::min(sizeof(buffer), readAllowance(nowMs));
		if (allowed == 0) {
			readResumeAtMs_ = nowMs + kReadRatePauseMs; // tick() resumes reading then
			break;
		}
		const ssize_t n = ::recv(fd_, buffer, allowed, 0);
		if (n > 0) {
			total += static_cast<size_t>(n);
			if (node_.readRateKbps > 0)
				readBudget_ -= n;
			if (node_.latencyMs > 0)
				inbound_.push_back(
					{nowMs + node_.latencyMs, std::vector<uint8_t>(buffer, buffer + n), false});
			else
				process(std::span<const uint8_t>(buffer, static_cast<size_t>(n)), nowMs);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			break;
		if (n < 0)
			GOAWAY_LOG_INFO("ClientConnection::onReadable", "%s: read failed: %s", where().c_str(),
					std::strerror(errno));
		GOAWAY_LOG_DEBUG("%s: end of stream from the client", where().c_str());
		if (node_.latencyMs > 0)
			inbound_.push_back({nowMs + node_.latencyMs, {}, true});
		else
			finish("client closed", nowMs);
		break;
	}
}

void ClientConnection::onWritable(int64_t nowMs)
{
	if (closed())
		return;
	while (!outBuffer_.empty()) {
		const ssize_t n = ::send(fd_, outBuffer_.data(), outBuffer_.size(), MSG_NOSIGNAL);
		if (n > 0) {
			outBuffer_.erase(outBuffer_.begin(), outBuffer_.begin() + n);
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		GOAWAY_LOG_INFO("ClientConnection::onWritable", "%s: write failed: %s", where().c_str(),
				std::strerror(errno));
		finish("client closed", nowMs);
		return;
	}
	if (closeAfterFlush_ && outbound_.empty())
		finish(closeAfterFlushReason_, nowMs);
}

void ClientConnection::onHangup(int64_t nowMs)
{
	if (node_.hang || faultStalled_) {
		finish("client closed", nowMs); // without reading: a stalled node reads nothing
		return;
	}
	onReadable(nowMs); // reads what is left, then sees the end of the stream
}

void ClientConnection::tick(int64_t nowMs)
{
	if (faultStalled_) {
		if (stallResetAtMs_ >= 0 && nowMs >= stallResetAtMs_)
			resetByServer("stall-hold", nowMs);
		return; // stalled: bytes in flight (latency queues) stay where they are
	}
	if (!closed() && stallAtMs_ >= 0 && nowMs >= stallAtMs_) {
		stallAtMs_ = -1;
		if (faultAllowed()) {
			stallByServer("stall-after", nowMs);
			return;
		}
	}
	if (readResumeAtMs_ >= 0 && nowMs >= readResumeAtMs_)
		readResumeAtMs_ = -1; // read-rate=: the bucket has refilled; poll for input again
	hostileTick(nowMs);
	while (!closed() && !outbound_.empty() && outbound_.front().dueMs <= nowMs) {
		outBuffer_.insert(outBuffer_.end(), outbound_.front().bytes.begin(), outbound_.front().bytes.end());
		outbound_.pop_front();
	}
	if (!closed() && !outBuffer_.empty())
		onWritable(nowMs);
	while (!closed() && !inbound_.empty() && inbound_.front().dueMs <= nowMs) {
		Delayed d = std::move(inbound_.front());
		inbound_.pop_front();
		if (d.eof)
			finish("client closed", nowMs);
		else
			process(d.bytes, nowMs);
	}
}

void ClientConnection::process(std::span<const uint8_t> bytes, int64_t nowMs)
{
	if (!handshake_.done()) {
		std::vector<uint8_t> reply;
		auto used = handshake_.feed(bytes, reply);
		if (!used) {
			protocolError(used.error().message, nowMs);
			return;
		}
		record_.bytes += *used; // read by the node (after the emulated latency)
		if (!reply.empty())
			hostileHandshakeReply(std::move(reply), nowMs);
		bytes = bytes.subspan(*used);
		if (bytes.empty() || closed())
			return;
	}
	feedChunks(bytes, nowMs);
}

void ClientConnection::feedChunks(std::span<const uint8_t> bytes, int64_t nowMs)
{
	// RTMP spec 5.4.4: acknowledge each window's worth of bytes read (ack=on). The bytes are fed
	// to the demuxer up to each window boundary, so every Acknowledgement goes out once the node
	// has read (and handled) exactly that much: its sequence number is the count of chunk-stream
	// bytes read so far (the handshake not included, as nginx-rtmp counts), a multiple of the
	// window while the window stays the same.
	while (!bytes.empty() && !closed() && !faultStalled_) {
		size_t take = bytes.size();
		if (peerWindowAckSize_ > 0) {
			const uint64_t boundary = lastAcknowledged_ + peerWindowAckSize_;
			if (boundary > demuxer_.bytesReceived())
				take = static_cast<size_t>(
					std::min<uint64_t>(take, boundary - demuxer_.bytesReceived()));
		}
		scratch_.clear();
		record_.bytes += take;
		auto fed = demuxer_.feed(bytes.first(take), scratch_);
		bytes = bytes.subspan(take);
		std::vector<Message> messages = std::move(scratch_);
		scratch_ = {};
		for (const Message &m : messages) {
			if (closed() || faultStalled_)
				return;
			handleMessage(m, nowMs);
		}
		if (!fed) {
			protocolError(fed.error().message, nowMs);
			return;
		}
		if (peerWindowAckSize_ > 0 && demuxer_.bytesReceived() - lastAcknowledged_ >= peerWindowAckSize_) {
			lastAcknowledged_ = demuxer_.bytesReceived();
			// The 4-byte sequence number wraps around (RTMP spec 5.4.3).
			send(rtmp::ChunkWriter::acknowledgementMessage(static_cast<uint32_t>(lastAcknowledged_)),
			     nowMs);
			++record_.acknowledgements;
			record_.lastAckSequence = lastAcknowledged_;
		}
	}
}

void ClientConnection::handleMessage(const Message &message, int64_t nowMs)
{
	const uint8_t *p = message.payload.data();
	const size_t n = message.payload.size();
	switch (message.messageType()) {
	case MessageType::UserControl:
		// Ping request (RTMP spec 7.1.7 event 6): answer with the same 4-byte value.
		if (n >= 6 && p[0] == 0 && p[1] == static_cast<uint8_t>(rtmp::UserControlEvent::PingRequest)) {
			const uint32_t value = (uint32_t(p[2]) << 24) | (uint32_t(p[3]) << 16) | (uint32_t(p[4]) << 8) |
					       p[5];
			send(rtmp::ChunkWriter::userControlMessage(rtmp::UserControlEvent::PingResponse, value), nowMs);
		}
		return;
	case MessageType::WindowAckSize:
		if (n >= 4) {
			record_.windowAckSize = (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) |
						(uint32_t(p[2]) << 8) | p[3];
			// ack=off: a server that ignores the window and never acknowledges.
			peerWindowAckSize_ = node_.ack ? record_.windowAckSize : 0;
		}
		return;
	case MessageType::CommandAmf0:
	case MessageType::CommandAmf3:
		handleCommand(message, nowMs);
		return;
	case MessageType::DataAmf0:
	case MessageType::DataAmf3:
		handleData(message, nowMs);
		return;
	case MessageType::Audio:
	case MessageType::Video:
		handleMedia(message, nowMs);
		return;
	case MessageType::Aggregate:
		GOAWAY_LOG_WARN("ClientConnection::handleMessage", "%s: aggregate message ignored", where().c_str());
		return;
	default:
		// Set Chunk Size and Abort are applied by the demuxer; acknowledgements need nothing.
		return;
	}
}

void ClientConnection::handleCommand(const Message &message, int64_t nowMs)
{
	auto parsed = rtmp::parseCommand(message);
	if (!parsed) {
		protocolError("broken AMF in a command: " + parsed.error().message, nowMs);
		return;
	}
	const Command &c = *parsed;
	GOAWAY_LOG_DEBUG("%s: command %s (transaction %.0f)", where().c_str(), c.name.c_str(), c.transactionId);
	auto result = [&](Value value) {
		Command r{"_result", c.transactionId, Value::makeNull(), {std::move(value)}};
		send(rtmp::makeCommandMessage(r, message.streamId), nowMs);
	};
	if (c.name == "connect") {
		handleConnect(c, nowMs);
	} else if (c.name == "createStream" && hostile(HostileProfile::CreateStreamBad)) {
		GOAWAY_LOG_INFO("ClientConnection::handleCommand",
				"%s: hostile createstream-bad: NaN / string / "
				"negative stream ids",
				where().c_str());
		for (const Message &m : hostile::badCreateStreamResults(c.transactionId))
			send(m, nowMs);
	} else if (c.name == "releaseStream" || c.name == "FCPublish") {
		if (c.transactionId != 0) {
			Value undefined;
			undefined.type = amf0::Marker::Undefined;
			result(undefined);
		}
	} else if (c.name == "createStream") {
		result(Value::makeNumber(kFirstStreamId));
	} else if (c.name == "publish") {
		handlePublish(c, message, nowMs);
	} else if (c.name == "FCUnpublish") {
		record_.fcUnpublish = true;
	} else if (c.name == "deleteStream") {
		record_.deleteStream = true;
	} else if (c.name == "closeStream" || c.name == "_result" || c.name == "_error" || c.name == "onStatus" ||
		   c.name == "_checkbw") {
		// Nothing to answer.
	} else if (c.transactionId != 0) {
		Command e{"_error",
			  c.transactionId,
			  Value::makeNull(),
			  {Value::makeObject(
				  {{"level", Value::makeString("error")},
				   {"code", Value::makeString("NetConnection.Call.Failed")},
				   {"description", Value::makeString("Method not found (" + c.name + ").")}})}};
		send(rtmp::makeCommandMessage(e, message.streamId), nowMs);
	}
}

void ClientConnection::handleConnect(const Command &c, int64_t nowMs)
{
	const Value &o = c.commandObject;
	if (!o.isObject()) {
		protocolError("connect without a command object", nowMs);
		return;
	}
	record_.connectReceived = true;
	record_.app = o.getString("app");
	record_.flashVer = o.getString("flashVer");
	record_.tcUrl = o.getString("tcUrl");
	if (const Value *v = o.get("supportsGoAway")) {
		record_.supportsGoAwayType = amfTypeName(*v);
		record_.supportsGoAway = truthy(*v);
	}
	// Only values an integer holds: the report and the signal logic cast it (found by tests/fuzz).
	if (const Value *v = o.get("capsEx"); v && v->isNumber() && std::fabs(v->number) < 9.0e15)
		record_.capsEx = v->number;
	if (const Value *v = o.get("fourCcList"); v && v->type == amf0::Marker::StrictArray) {
		std::vector<std::string> list;
		for (const Value &item : v->items)
			list.push_back(item.isString() ? item.string : std::string("?"));
		record_.fourCcList = std::move(list);
	}
	GOAWAY_LOG_INFO("ClientConnection::handleConnect", "%s: connect app=%s supportsGoAway=%s capsEx=%s",
			where().c_str(), record_.app.c_str(),
			record_.supportsGoAwayType.empty() ? "absent" : (record_.supportsGoAway ? "yes" : "no"),
			record_.capsEx ? std::to_string(static_cast<long long>(*record_.capsEx)).c_str() : "absent");
	if (garbageConnection_) {
		GOAWAY_LOG_INFO("ClientConnection::handleConnect", "%s: hostile goaway-then-garbage: garbage answer",
				where().c_str());
		sendBytes(hostile::garbageAfterConnect(writer_.chunkSize()), nowMs);
		lingerThenClose("hostile goaway-then-garbage", nowMs);
		return;
	}

	send(rtmp::ChunkWriter::windowAckSizeMessage(kWindowAckSize), nowMs);
	send(rtmp::ChunkWriter::setPeerBandwidthMessage(kWindowAckSize, kPeerBandwidthDynamic), nowMs);
	send(rtmp::ChunkWriter::setChunkSizeMessage(options_.chunkSize), nowMs);
	writer_.setChunkSize(options_.chunkSize);
	if (hostile(HostileProfile::ConnectErrorUtf8)) {
		Command e{"_error",
			  c.transactionId,
			  Value::makeNull(),
			  {Value::makeObject({{"level", Value::makeString("error")},
					      {"code", Value::makeString("NetConnection.Connect.Rejected")},
					      {"description", Value::makeString(hostile::invalidUtf8Text(
								      hostile::kConnectErrorDescriptionBytes))}})}};
		send(rtmp::makeCommandMessage(e), nowMs);
		GOAWAY_LOG_INFO("ClientConnection::handleConnect", "%s: hostile connect-error-utf8: _error sent",
				where().c_str());
		lingerThenClose("hostile connect-error-utf8", nowMs);
		return;
	}
	if (hostile(HostileProfile::ConnectResultMistyped)) {
		GOAWAY_LOG_INFO("ClientConnection::handleConnect", "%s: hostile connect-result-mistyped",
				where().c_str());
		for (const Message &m : hostile::mistypedConnectResults())
			send(m, nowMs);
	}

	Value properties = Value::makeObject({{"fmsVer", Value::makeString("FMS/3,5,7,7009")},
					      {"capabilities", Value::makeNumber(31)},
					      {"mode", Value::makeNumber(1)}});
	// E-RTMP v2: the server echoes capsEx in its _result.
	if (record_.capsEx)
		properties.set("capsEx", Value::makeNumber(*record_.capsEx));
	const Value *encoding = o.get("objectEncoding");
	Value info = Value::makeObject(
		{{"level", Value::makeString("status")},
		 {"code", Value::makeString("NetConnection.Connect.Success")},
		 {"description", Value::makeString("Connection succeeded.")},
		 {"objectEncoding", Value::makeNumber(encoding && encoding->isNumber() ? encoding->number : 0)}});
	Command r{"_result", c.transactionId, std::move(properties), {std::move(info)}};
	send(rtmp::makeCommandMessage(r), nowMs);
}

void ClientConnection::handlePublish(const Command &c, const Message &message, int64_t nowMs)
{
	if (!record_.connectReceived) {
		protocolError("publish before connect", nowMs);
		return;
	}
	if (c.arguments.empty() || !c.arguments[0].isString()) {
		protocolError("publish without a stream name", nowMs);
		return;
	}
	if (record_.publishedAtMs) {
		GOAWAY_LOG_WARN("ClientConnection::handlePublish", "%s: second publish on one connection ignored",
				where().c_str());
		return;
	}
	const std::string name = StreamName::strip(c.arguments[0].string);
	const uint32_t streamId = message.streamId;
	std::string rejection = node_.rejectPublish ? std::string("reject-publish fault")
						    : events_.onPublishRequest(*this, name);
	if (!rejection.empty()) {
		GOAWAY_LOG_INFO("ClientConnection::handlePublish", "%s: publish of %s rejected: %s", where().c_str(),
				StreamName::redact(name).c_str(), rejection.c_str());
		sendStatus(streamId, "error", "NetStream.Publish.BadName", rejection, nowMs);
		closeAfterFlush_ = true;
		closeAfterFlushReason_ = "publish rejected: " + rejection;
		if (outBuffer_.empty() && outbound_.empty())
			finish(closeAfterFlushReason_, nowMs);
		return;
	}
	record_.stream = name;
	record_.publishedAtMs = nowMs;
	publishStreamId_ = streamId;
	if (node_.dropMidGopMs >= 0)
		dropArmedAtMs_ = nowMs + node_.dropMidGopMs;
	if (node_.resetAfterMs >= 0)
		resetArmedAtMs_ = nowMs + node_.resetAfterMs;
	if (node_.stallAfterMs >= 0)
		stallAtMs_ = nowMs + node_.stallAfterMs;
	if (hostile(HostileProfile::MistypedOnStatus)) {
		GOAWAY_LOG_INFO("ClientConnection::handlePublish", "%s: hostile mistyped-onstatus", where().c_str());
		for (const Message &m : hostile::mistypedStatuses(streamId))
			send(m, nowMs);
	}
	send(rtmp::ChunkWriter::userControlMessage(rtmp::UserControlEvent::StreamBegin, streamId), nowMs);
	if (hostile(HostileProfile::PublishStatusUtf8)) {
		Command s{"onStatus",
			  0,
			  Value::makeNull(),
			  {Value::makeObject({{"level", Value::makeString("status")},
					      {"code", Value::makeString("NetStream.Publish.Start")},
					      {"description", Value::makeString(hostile::invalidUtf8Text(
								      hostile::kStatusDescriptionBytes))},
					      {"details", Value::makeString(hostile::invalidUtf8Text(256))},
					      {"clientid", Value::makeString(hostile::invalidUtf8Text(16))}})}};
		send(rtmp::makeCommandMessage(s, streamId, rtmp::chunk_stream::kData), nowMs);
		GOAWAY_LOG_INFO("ClientConnection::handlePublish", "%s: hostile publish-status-utf8", where().c_str());
	} else {
		sendStatus(streamId, "status", "NetStream.Publish.Start", "Stream is now published.", nowMs);
	}
	for (HostileProfile p : {HostileProfile::MidstreamUtf8, HostileProfile::HugeLength, HostileProfile::DeepAmf,
				 HostileProfile::GoAwayThenGarbage, HostileProfile::StallMidStream})
		if (hostile(p))
			midStreamAtMs_ = nowMs + hostile::kMidStreamDelayMs;
	if (hostile(HostileProfile::FloodControl)) {
		floodNextMs_ = nowMs + hostile::kFloodDelayMs;
		floodUntilMs_ = floodNextMs_ + hostile::kFloodDurationMs;
	}
	GOAWAY_LOG_INFO("ClientConnection::handlePublish", "%s: publishing %s", where().c_str(),
			StreamName::redact(name).c_str());
	events_.onPublishStarted(*this, nowMs);
}

void ClientConnection::handleData(const Message &message, int64_t nowMs)
{
	auto values = rtmp::parseData(message);
	if (!values) {
		protocolError("broken AMF in a data message: " + values.error().message, nowMs);
		return;
	}
	std::vector<Value> &v = *values;
	if (!v.empty() && v[0].isString() && v[0].string == "@setDataFrame")
		v.erase(v.begin());
	if (v.empty() || !v[0].isString() || v[0].string != "onMetaData" || !publishing())
		return;
	if (!record_.sawVideoFrame && !record_.sawAudioFrame)
		record_.metadataFirst = true;
	events_.onMetadata(*this, message.timestamp, amf0::encodeAll(v), nowMs);
}

void ClientConnection::handleMedia(const Message &message, int64_t nowMs)
{
	if (!publishing())
		return;
	const bool video = message.messageType() == MessageType::Video;
	const MediaInfo info = MediaInfo::classify(video ? Track::Video : Track::Audio, message.payload);
	if (resetArmedAtMs_ >= 0 && nowMs >= resetArmedAtMs_ && video && info.frame && !info.keyframe) {
		resetArmedAtMs_ = -1;
		if (faultAllowed()) {
			resetByServer("reset-after", nowMs); // mid-GOP: this frame is not read
			return;
		}
	}
	if (dropArmedAtMs_ >= 0 && nowMs >= dropArmedAtMs_ && video && info.frame && !info.keyframe) {
		closeByServer("server drop mid-GOP (node fault)", false, nowMs);
		return;
	}
	if (info.sequenceHeader) {
		if (video && !record_.sawVideoFrame)
			record_.videoHeaderFirst = true;
		if (!video && !record_.sawAudioFrame)
			record_.audioHeaderFirst = true;
	} else if (info.frame) {
		if (video) {
			if (!record_.sawVideoFrame)
				record_.firstVideoKeyframe = info.keyframe;
			record_.sawVideoFrame = true;
			++record_.videoFrames;
			record_.keyframes += info.keyframe ? 1 : 0;
		} else {
			record_.sawAudioFrame = true;
			++record_.audioFrames;
		}
	}
	record_.lastMediaAtMs = nowMs;
	events_.onMedia(*this, message, info, nowMs);
}

void ClientConnection::send(const Message &message, int64_t nowMs)
{
	std::vector<uint8_t> bytes;
	writer_.write(message, bytes);
	sendBytes(std::move(bytes), nowMs);
}

void ClientConnection::sendBytes(std::vector<uint8_t> bytes, int64_t nowMs)
{
	if (closed() || faultStalled_)
		return; // stall-after: the node sends nothing (signals and answers included)
	if (stalled_) {
		// stall-mid-stream: nothing leaves before the stall ends (tick() then delivers it in order).
		outbound_.push_back({std::max(stallUntilMs_, nowMs + node_.latencyMs), std::move(bytes), false});
		return;
	}
	if (node_.latencyMs > 0) {
		outbound_.push_back({nowMs + node_.latencyMs, std::move(bytes), false});
		return;
	}
	outBuffer_.insert(outBuffer_.end(), bytes.begin(), bytes.end());
	onWritable(nowMs);
}

void ClientConnection::sendStatus(uint32_t streamId, const std::string &level, const std::string &code,
				  const std::string &description, int64_t nowMs)
{
	Command s{"onStatus",
		  0,
		  Value::makeNull(),
		  {Value::makeObject({{"level", Value::makeString(level)},
				      {"code", Value::makeString(code)},
				      {"description", Value::makeString(description)}})}};
	send(rtmp::makeCommandMessage(s, streamId, rtmp::chunk_stream::kData), nowMs);
}

void ClientConnection::sendGoAway(bool emptyBody, uint32_t chunkStreamId, int64_t nowMs)
{
	if (closed())
		return;
	Message m;
	m.type = static_cast<uint8_t>(MessageType::GoAway);
	m.chunkStreamId = chunkStreamId;
	if (!emptyBody)
		m.payload.assign(4, 0);
	send(m, nowMs);
	recordSignal("goaway", nowMs);
	GOAWAY_LOG_INFO("ClientConnection::sendGoAway", "%s: Go Away sent (%s body, chunk stream %u)", where().c_str(),
			emptyBody ? "empty" : "4-byte", chunkStreamId);
}

void ClientConnection::sendReconnectRequest(const std::optional<std::string> &tcUrl, int64_t nowMs)
{
	if (closed())
		return;
	Value info =
		Value::makeObject({{"level", Value::makeString("status")},
				   {"code", Value::makeString("NetConnection.Connect.ReconnectRequest")},
				   {"description", Value::makeString("The ingest asks the client to reconnect.")}});
	if (tcUrl)
		info.set("tcUrl", Value::makeString(*tcUrl));
	Command c{"onStatus", 0, Value::makeNull(), {std::move(info)}};
	send(rtmp::makeCommandMessage(c, 0), nowMs);
	recordSignal("reconnect", nowMs);
	GOAWAY_LOG_INFO("ClientConnection::sendReconnectRequest", "%s: ReconnectRequest sent (tcUrl %s)",
			where().c_str(), tcUrl ? tcUrl->c_str() : "absent");
}

void ClientConnection::closeByServer(const std::string &reason, bool asSignal, int64_t nowMs)
{
	if (closed())
		return;
	if (asSignal)
		recordSignal("close", nowMs);
	finish(reason, nowMs);
}

bool ClientConnection::faultAllowed() const
{
	return node_.faultLimit == 0 || hostileState_.faultsInjected < node_.faultLimit;
}

void ClientConnection::recordFault(const std::string &kind, const std::string &cause, int64_t nowMs)
{
	record_.faults.push_back({kind, cause, nowMs, record_.videoFrames, record_.audioFrames, record_.bytes});
	// A stall and the reset at the end of its stall-hold are one fault of the node's budget.
	if (cause != "stall-hold")
		++hostileState_.faultsInjected;
	GOAWAY_LOG_INFO("ClientConnection::recordFault",
			"%s: fault %s (%s) after %llu video / %llu audio frames, %llu bytes read", where().c_str(),
			kind.c_str(), cause.c_str(), static_cast<unsigned long long>(record_.videoFrames),
			static_cast<unsigned long long>(record_.audioFrames),
			static_cast<unsigned long long>(record_.bytes));
}

void ClientConnection::resetByServer(const std::string &cause, int64_t nowMs)
{
	if (closed())
		return;
	recordFault("reset", cause, nowMs);
	// SO_LINGER with a zero timeout: close() aborts the connection with a RST instead of a FIN.
	const linger abortOnClose{1, 0};
	if (::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abortOnClose, sizeof(abortOnClose)) != 0)
		GOAWAY_LOG_WARN("ClientConnection::resetByServer", "%s: SO_LINGER failed: %s", where().c_str(),
				std::strerror(errno));
	finish("server reset (node fault)", nowMs);
}

void ClientConnection::stallByServer(const std::string &cause, int64_t nowMs)
{
	if (closed() || faultStalled_)
		return;
	recordFault("stall", cause, nowMs);
	faultStalled_ = true;
	stallResetAtMs_ = node_.stallHoldMs >= 0 ? nowMs + node_.stallHoldMs : -1;
}

void ClientConnection::shutdown(int64_t nowMs)
{
	finish("ingest shutdown", nowMs);
}

bool ClientConnection::signalled(const std::string &kind) const
{
	for (const auto &s : record_.signalsSent)
		if (s.kind == kind)
			return true;
	return false;
}

void ClientConnection::recordSignal(const std::string &kind, int64_t nowMs)
{
	record_.signalsSent.push_back({kind, nowMs, record_.videoFrames + record_.audioFrames});
	if (kind != "close" && node_.dropAfterSignalMs >= 0)
		dropArmedAtMs_ = nowMs + node_.dropAfterSignalMs;
}

void ClientConnection::protocolError(const std::string &what, int64_t nowMs)
{
	GOAWAY_LOG_WARN("ClientConnection::protocolError", "%s: closing: %s", where().c_str(), what.c_str());
	finish("protocol error: " + what, nowMs);
}

void ClientConnection::finish(const std::string &reason, int64_t nowMs)
{
	if (fd_ < 0)
		return;
	::close(fd_);
	fd_ = -1;
	inbound_.clear();
	outbound_.clear();
	outBuffer_.clear();
	record_.closedAtMs = nowMs;
	if (record_.closeReason.empty())
		record_.closeReason = reason;
	GOAWAY_LOG_INFO("ClientConnection::finish", "%s closed: %s", where().c_str(), record_.closeReason.c_str());
}

} // namespace goaway::ingest

namespace goaway::ingest {

bool ClientConnection::hostile(HostileProfile profile) const
{
	return std::find(node_.hostile.begin(), node_.hostile.end(), profile) != node_.hostile.end();
}

void ClientConnection::hostileHandshakeReply(std::vector<uint8_t> reply, int64_t nowMs)
{
	if (hostile(HostileProfile::HandshakeTrickle)) {
		// One byte per interval, then the ingest gives up: a client without a handshake timeout
		// would otherwise wait for ever.
		const size_t n = std::min(reply.size(), hostile::kTrickleBytes);
		for (size_t i = 0; i < n; ++i)
			outbound_.push_back({nowMs + static_cast<int64_t>(i + 1) * hostile::kTrickleIntervalMs,
					     std::vector<uint8_t>{reply[i]}, false});
		closeAtMs_ = nowMs + static_cast<int64_t>(n + 1) * hostile::kTrickleIntervalMs;
		closeAtReason_ = "hostile handshake-trickle";
		GOAWAY_LOG_INFO("ClientConnection::hostileHandshakeReply", "%s: hostile handshake-trickle (%zu bytes)",
				where().c_str(), n);
		return;
	}
	if (hostile(HostileProfile::HandshakeGarbage)) {
		// Wrong version, S1 and S2 pseudo-random (so S2 does not echo C1); deterministic.
		reply[0] = hostile::kGarbageVersion;
		uint32_t x = 0x9E3779B9u;
		for (size_t i = 1; i < reply.size(); ++i) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			reply[i] = static_cast<uint8_t>(x);
		}
		GOAWAY_LOG_INFO("ClientConnection::hostileHandshakeReply", "%s: hostile handshake-garbage",
				where().c_str());
	}
	sendBytes(std::move(reply), nowMs);
}

void ClientConnection::hostileTick(int64_t nowMs)
{
	if (stalled_ && nowMs >= stallUntilMs_) {
		stalled_ = false;
		GOAWAY_LOG_INFO("ClientConnection::hostileTick", "%s: hostile stall-mid-stream over", where().c_str());
	}
	if (!closed() && midStreamAtMs_ >= 0 && nowMs >= midStreamAtMs_) {
		midStreamAtMs_ = -1;
		hostileMidStream(nowMs);
	}
	if (!closed() && floodNextMs_ >= 0 && nowMs >= floodNextMs_) {
		hostileFloodStep(nowMs);
		floodNextMs_ += hostile::kFloodStepMs;
		if (floodNextMs_ >= floodUntilMs_) {
			floodNextMs_ = -1;
			GOAWAY_LOG_INFO("ClientConnection::hostileTick", "%s: hostile flood-control over (%llu steps)",
					where().c_str(), static_cast<unsigned long long>(floodSteps_));
		}
	}
	if (!closed() && closeAtMs_ >= 0 && nowMs >= closeAtMs_) {
		closeAtMs_ = -1;
		finish(closeAtReason_, nowMs);
	}
}

void ClientConnection::hostileMidStream(int64_t nowMs)
{
	if (hostile(HostileProfile::MidstreamUtf8)) {
		Command status{"onStatus",
			       0,
			       Value::makeNull(),
			       {Value::makeObject({{"level", Value::makeString("status")},
						   {"code", Value::makeString("NetStream.Info.Notice")},
						   {"description", Value::makeString(hostile::invalidUtf8Text(
									   hostile::kStatusDescriptionBytes))}})}};
		send(rtmp::makeCommandMessage(status, publishStreamId_, rtmp::chunk_stream::kData), nowMs);
		Command reconnect{
			"onStatus",
			0,
			Value::makeNull(),
			{Value::makeObject({{"level", Value::makeString("status")},
					    {"code", Value::makeString("NetConnection.Connect.ReconnectRequest")},
					    {"description", Value::makeString(hostile::invalidUtf8Text(
								    hostile::kStatusDescriptionBytes))},
					    {"tcUrl", Value::makeString("rtmp://\xFF\xFE\x01\x1B[2J/live\r\n" +
									hostile::invalidUtf8Text(200))}})}};
		send(rtmp::makeCommandMessage(reconnect, 0), nowMs);
		recordSignal("reconnect", nowMs);
		GOAWAY_LOG_INFO("ClientConnection::hostileMidStream",
				"%s: hostile midstream-utf8: onStatus + ReconnectRequest with invalid UTF-8",
				where().c_str());
	}
	if (hostile(HostileProfile::HugeLength)) {
		sendBytes(hostile::hugeLengthChunks(hostile::kHugeAnnouncedLength, hostile::kHugeBodyBytesSent,
						    writer_.chunkSize()),
			  nowMs);
		GOAWAY_LOG_INFO("ClientConnection::hostileMidStream",
				"%s: hostile huge-length: %u bytes announced on chunk stream %u, %zu sent",
				where().c_str(), hostile::kHugeAnnouncedLength, hostile::kHugeChunkStreamId,
				hostile::kHugeBodyBytesSent);
	}
	if (hostile(HostileProfile::DeepAmf)) {
		const std::vector<uint8_t> head =
			amf0::encodeAll({Value::makeString("onStatus"), Value::makeNumber(0), Value::makeNull()});
		for (auto deep : {hostile::deepAmfObject(hostile::kDeepAmfDepth),
				  hostile::deepAmfStrictArray(hostile::kDeepAmfDepth)}) {
			std::vector<uint8_t> body = head;
			body.insert(body.end(), deep.begin(), deep.end());
			send(hostile::rawCommand(std::move(body), publishStreamId_), nowMs);
		}
		GOAWAY_LOG_INFO("ClientConnection::hostileMidStream", "%s: hostile deep-amf: depth %zu",
				where().c_str(), hostile::kDeepAmfDepth);
	}
	if (hostile(HostileProfile::GoAwayThenGarbage) && !garbageConnection_ && !hostileState_.goAwaySent) {
		hostileState_.goAwaySent = true;
		GOAWAY_LOG_INFO("ClientConnection::hostileMidStream", "%s: hostile goaway-then-garbage: Go Away",
				where().c_str());
		sendGoAway(false, options_.goAwayChunkStreamId, nowMs);
	}
	if (hostile(HostileProfile::StallMidStream)) {
		stalled_ = true;
		stallUntilMs_ = nowMs + hostile::kStallMs;
		GOAWAY_LOG_INFO("ClientConnection::hostileMidStream", "%s: hostile stall-mid-stream for %lld ms",
				where().c_str(), static_cast<long long>(hostile::kStallMs));
	}
}

void ClientConnection::sendCurrentChunkSize(uint32_t size, int64_t nowMs)
{
	send(rtmp::ChunkWriter::setChunkSizeMessage(size), nowMs);
	writer_.setChunkSize(size);
}

void ClientConnection::hostileFloodStep(int64_t nowMs)
{
	// RTMP spec 5.4.1: the smallest chunk size; every message of the step is chunked that way.
	constexpr uint32_t kSmallestChunkSize = 128;
	// Abort (RTMP spec 5.4.2) names a chunk stream the ingest never sends on: nothing is in flight.
	constexpr uint32_t kAbortedChunkStream = 7;
	++floodSteps_;
	sendCurrentChunkSize(kSmallestChunkSize, nowMs);
	for (int i = 0; i < hostile::kFloodPingsPerStep; ++i)
		send(rtmp::ChunkWriter::userControlMessage(rtmp::UserControlEvent::PingRequest,
							   static_cast<uint32_t>(floodSteps_ * 100 + i)),
		     nowMs);
	for (int i = 0; i < hostile::kFloodAcksPerStep; ++i)
		send(rtmp::ChunkWriter::acknowledgementMessage(static_cast<uint32_t>(floodSteps_ * 1000 + i)), nowMs);
	Message abort;
	abort.type = static_cast<uint8_t>(MessageType::Abort);
	abort.chunkStreamId = rtmp::chunk_stream::kProtocolControl;
	abort.payload = {0, 0, 0, kAbortedChunkStream};
	send(abort, nowMs);
	Command status{
		"onStatus",
		0,
		Value::makeNull(),
		{Value::makeObject({{"level", Value::makeString("status")},
				    {"code", Value::makeString("NetStream.Info.Flood")},
				    {"description", Value::makeString("flood step " + std::to_string(floodSteps_))}})}};
	send(rtmp::makeCommandMessage(status, publishStreamId_, rtmp::chunk_stream::kData), nowMs);
	sendCurrentChunkSize(options_.chunkSize, nowMs);
}

void ClientConnection::lingerThenClose(const std::string &reason, int64_t nowMs)
{
	closeAtMs_ = nowMs + hostile::kLingerMs;
	closeAtReason_ = reason;
}

} // namespace goaway::ingest
