#include "RtmpSession.hpp"
#include "Command.hpp"
#include "ConnectCommand.hpp"
#include "ClientHandshake.hpp"
#include "../common/Constants.hpp"
#include "../common/Log.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <random>

namespace goaway::rtmp {

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point start)
{
	return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

constexpr size_t kReadChunk = constants::kSessionReadChunk;
constexpr int kMaxReadsPerPump = constants::kSessionMaxReadsPerPoll;
constexpr size_t kMaxPendingEvents = constants::kMaxPendingServerEvents;
/// warmUp() bursts while connecting (SessionOptions::warmUpWhileConnecting), each filling what the
/// congestion window allows on that round trip and no more, so the commands never wait behind them:
/// with C2 + connect (2 segments) and the flight behind them (Set Chunk Size, the acknowledgement
/// window, releaseStream / FCPublish / createStream: 1), 7 fill the initial 10 (RFC 6928), which
/// slow start then doubles to 20; beside publish, 18 fill those on the next round trip, and the
/// session is ready with a window of about 40 segments and nothing in flight.
constexpr int kConnectWarmUpBurst = 7;
/// Below this TCP connect (or handshake) time (about one round trip) the initial window is no limit worth a
/// message (the hole it can leave after a keyframe is at most one round trip): no warm-up.
constexpr double kConnectWarmUpMinRoundTripMs = 10.0;
constexpr int kCreateStreamWarmUpBurst = 18;
/// C0 + C1 + C2: servers that count the handshake in their acknowledgements' sequence number
/// acknowledge this much more than bytesSent + the connect command.
constexpr uint64_t kAckCountingSlackBytes = 1 + 1536 + 1536;
/// An acknowledgement whose 32-bit count moved by at least half the range went backwards (no
/// server receives 2 GiB between two acknowledgements of a window we ask for).
constexpr uint32_t kAckBackwards = 0x80000000u;

/** Events the session has fully handled itself or that change nothing for a publisher. */
bool isInformational(const ServerEvent &event)
{
	return std::holds_alternative<PingEvent>(event) || std::holds_alternative<SetChunkSizeEvent>(event) ||
	       std::holds_alternative<WindowAckSizeEvent>(event) ||
	       std::holds_alternative<SetPeerBandwidthEvent>(event) ||
	       std::holds_alternative<AcknowledgementEvent>(event) ||
	       std::holds_alternative<UserControlEventReceived>(event) ||
	       std::holds_alternative<OtherCommandEvent>(event);
}
/// sendMessage() reads incoming bytes at most this often. A read per message was one more system
/// call per media packet; poll() (which the send loop calls on every turn) still reads at once,
/// and this spacing keeps pings and acknowledgements answered well within any server's patience
/// while a caller sends many messages without polling (a backlog replay, goaway-publish).
constexpr auto kSendPumpInterval = std::chrono::milliseconds(10);

uint32_t chunkStreamFor(MessageType type)
{
	switch (type) {
	case MessageType::Audio:
		return chunk_stream::kAudio;
	case MessageType::Video:
		return chunk_stream::kVideo;
	case MessageType::DataAmf0:
	case MessageType::DataAmf3:
		return chunk_stream::kData;
	default:
		return chunk_stream::kCommand;
	}
}

/** Replaces every occurrence of the key in server-provided text (some servers echo the stream
 *  name in descriptions); nothing we log, return or report may contain it. */
void redactInPlace(std::string &text, const std::string &key)
{
	if (key.empty())
		return;
	for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 4))
		text.replace(at, key.size(), "****");
}

/** A message stream id from a server's number: RTMP spec 5.3.1.2 gives it 4 bytes, and 0 is the
 *  control stream, so only integers 1..2^32-1 are ids; NaN, infinities, negatives, fractions and
 *  larger values give 0 (no id) instead of an undefined conversion. */
uint32_t messageStreamIdFrom(double number)
{
	constexpr double kLargest = 4294967295.0;
	if (!(number >= 1 && number <= kLargest) || number != static_cast<double>(static_cast<uint64_t>(number)))
		return 0;
	return static_cast<uint32_t>(number);
}

} // namespace

