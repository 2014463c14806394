#pragma once
// One RTMP(S) publish connection that knows about Go Away and E-RTMP ReconnectRequest.
//
// Typical use (the OBS output's send thread, goaway-publish):
//
//   RtmpSession session;
//   auto timings = session.connect(options);         // TCP, TLS, handshake, connect, createStream
//   session.publish(/*waitForStart=*/false);         // media may follow at once
//   session.sendMessage(MessageType::DataAmf0, 0, metadata);
//   session.sendMessage(MessageType::Video, dts, sequenceHeader); ...
//   for (;;) {
//       session.sendMessage(...);
//       for (auto &event : session.poll()) { ... GoAwayEvent → hand off at the next keyframe ... }
//   }
//   session.closeSilently();    // after a Go Away: nothing is sent, the platform stitches
//   session.closeGracefully();  // otherwise: FCUnpublish + deleteStream
//
// Threading: a session is used by ONE thread at a time (no internal locking). It may be
// connected on one thread and then handed over to another; the hand-over must be a proper
// synchronisation (mutex/queue), as for any object.
// Privacy: the stream key goes only into releaseStream / FCPublish / publish / FCUnpublish; it
// appears in no log line, error message or statistic.

#include "ChunkDemuxer.hpp"
#include "ChunkWriter.hpp"
#include "ConnectCanceller.hpp"
#include "RtmpMessage.hpp"
#include "RtmpUrl.hpp"
#include "ServerEvent.hpp"
#include "ServerEventClassifier.hpp"
#include "TcpConnector.hpp"
#include "Transport.hpp"
#include "VideoCodec.hpp"
#include "../common/Constants.hpp"
#include "../common/Result.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace goaway::rtmp {

/// How often the server is asked to acknowledge what it received (RTMP spec 5.4.4): several times
/// a second, so a stalled ingest shows well within the dead-path window (2 s by default) and a
/// replay keeps at most a fraction of a second beyond what the server really has.
inline constexpr uint32_t kAcksPerSecond = 5;
/// Bitrate assumed when the encoder's is not known: a common 1080p30 streaming bitrate; when the
/// real one is lower, acknowledgements only come less often (the window still bounds the replay).
inline constexpr uint32_t kAssumedBitrateKbps = 6000;
/// Bounds of the window: below 16 KiB the acknowledgements (16 bytes on the wire each) would cost
/// the server more than 0.1 % of a slow stream in messages back; 2.5 MB is what FMS, nginx-rtmp
/// and most ingests announce themselves (larger says less about what the server has).
inline constexpr uint32_t kMinAckWindowBytes = 16 * 1024;
inline constexpr uint32_t kMaxAckWindowBytes = 2500000;
/// What a connection may hold written but not yet sent by the OS (Transport::setUnsentLimit), as
/// time of media at the stream's bitrate: enough that the next frames always wait ready when the
/// path frees up, little enough that on a congested path media waits in the output's queue, where
/// the drop policy sees it, not in megabytes of autotuned socket buffer where nothing can.
inline constexpr uint32_t kUnsentLimitMs = 250;
inline constexpr uint32_t kMinUnsentLimitBytes = 32 * 1024;
/** The unsent limit for a stream of `bitrateKbps` (0: not known). */
constexpr uint32_t unsentLimitForBitrate(uint32_t bitrateKbps)
{
	const uint64_t kbps = bitrateKbps > 0 ? bitrateKbps : kAssumedBitrateKbps;
	const uint64_t bytes = kbps * kUnsentLimitMs / 8; // kbit/s x ms / 8 = bytes
	return static_cast<uint32_t>(bytes < kMinUnsentLimitBytes ? kMinUnsentLimitBytes : bytes);
}
/** The Window Acknowledgement Size to ask for a stream of `bitrateKbps` (0: not known). */
constexpr uint32_t ackWindowForBitrate(uint32_t bitrateKbps)
{
	const uint64_t kbps = bitrateKbps > 0 ? bitrateKbps : kAssumedBitrateKbps;
	const uint64_t window = kbps * 1000 / 8 / kAcksPerSecond;
	return static_cast<uint32_t>(window < kMinAckWindowBytes   ? kMinAckWindowBytes
				     : window > kMaxAckWindowBytes ? kMaxAckWindowBytes
								   : window);
}

