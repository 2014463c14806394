#pragma once
// One accepted RTMP client: socket I/O (with the node's emulated latency), the server side of
// the session (handshake, connect, createStream, publish, media) and the signals the ingest sends.

#include "ConnectionEvents.hpp"
#include "ConnectionRecord.hpp"
#include "HostileProfile.hpp"
#include "Options.hpp"
#include "ServerHandshake.hpp"
#include "plugin/rtmp/ChunkDemuxer.hpp"
#include "plugin/rtmp/ChunkWriter.hpp"
#include "plugin/rtmp/Command.hpp"

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace goaway::ingest {

class ClientConnection {
public:
	ClientConnection(int fd, ConnectionRecord record, const NodeOptions &node, const Options &options,
			 ConnectionEvents &events, HostileNodeState &hostileState);
	~ClientConnection();
	ClientConnection(const ClientConnection &) = delete;
	ClientConnection &operator=(const ClientConnection &) = delete;

	int fd() const { return fd_; }
	const ConnectionRecord &record() const { return record_; }
	bool closed() const { return fd_ < 0; }
	bool publishing() const { return !closed() && record_.publishedAtMs.has_value(); }
	/** poll() events wanted now. */
	short pollEvents() const;
	/** Earliest time (ms) at which tick() has work, or -1. */
	int64_t nextDeadline() const;

	void onReadable(int64_t nowMs);
	void onWritable(int64_t nowMs);
	/** Peer hung up / error reported by poll(). */
	void onHangup(int64_t nowMs);
	/** Delivers delayed bytes (both directions) and runs the drop timers. */
	void tick(int64_t nowMs);

	/** RTMP Go Away: type 32, stream 0, on `chunkStreamId`, empty or 4 zero bytes. */
	void sendGoAway(bool emptyBody, uint32_t chunkStreamId, int64_t nowMs);
	/** E-RTMP v2 ReconnectRequest (onStatus, transaction 0, null command object). */
	void sendReconnectRequest(const std::optional<std::string> &tcUrl, int64_t nowMs);
	/** Closes the socket now, recording `reason` (and a "close" signal when `asSignal`). */
	void closeByServer(const std::string &reason, bool asSignal, int64_t nowMs);
	/** A failure without a signal: TCP RST now (SO_LINGER 0, then close); `cause` goes in the report. */
	void resetByServer(const std::string &cause, int64_t nowMs);
	/** A failure without a signal: from now on the node neither reads nor sends on this connection
	 *  (the socket stays open); reset after the node's stall-hold, if any. */
	void stallByServer(const std::string &cause, int64_t nowMs);
	/** The node stalled this connection (it reads and sends nothing). */
	bool stalledByFault() const { return faultStalled_; }
	/** A reset or stall was injected on this connection. */
	bool faulted() const { return !record_.faults.empty(); }
	/** Closes at shutdown; keeps the reason already recorded. */
	void shutdown(int64_t nowMs);

	/** The connection has been signalled with `kind` already. */
	bool signalled(const std::string &kind) const;

private:
	struct Delayed {
		int64_t dueMs = 0;
		std::vector<uint8_t> bytes;
		bool eof = false;
	};

	void process(std::span<const uint8_t> bytes, int64_t nowMs);
	void feedChunks(std::span<const uint8_t> bytes, int64_t nowMs);
	void recordFault(const std::string &kind, const std::string &cause, int64_t nowMs);
	/** The node's faults=N budget allows one more. */
	bool faultAllowed() const;
	void handleMessage(const rtmp::Message &message, int64_t nowMs);
	void handleCommand(const rtmp::Message &message, int64_t nowMs);
	void handleConnect(const rtmp::Command &command, int64_t nowMs);
	void handlePublish(const rtmp::Command &command, const rtmp::Message &message, int64_t nowMs);
	void handleData(const rtmp::Message &message, int64_t nowMs);
	void handleMedia(const rtmp::Message &message, int64_t nowMs);
	void send(const rtmp::Message &message, int64_t nowMs);
	void sendBytes(std::vector<uint8_t> bytes, int64_t nowMs);
	void sendStatus(uint32_t streamId, const std::string &level, const std::string &code,
			const std::string &description, int64_t nowMs);
	void protocolError(const std::string &what, int64_t nowMs);
	void finish(const std::string &reason, int64_t nowMs);
	void recordSignal(const std::string &kind, int64_t nowMs);
	std::string where() const;

	// Hostile profiles (README.md "Hostile profiles").
	bool hostile(HostileProfile profile) const;
	void hostileHandshakeReply(std::vector<uint8_t> reply, int64_t nowMs);
	void hostileMidStream(int64_t nowMs);
	void hostileFloodStep(int64_t nowMs);
	void hostileTick(int64_t nowMs);
	/** Lets the client close first; closes after hostile::kLingerMs at the latest. */
	void lingerThenClose(const std::string &reason, int64_t nowMs);
	void sendCurrentChunkSize(uint32_t size, int64_t nowMs);

	int fd_;
	ConnectionRecord record_;
	const NodeOptions &node_;
	const Options &options_;
	ConnectionEvents &events_;

	ServerHandshake handshake_;
	rtmp::ChunkDemuxer demuxer_;
	rtmp::ChunkWriter writer_;
	std::deque<Delayed> inbound_;  // read, waiting for the emulated latency
	std::deque<Delayed> outbound_; // sent, waiting for the emulated latency
	std::vector<uint8_t> outBuffer_;
	bool closeAfterFlush_ = false;
	std::string closeAfterFlushReason_;
	uint32_t peerWindowAckSize_ = 0;
	uint64_t lastAcknowledged_ = 0;
	int64_t dropArmedAtMs_ = -1; // drop at the first non-key video frame from this time on
	int64_t resetArmedAtMs_ = -1; // reset-after: RST at the first non-key video frame from this time on
	int64_t stallAtMs_ = -1;      // stall-after: when the node stops reading and answering
	bool faultStalled_ = false;
	int64_t stallResetAtMs_ = -1; // stall-hold: when the stalled connection is reset
	// read-rate=: a token bucket of bytes the node may still read; while it is empty the node does
	// not poll for input until readResumeAtMs_ (the kernel's buffers fill, as on a congested path).
	int64_t readBudget_ = 0;
	int64_t readBudgetAtMs_ = -1;
	int64_t readResumeAtMs_ = -1;
	/** read-rate=: what may be read now (refills the bucket); SIZE_MAX without a limit. */
	size_t readAllowance(int64_t nowMs);
	std::vector<rtmp::Message> scratch_;

	HostileNodeState &hostileState_;
	bool garbageConnection_ = false; // goaway-then-garbage: accepted after the node's Go Away
	uint32_t publishStreamId_ = 0;
	int64_t midStreamAtMs_ = -1;
	int64_t floodNextMs_ = -1;
	int64_t floodUntilMs_ = -1;
	uint64_t floodSteps_ = 0;
	bool stalled_ = false;
	int64_t stallUntilMs_ = -1;
	int64_t closeAtMs_ = -1;
	std::string closeAtReason_;
};

} // namespace goaway::ingest