RtmpSession::~RtmpSession()
{
	if (transport_.isOpen())
		transport_.close(false);
}

Result<ConnectTimings> RtmpSession::connect(const SessionOptions &options)
{
	if (state_ != State::Idle)
		return fail(ErrorCode::Internal, "RtmpSession::connect called twice");
	auto start = Clock::now();
	options_ = options;
	auto url = parseRtmpUrl(options.url, StreamInPath::No);
	if (!url)
		return std::unexpected(url.error());
	if (options.streamKey.empty())
		return fail(ErrorCode::InvalidArgument, "no stream key");
	url_ = *url;
	stats_.server = url_.tcUrl();
	ConnectTimings &t = stats_.timings;
	ConnectCanceller *canceller = options.canceller.get();

	auto closeBeforeTransport = [this](Error e) -> Result<ConnectTimings> {
		state_ = State::Closed;
		return std::unexpected(std::move(e));
	};
	auto step = Clock::now();
	Result<ConnectedSocket> socket = fail(ErrorCode::ConnectFailed, "no probe connection");
	if (options.adoptSocket && *options.adoptSocket) {
		socket = TcpConnector::adopt(std::move(*options.adoptSocket), canceller);
		if (!socket && socket.error().code == ErrorCode::Cancelled)
			return closeBeforeTransport(socket.error());
		if (!socket)
			GOAWAY_LOG_INFO("RtmpSession::connect", "%s; connecting afresh",
					socket.error().message.c_str());
		t.probeConnection = bool(socket);
	}
	if (!socket)
		socket = TcpConnector::connectAny(url_.host, url_.port, options.connectTimeoutMs,
						  options.address.value_or(""), options.bindAddress, canceller);
	if (!socket)
		return closeBeforeTransport(socket.error());
	// The socket stays attached to the canceller until connect() returns (a cancel then wakes
	// whichever step waits on it); detached before it closes, whatever the way out.
	const int fd = socket->fd.get();
	ConnectCanceller::Detach detach(canceller, fd);
	auto closeOnError = [this, canceller, fd](Error e) -> Result<ConnectTimings> {
		if (canceller) {
			canceller->detach(fd);
			if (canceller->cancelled())
				e = Error{ErrorCode::Cancelled, "pre-connect to " + url_.hostPort() + " cancelled"};
		}
		transport_.close(false);
		state_ = State::Closed;
		return std::unexpected(std::move(e));
	};
	t.tcpMs = msSince(step);
	stats_.peerAddress = socket->peer.text();

	std::unique_ptr<TlsSession> tls;
	if (url_.tls) {
		step = Clock::now();
		auto session = TlsSession::handshake(socket->fd.get(), TlsOptions{url_.host, options.ioTimeoutMs,
										  options.allowSelfSigned});
		if (!session)
			return closeOnError(session.error());
		tls = std::move(*session);
		t.tlsMs = msSince(step);
	}
	transport_ = Transport(std::move(socket->fd), std::move(tls));
	transport_.setNonBlocking();

	step = Clock::now();
	ConnectParams params;
	params.app = url_.app;
	params.tcUrl = url_.tcUrl();
	params.codec = options.codecForConnect;
	params.supportsGoAway = options.supportsGoAway;
	params.capsEx = options.capsEx;
	auto leftover = handshake(buildConnectBody(params), options.ioTimeoutMs);
	if (!leftover)
		return closeOnError(
			Error{leftover.error().code, leftover.error().message + " (" + url_.hostPort() + ")"});
	t.handshakeMs = msSince(step);
	state_ = State::Connected;

	step = Clock::now();
	// One flight right behind C2 + connect, without waiting for connect's _result (servers read
	// commands in order, as they read C2 and connect): our chunk size before anything big (RTMP
	// spec 5.4.1, it applies from the next chunk); the acknowledgement window (5.4.4: the output
	// then knows what reached the server, a replay after a dead path starts from there); and
	// releaseStream / FCPublish (what FMLE, OBS and FFmpeg send; many ingests expect them) with
	// createStream. A session is ready one round trip sooner than when each step waits.
	writer_.write(ChunkWriter::setChunkSizeMessage(constants::kOutgoingChunkSize), sendBuffer_);
	writer_.setChunkSize(constants::kOutgoingChunkSize);
	if (options.ackWindowBytes > 0)
		writer_.write(ChunkWriter::windowAckSizeMessage(options.ackWindowBytes), sendBuffer_);
	amf0::Value key = amf0::Value::makeString(options.streamKey);
	double releaseTxn = nextTxn_++;
	double fcPublishTxn = nextTxn_++;
	double createTxn = nextTxn_++;
	queueCommand("releaseStream", releaseTxn, {amf0::Value::makeNull(), key});
	queueCommand("FCPublish", fcPublishTxn, {amf0::Value::makeNull(), key});
	queueCommand("createStream", createTxn, {amf0::Value::makeNull()});
	if (auto ok = flush(); !ok)
		return closeOnError(ok.error());
	// A round trip as measured here: the TCP connect, or the handshake (C0+C1 out, S0+S1+S2 back)
	// when TCP was the resolver's probe connection and its connect was not timed here.
	const double roundTripMs = t.probeConnection ? t.handshakeMs : t.tcpMs;
	const bool warm = options.warmUpWhileConnecting && roundTripMs >= kConnectWarmUpMinRoundTripMs;
	if (warm)
		if (auto ok = warmUp(kConnectWarmUpBurst); !ok)
			return closeOnError(ok.error());
	if (auto ok = feedBytes(*leftover); !ok)
		return closeOnError(ok.error());
	auto connected = waitForResult(1, "connect");
	if (!connected)
		return closeOnError(connected.error());
	if (connected->isError)
		return closeOnError(Error{ErrorCode::Rejected, "the server refused connect to " + url_.tcUrl() + ": " +
								       connected->description() + " (" +
								       connected->code() + ")"});
	stats_.serverCapsEx = connected->capsEx();
	t.connectMs = msSince(step);

	step = Clock::now();
	if (warm)
		if (auto ok = warmUp(kCreateStreamWarmUpBurst); !ok)
			return closeOnError(ok.error());
	auto created = waitForResult(createTxn, "createStream");
	if (created && created->isError) {
		// A server that took createStream before it had accepted connect may refuse it: ask once
		// more, now that connect is accepted, as clients that wait for each answer do.
		GOAWAY_LOG_INFO("RtmpSession::connect", "%s refused createStream sent with connect (%s); asking again",
				stats_.server.c_str(), created->description().c_str());
		createTxn = nextTxn_++;
		if (auto ok = sendCommand("createStream", createTxn, {amf0::Value::makeNull()}); !ok)
			return closeOnError(ok.error());
		created = waitForResult(createTxn, "createStream");
	}
	if (!created)
		return closeOnError(created.error());
	if (created->isError)
		return closeOnError(
			Error{ErrorCode::Rejected, "the server refused createStream: " + created->description()});
	for (const auto &arg : created->arguments) {
		if (arg.isNumber()) {
			streamId_ = messageStreamIdFrom(arg.number);
			break;
		}
	}
	if (streamId_ == 0)
		return closeOnError(Error{ErrorCode::Protocol, "createStream _result carries no valid stream id"});
	stats_.streamId = streamId_;
	t.createStreamMs = msSince(step);
	t.totalMs = msSince(start);
	GOAWAY_LOG_INFO("RtmpSession::connect",
			"connected to %s via %s: tcp %.1f ms, tls %.1f ms, handshake %.1f ms, connect %.1f ms, "
			"createStream %.1f ms",
			stats_.server.c_str(), stats_.peerAddress.c_str(), t.tcpMs, t.tlsMs, t.handshakeMs, t.connectMs,
			t.createStreamMs);
	return t;
}