struct SessionOptions {
	/** Server URL without the key: rtmp[s]://host[:port]/app (the OBS "Server" field, or a resolved tcUrl). */
	std::string url;
	/** Stream key / stream name (the secret). */
	std::string streamKey;
	/** Connect to this numeric address (from TcpConnector::resolve) instead of every address of
	 *  the URL's host, e.g. to avoid the draining node. TLS still verifies the URL's host name. */
	std::optional<std::string> address;
	/** An established TCP connection to the server to use instead of connecting (the resolver's
	 *  probe; issue 16: a round trip saved). Taken by the first connect() that has it; when it is
	 *  no longer usable, connect() connects afresh. */
	std::shared_ptr<UniqueFd> adoptSocket;
	int connectTimeoutMs = constants::kDefaultConnectTimeoutMs; // per TCP connect attempt
	int ioTimeoutMs = constants::kDefaultIoTimeoutMs; // TLS + RTMP handshake, each command answer, each send
	/// Writes once publishing: fail (ErrorCode::Timeout) once the connection took no byte for this long, however
	/// long a slow path takes in all; 0: ioTimeoutMs for the whole write, as commands. The output sets
	/// its dead-path window, so a write blocked on a stalled server cannot hide the dead path.
	int sendStallMs = 0;
	std::string bindAddress;                          // local numeric address to bind, empty = any
	bool allowSelfSigned = false;                  // TESTS ONLY: accept an RTMPS certificate no trusted CA signed
	VideoCodec codecForConnect = VideoCodec::H264; // HEVC/AV1 add the E-RTMP fourCc fields to connect
	bool supportsGoAway = true;                    // announce supportsGoAway in connect
	int capsEx = 1;                                // E-RTMP v2 capsEx announced in connect (1 = Reconnect)
	/// Window Acknowledgement Size sent after connect (0: none): the server then acknowledges
	/// every this many bytes, and serverAcknowledgedBytes() knows what it received.
	uint32_t ackWindowBytes = ackWindowForBitrate(0);
	/// Written bytes the OS may hold unsent while limitUnsent(true) is on (a congested path).
	uint32_t unsentLimitBytes = unsentLimitForBitrate(0);
	/// Open the congestion window while connecting (warmUp() bursts on the connect and publish
	/// round trips): for a session that takes over a running stream, not for the first one.
	bool warmUpWhileConnecting = false;
	/** Another thread may abort connect() through it (pre-connects when the output stops). */
	std::shared_ptr<ConnectCanceller> canceller;
};

/** Where the connect time went, in milliseconds (−1 = step not done). */
struct ConnectTimings {
	double tcpMs = -1;          // TCP connect (the successful attempt)
	double tlsMs = -1;          // TLS handshake + verification (RTMPS only)
	double handshakeMs = -1;    // RTMP handshake C0..S2 + sending C2 and connect
	double connectMs = -1;      // connect → _result
	double createStreamMs = -1; // connect's _result → createStream's (both were sent with connect)
	double publishMs = -1;      // publish → NetStream.Publish.Start (only with waitForStart)
	double totalMs = -1;        // connect() call, start to end
	bool probeConnection = false; // TCP was the resolver's probe connection (tcpMs 0)
};

struct SessionStats {
	uint64_t bytesSent = 0;      // every byte written on the socket after the handshake (chunk headers included)
	uint64_t mediaBytesSent = 0; // payload bytes of sendMessage()
	uint64_t bytesReceived = 0;  // bytes read by our demuxer
	uint64_t messagesSent = 0;   // sendMessage() calls that succeeded
	uint64_t warmUpMessages = 0; // warmUp() messages sent
	ConnectTimings timings;
	std::string peerAddress; // "127.0.0.1:1935" / "[::1]:1935" actually connected to
	std::string server;      // URL without key (rtmp://host:port/app) — safe to log
	uint32_t streamId = 0;   // message stream id from createStream
	/// The capsEx the server echoed in connect's _result (E-RTMP v2), nullopt when it showed none:
	/// what the server says it supports, as opposed to what we announce.
	std::optional<uint32_t> serverCapsEx;
};

class RtmpSession {
public:
	enum class State { Idle, Connected, Publishing, Closed };