Result<std::vector<uint8_t>> RtmpSession::handshake(std::span<const uint8_t> connectBody, int timeoutMs)
{
	// One deadline for the whole handshake: a server that trickles S0..S2 a byte at a time
	// cannot hold a connect longer than timeoutMs (per-read timeouts would let it).
	const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
	auto left = [&] {
		return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
	};
	static thread_local std::mt19937 random(std::random_device{}());
	std::array<uint8_t, ClientHandshake::kRandomSize> noise;
	for (auto &b : noise)
		b = static_cast<uint8_t>(random());
	ClientHandshake hs(
		noise,
		static_cast<uint32_t>(
			std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch()).count()));
	if (auto ok = transport_.sendAll(hs.hello(), timeoutMs); !ok)
		return std::unexpected(ok.error());
	uint8_t buffer[kReadChunk];
	while (!hs.done()) {
		if (left() <= 0)
			return fail(ErrorCode::Timeout,
				    "the RTMP handshake did not complete within " + std::to_string(timeoutMs) + " ms");
		transport_.waitReadable(static_cast<int>(left()));
		auto n = transport_.receiveSome(buffer);
		if (!n)
			return fail(ErrorCode::ConnectFailed, "the RTMP handshake failed: " + n.error().message);
		if (auto ok = hs.feed(std::span<const uint8_t>(buffer, *n)); !ok)
			return std::unexpected(ok.error());
	}
	// C2 and connect leave together (servers read them in order): one round trip saved.
	std::vector<uint8_t> out(hs.c2().begin(), hs.c2().end());
	Message connect;
	connect.type = static_cast<uint8_t>(MessageType::CommandAmf0);
	connect.chunkStreamId = chunk_stream::kCommand;
	connect.payload.assign(connectBody.begin(), connectBody.end());
	writer_.write(connect, out); // at the default chunk size: ours is announced after connect
	connectBytes_ = out.size() - hs.c2().size();
	if (auto ok = transport_.sendAll(out, static_cast<int>(std::max<long long>(left(), 1))); !ok)
		return std::unexpected(ok.error());
	return std::vector<uint8_t>(hs.leftover().begin(), hs.leftover().end());
}

Result<void> RtmpSession::publish(bool waitForStart)
{
	if (state_ != State::Connected)
		return fail(ErrorCode::Internal, "publish() needs a connected session");
	auto step = Clock::now();
	double txn = nextTxn_++;
	if (auto ok = sendCommand("publish", txn,
				  {amf0::Value::makeNull(), amf0::Value::makeString(options_.streamKey),
				   amf0::Value::makeString("live")},
				  streamId_);
	    !ok)
		return ok;
	state_ = State::Publishing;
	if (!waitForStart)
		return {};
	auto deadline = step + std::chrono::milliseconds(options_.ioTimeoutMs);
	for (;;) {
		for (auto it = pending_.begin(); it != pending_.end(); ++it) {
			if (auto *status = std::get_if<StatusEvent>(&*it)) {
				if (status->code == "NetStream.Publish.Start") {
					pending_.erase(it);
					stats_.timings.publishMs = msSince(step);
					return {};
				}
				if (status->isError()) {
					Error e{ErrorCode::Rejected, "the server refused to publish on " +
									     url_.tcUrl() + ": " + status->code + " " +
									     status->description};
					pending_.erase(it);
					return std::unexpected(e);
				}
			} else if (auto *result = std::get_if<CommandResultEvent>(&*it);
				   result && result->isError && result->transactionId == txn) {
				Error e{ErrorCode::Rejected, "the server refused to publish on " + url_.tcUrl() + ": " +
								     result->description()};
				pending_.erase(it);
				return std::unexpected(e);
			} else if (auto *closed = std::get_if<ClosedEvent>(&*it)) {
				return std::unexpected(closed->reason);
			}
		}
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
		if (left <= 0)
			return fail(ErrorCode::Timeout, "no NetStream.Publish.Start from " + url_.tcUrl() + " within " +
								std::to_string(options_.ioTimeoutMs) + " ms");
		transport_.waitReadable(static_cast<int>(left));
		pump();
	}
}

Result<void> RtmpSession::sendMessage(MessageType type, uint32_t timestampMs, std::span<const uint8_t> payload)
{
	if (!isOpen())
		return fail(ErrorCode::Closed, "the connection is closed");
	writer_.write(static_cast<uint8_t>(type), timestampMs, streamId_, chunkStreamFor(type), payload, sendBuffer_);
	if (!corked_)
		if (auto ok = flush(); !ok)
			return ok;
	stats_.mediaBytesSent += payload.size();
	stats_.messagesSent++;
	if (Clock::now() - lastPump_ >= kSendPumpInterval)
		pump();
	return {};
}