	RtmpSession() = default;
	~RtmpSession(); // closes silently if still open
	RtmpSession(const RtmpSession &) = delete;
	RtmpSession &operator=(const RtmpSession &) = delete;

	/**
	 * Blocking, bounded by the timeouts: TCP (every resolved address in turn, or options.address),
	 * TLS (rtmps), the RTMP handshake with our connect command (supportsGoAway, capsEx, E-RTMP
	 * codec fields), Set Chunk Size 4096, connect _result, releaseStream / FCPublish /
	 * createStream _result. Afterwards the session is ready to publish().
	 * Errors: InvalidArgument (URL), ConnectFailed, Timeout, TlsVerification (names the host),
	 * Rejected (_error on connect/createStream, with the server's description), Closed.
	 * Server events that arrive meanwhile (a Go Away!) are kept for the next poll().
	 */
	Result<ConnectTimings> connect(const SessionOptions &options);

	/**
	 * Sends publish(key, "live"). With waitForStart=false it returns at once and media may
	 * follow immediately (NetStream.Publish.Start or an error then arrives through poll());
	 * with true it waits up to ioTimeoutMs for NetStream.Publish.Start.
	 * Errors: Rejected (_error, Publish.BadName, "Already publishing", ...), Timeout, Closed.
	 */
	Result<void> publish(bool waitForStart);

	/**
	 * Sends one audio (8), video (9) or data (18) message on the publish stream, timestamp in ms
	 * (the FLV tag timestamp = DTS). Blocks at most ioTimeoutMs when the socket is full.
	 * Also pumps incoming bytes (non-blocking, at most every 10 ms) so pings are answered and
	 * events queue for poll() even when the caller sends without polling.
	 * Errors: Closed, Timeout, Io; the session is then Closed.
	 */
	Result<void> sendMessage(MessageType type, uint32_t timestampMs, std::span<const uint8_t> payload);

	/**
	 * Corked, sendMessage() only chunks into the send buffer and flush() writes everything in one
	 * system call: a sender that wakes once per video frame sends the audio that waited with it in
	 * one write instead of one per message. Control messages, commands and both closes flush first,
	 * so bytes still go out in the order they were given. Uncorked (the default), every
	 * sendMessage() writes at once.
	 */
	void setCorked(bool corked) { corked_ = corked; }
	/** Writes what corked sendMessage() calls buffered. Errors as sendMessage(). */
	Result<void> flush();

	/**
	 * Sends `messages` Acknowledgements (RTMP spec 5.4.3: the bytes received so far, true at any
	 * time; a server takes them as a report and answers nothing), each in a TCP segment of its own.
	 * Why: a new or idle connection may send only its initial congestion window (10 segments,
	 * RFC 6928) per round trip, so the keyframe a handoff starts with fills it and the frames after
	 * it wait a whole round trip for ACKs. The window grows by one segment per segment acknowledged,
	 * so a few bursts of tiny messages before the cut open it at a cost of a few hundred bytes.
	 * Nothing is sent while media waits corked (it would reorder the stream). Returns how many went.
	 */
	Result<int> warmUp(int messages);

	/**
	 * Non-blocking: reads what has arrived, answers PingRequest, sends Acknowledgements when the
	 * window requires, and returns the typed events in arrival order (GoAwayEvent,
	 * ReconnectRequestEvent, StatusEvent, CommandResultEvent, ..., and ClosedEvent once when the
	 * connection ended).
	 */
	std::vector<ServerEvent> poll();

	/** Waits up to timeoutMs for incoming bytes (for a loop with nothing to send). */
	bool waitReadable(int timeoutMs);

	/** Go Away: closes TLS and the socket with nothing sent (no FCUnpublish / deleteStream). */
	void closeSilently();
	/** FCUnpublish + deleteStream (when publishing / a stream exists), TLS close_notify, close. */
	void closeGracefully(int drainMs = 0);
	/** On a congested path: the OS takes no more than SessionOptions::unsentLimitBytes unsent, so
	 *  media waits with the caller (its drop policy) instead of in the autotuned send buffer, which
	 *  on a fast path is what carries a stall's media until a handoff replays it. Off by default. */
	void limitUnsent(bool on) { transport_.setUnsentLimit(on ? options_.unsentLimitBytes : 0); }
	/** Whether the connection takes more now without blocking (or, with limitUnsent, without the
	 *  unsent bytes passing the limit). No wait. */
	bool writableNow() const { return transport_.writableNow(); }