std::vector<ServerEvent> RtmpSession::poll()
{
	if (isOpen())
		pump();
	std::vector<ServerEvent> out(std::make_move_iterator(pending_.begin()),
				     std::make_move_iterator(pending_.end()));
	pending_.clear();
	return out;
}

size_t RtmpSession::unacknowledgedBytes() const
{
	return static_cast<size_t>(transport_.unacknowledgedByTcp().value_or(0));
}

std::optional<uint64_t> RtmpSession::serverAcknowledgedBytes() const
{
	if (!serverAcked_)
		return std::nullopt;
	// In bytesSent's count: the server's also holds the connect command (sent with C2, which
	// bytesSent leaves out), and some servers count the handshake as well; assuming the larger
	// count only ever keeps a few kilobytes more for a replay.
	const uint64_t extra = connectBytes_ + kAckCountingSlackBytes;
	return *serverAcked_ > extra ? *serverAcked_ - extra : 0;
}

std::optional<uint64_t> RtmpSession::tcpAcknowledgedBytes() const
{
	const auto queued = transport_.unacknowledgedByTcp();
	if (!queued)
		return std::nullopt;
	return stats_.bytesSent > *queued ? stats_.bytesSent - *queued : 0;
}

bool RtmpSession::waitReadable(int timeoutMs)
{
	return transport_.waitReadable(timeoutMs);
}

void RtmpSession::closeSilently()
{
	if (transport_.isOpen())
		GOAWAY_LOG_INFO("RtmpSession::closeSilently", "closing %s without FCUnpublish/deleteStream",
				stats_.server.c_str());
	// Go Away: media the caller already gave (corked) still goes; no command follows it.
	if (isOpen())
		(void)flush();
	sendBuffer_.clear();
	transport_.close(false);
	state_ = State::Closed;
}

void RtmpSession::abandon()
{
	if (transport_.isOpen())
		GOAWAY_LOG_INFO("RtmpSession::abandon", "leaving %s without a word (%zu corked bytes dropped)",
				stats_.server.c_str(), sendBuffer_.size());
	sendBuffer_.clear();
	transport_.close(false);
	state_ = State::Closed;
}

void RtmpSession::closeGracefully(int drainMs)
{
	if (isOpen() && streamId_ != 0) {
		auto sent = sendCommand("FCUnpublish", nextTxn_++,
					{amf0::Value::makeNull(), amf0::Value::makeString(options_.streamKey)});
		if (sent)
			sent = sendCommand("deleteStream", nextTxn_++,
					   {amf0::Value::makeNull(), amf0::Value::makeNumber(streamId_)});
		if (sent)
			GOAWAY_LOG_INFO("RtmpSession::closeGracefully", "sent FCUnpublish + deleteStream to %s",
					stats_.server.c_str());
		else // the connection is already gone: closing it is all that is left to do
			GOAWAY_LOG_INFO("RtmpSession::closeGracefully", "could not unpublish at %s: %s",
					stats_.server.c_str(), sent.error().message.c_str());
	}
	sendBuffer_.clear();
	const bool wasOpen = transport_.isOpen();
	const auto drained = transport_.close(true, drainMs);
	if (wasOpen && drainMs > 0 && !drained.closedByPeer)
		GOAWAY_LOG_WARN("RtmpSession::closeGracefully",
				"%s did not close its end within %d ms of ours (%s bytes not acknowledged by its TCP): "
				"what it had not read may be lost",
				stats_.server.c_str(), drainMs,
				drained.unacknowledged ? std::to_string(*drained.unacknowledged).c_str() : "unknown");
	state_ = State::Closed;
}

Result<void> RtmpSession::sendRaw(const Message &message)
{
	// Corked media goes first: the chunk stream's header compression assumed this order.
	writer_.write(message, sendBuffer_);
	return flush();
}