	/** Bytes written to the socket that the peer has not acknowledged yet (Linux SIOCOUTQ); a
	 *  growing value means the network cannot keep up — input for congestion reporting. */
	size_t unacknowledgedBytes() const;

	/** Bytes of bytesSent's count the server acknowledged (RTMP Acknowledgement, its 32-bit count
	 *  unwrapped), or nullopt until its first acknowledgement: what its application received. */
	std::optional<uint64_t> serverAcknowledgedBytes() const;
	/** Bytes of bytesSent's count the peer's TCP acknowledged, or nullopt where the OS does not
	 *  tell: they reached the server's machine, not necessarily its application. */
	std::optional<uint64_t> tcpAcknowledgedBytes() const;
	/** bytesSent plus what corked sendMessage() calls buffered: the stream offset after the
	 *  last message given. */
	uint64_t bytesGiven() const { return stats_.bytesSent + sendBuffer_.size(); }
	/** The Window Acknowledgement Size asked of the server (0: none). */
	uint32_t ackWindowAsked() const { return options_.ackWindowBytes; }
	/** Dead path: closes the socket at once, dropping what is corked (a flush would block on a
	 *  peer that reads nothing) and sending nothing. */
	void abandon();

	State state() const { return state_; }
	bool isOpen() const { return state_ == State::Connected || state_ == State::Publishing; }
	const SessionStats &stats() const { return stats_; }
	/** The URL connected to (no key): host, port, app, tls — for resolveTcUrl() of a ReconnectRequest. */
	const RtmpUrl &url() const { return url_; }

private:
	Result<void> sendRaw(const Message &message);
	/** Sends the chunks already written to sendBuffer_. */
	Result<void> sendBuffered();
	Result<void> sendCommand(const std::string &name, double txn, std::vector<amf0::Value> args,
				 uint32_t streamId = 0);
	/** Writes a command to sendBuffer_ without sending it (the next flush() sends it). */
	void queueCommand(const std::string &name, double txn, std::vector<amf0::Value> args, uint32_t streamId = 0);
	/** Reads + classifies; handles protocol housekeeping; queues events. Returns false on close. */
	bool pump();
	void handleHousekeeping(const ServerEvent &event);
	void markClosed(Error reason);
	/** Waits for the _result/_error of `txn`, queueing everything else. */
	Result<CommandResultEvent> waitForResult(double txn, const char *what);
	/** C0+C1 out, S0..S2 in, C2 + our connect out, under one deadline; returns the server's
	 *  bytes past S2. */
	Result<std::vector<uint8_t>> handshake(std::span<const uint8_t> connectBody, int timeoutMs);
	Result<void> feedBytes(std::span<const uint8_t> bytes);

	State state_ = State::Idle;
	SessionOptions options_;
	RtmpUrl url_;
	Transport transport_;
	ChunkDemuxer demuxer_;
	ChunkWriter writer_;
	/// Chunked bytes of the message being sent, kept between messages so that sending does not
	/// allocate (it holds as much as the largest message sent so far, typically a keyframe).
	std::vector<uint8_t> sendBuffer_;
	bool corked_ = false;
	ServerEventClassifier classifier_;
	std::deque<ServerEvent> pending_;
	uint64_t droppedEvents_ = 0; // informational events dropped while pending_ was full
	SessionStats stats_;
	uint32_t streamId_ = 0;
	double nextTxn_ = 2;
	uint32_t windowAckSize_ = 0; // from the server's Window Acknowledgement Size
	uint64_t lastAckSent_ = 0;   // bytesReceived at the last Acknowledgement
	uint32_t lastAckSequence_ = 0;        // the server's last Acknowledgement sequence number
	std::optional<uint64_t> serverAcked_; // its count unwrapped (bytes since the handshake)
	uint64_t connectBytes_ = 0;           // the connect command sent with C2 (not in bytesSent)
	bool closedEventQueued_ = false;
	std::chrono::steady_clock::time_point lastPump_{}; // the last pump(): sendMessage() spaces its reads
};

} // namespace goaway::rtmp