Result<int> RtmpSession::warmUp(int messages)
{
	if (!isOpen() || !sendBuffer_.empty())
		return 0;
	std::vector<uint8_t> bytes;
	int sent = 0;
	for (; sent < messages; ++sent) {
		bytes.clear();
		writer_.write(ChunkWriter::acknowledgementMessage(static_cast<uint32_t>(demuxer_.bytesReceived())),
			      bytes);
		if (auto ok = transport_.sendAll(bytes, options_.ioTimeoutMs, Transport::Segments::OwnSegment); !ok) {
			markClosed(ok.error());
			return std::unexpected(ok.error());
		}
		stats_.bytesSent += bytes.size();
		stats_.warmUpMessages++;
	}
	return sent;
}

Result<void> RtmpSession::flush()
{
	if (sendBuffer_.empty())
		return {};
	if (!isOpen()) {
		sendBuffer_.clear();
		return fail(ErrorCode::Closed, "the connection is closed");
	}
	return sendBuffered();
}

Result<void> RtmpSession::sendBuffered()
{
	// Once media flows, a write is bounded by the time without progress; before, by its total time.
	const bool media = state_ == State::Publishing && options_.sendStallMs > 0;
	auto ok = media ? transport_.sendAll(sendBuffer_, options_.sendStallMs, Transport::Segments::Coalesce,
					     Transport::Deadline::NoProgress)
			: transport_.sendAll(sendBuffer_, options_.ioTimeoutMs);
	const size_t size = sendBuffer_.size();
	sendBuffer_.clear();
	if (!ok) {
		markClosed(ok.error());
		return ok;
	}
	stats_.bytesSent += size;
	return {};
}

Result<void> RtmpSession::sendCommand(const std::string &name, double txn, std::vector<amf0::Value> args,
				      uint32_t streamId)
{
	queueCommand(name, txn, std::move(args), streamId);
	return flush();
}

void RtmpSession::queueCommand(const std::string &name, double txn, std::vector<amf0::Value> args, uint32_t streamId)
{
	Command command;
	command.name = name;
	command.transactionId = txn;
	command.commandObject = amf0::Value::makeNull();
	// Command::arguments follow the command object; our callers pass the object first, so split it.
	if (!args.empty()) {
		command.commandObject = std::move(args.front());
		args.erase(args.begin());
	}
	command.arguments = std::move(args);
	writer_.write(makeCommandMessage(command, streamId, chunk_stream::kCommand), sendBuffer_);
}

Result<void> RtmpSession::feedBytes(std::span<const uint8_t> bytes)
{
	std::vector<Message> messages;
	auto ok = demuxer_.feed(bytes, messages);
	stats_.bytesReceived += bytes.size();
	for (const auto &message : messages) {
		auto event = classifier_.classify(message);
		if (!event)
			continue;
		if (auto *status = std::get_if<StatusEvent>(&*event)) {
			redactInPlace(status->code, options_.streamKey);
			redactInPlace(status->description, options_.streamKey);
		} else if (auto *reconnect = std::get_if<ReconnectRequestEvent>(&*event)) {
			redactInPlace(reconnect->description, options_.streamKey);
		} else if (auto *result = std::get_if<CommandResultEvent>(&*event)) {
			for (auto &arg : result->arguments) {
				for (auto &[name, value] : arg.properties) {
					if (value.isString())
						redactInPlace(value.string, options_.streamKey);
				}
			}
		}
		GOAWAY_LOG_DEBUG("server event: %s", describe(*event).c_str());
		handleHousekeeping(*event);
		if (pending_.size() >= kMaxPendingEvents) {
			if (isInformational(*event)) {
				// Already answered (pings) or of no use to a publisher: a flood of them is dropped.
				if (droppedEvents_++ == 0)
					GOAWAY_LOG_WARN("RtmpSession::poll",
							"%s floods control messages; dropping informational ones",
							stats_.server.c_str());
				continue;
			}
			if (pending_.size() >= kMaxPendingEvents * 4) {
				markClosed(Error{ErrorCode::Protocol,
						 "the server sent more than " + std::to_string(kMaxPendingEvents * 4) +
							 " commands faster than they could be read (a flood)"});
				return fail(ErrorCode::Protocol, "the server flooded the connection with commands");
			}
		}
		pending_.push_back(std::move(*event));
	}
	if (!ok) {
		markClosed(Error{ErrorCode::Protocol, "invalid RTMP data from the server: " + ok.error().message});
		return ok;
	}
	// RTMP spec 5.4.3: acknowledge once a window's worth of bytes arrived since the last ack.
	if (windowAckSize_ > 0 && demuxer_.bytesReceived() - lastAckSent_ >= windowAckSize_) {
		lastAckSent_ = demuxer_.bytesReceived();
		return sendRaw(ChunkWriter::acknowledgementMessage(static_cast<uint32_t>(lastAckSent_)));
	}
	return {};
}

void RtmpSession::handleHousekeeping(const ServerEvent &event)
{
	if (auto *ping = std::get_if<PingEvent>(&event)) {
		// A failed send marks the session closed; the caller sees that on its next poll or send.
		(void)sendRaw(ChunkWriter::userControlMessage(UserControlEvent::PingResponse, ping->timestamp));
	} else if (auto *window = std::get_if<WindowAckSizeEvent>(&event)) {
		windowAckSize_ = window->size;
	} else if (auto *ack = std::get_if<AcknowledgementEvent>(&event)) {
		// The sequence number is the server's byte count modulo 2^32: add what it moved by.
		const uint32_t moved = ack->sequenceNumber - lastAckSequence_;
		if (!serverAcked_ || moved < kAckBackwards) { // a count that went back claims nothing new
			lastAckSequence_ = ack->sequenceNumber;
			serverAcked_ = serverAcked_.value_or(0) + moved;
		}
	} else if (std::holds_alternative<GoAwayEvent>(event) || std::holds_alternative<ReconnectRequestEvent>(event)) {
		GOAWAY_LOG_INFO("RtmpSession::poll", "%s from %s", describe(event).c_str(), stats_.server.c_str());
	} else if (auto *status = std::get_if<StatusEvent>(&event); status && status->isError()) {
		GOAWAY_LOG_WARN("RtmpSession::poll", "%s from %s: %s", status->code.c_str(), stats_.server.c_str(),
				status->description.c_str());
	}
}

bool RtmpSession::pump()
{
	lastPump_ = Clock::now();
	uint8_t buffer[kReadChunk];
	for (int i = 0; i < kMaxReadsPerPump && isOpen(); ++i) {
		auto n = transport_.receiveSome(buffer);
		if (!n) {
			markClosed(n.error());
			return false;
		}
		if (*n == 0)
			return true;
		if (!feedBytes(std::span<const uint8_t>(buffer, *n)))
			return false;
	}
	return isOpen();
}

void RtmpSession::markClosed(Error reason)
{
	if (state_ == State::Closed && closedEventQueued_)
		return;
	transport_.close(false);
	state_ = State::Closed;
	if (!closedEventQueued_) {
		closedEventQueued_ = true;
		GOAWAY_LOG_INFO("RtmpSession::markClosed", "%s: %s", stats_.server.c_str(), reason.message.c_str());
		pending_.push_back(ClosedEvent{std::move(reason)});
	}
}

Result<CommandResultEvent> RtmpSession::waitForResult(double txn, const char *what)
{
	auto deadline = Clock::now() + std::chrono::milliseconds(options_.ioTimeoutMs);
	for (;;) {
		for (auto it = pending_.begin(); it != pending_.end(); ++it) {
			if (auto *result = std::get_if<CommandResultEvent>(&*it);
			    result && result->transactionId == txn) {
				CommandResultEvent out = std::move(*result);
				pending_.erase(it);
				return out;
			}
			if (auto *closed = std::get_if<ClosedEvent>(&*it))
				return fail(closed->reason.code,
					    std::string("the server closed the connection during ") + what + " (" +
						    closed->reason.message + ")");
		}
		// Answers to releaseStream / FCPublish are informational: drop them.
		std::erase_if(pending_, [txn](const ServerEvent &e) {
			auto *r = std::get_if<CommandResultEvent>(&e);
			return r && r->transactionId > 1 && r->transactionId < txn;
		});
		auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
		if (left <= 0)
			return fail(ErrorCode::Timeout, std::string("no answer to ") + what + " from " + url_.tcUrl() +
								" within " + std::to_string(options_.ioTimeoutMs) +
								" ms");
		transport_.waitReadable(static_cast<int>(left));
		pump();
	}
}

} // namespace goaway::rtmp
