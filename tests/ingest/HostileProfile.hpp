#pragma once
// Hostile server behaviour (`--hostile PROFILE`): named, deterministic, bounded misbehaviours the
// ingest can show at one phase of an RTMP session, and the pure byte builders behind them. Each
// profile is described in README.md ("Hostile profiles"): what it sends, when, and what a correct
// client does. Nothing here touches a socket or a clock.

#include "plugin/rtmp/RtmpMessage.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace goaway::ingest {

enum class HostileProfile {
	HandshakeTrickle,      // S0/S1 trickled one byte at a time, then the connection is closed
	HandshakeGarbage,      // S0 with a wrong version, S1/S2 pseudo-random (S2 does not echo C1)
	ConnectResultMistyped, // mistyped _result messages (NaN/inf/negative ids, wrong AMF types) first
	ConnectErrorUtf8,      // connect answered by _error with a 1 MiB invalid UTF-8 description
	CreateStreamBad,       // createStream _result with NaN / string / negative stream ids
	PublishStatusUtf8,     // NetStream.Publish.Start whose description is invalid UTF-8 (64 KiB)
	MistypedOnStatus,      // onStatus with the info object a number, a string, code a number...
	MidstreamUtf8,         // mid-stream onStatus + ReconnectRequest: invalid UTF-8, garbage tcUrl
	FloodControl,          // mid-stream: pings, acks, Set Chunk Size, Abort, onStatus in thousands
	HugeLength,            // mid-stream: a chunk header announcing a 16 MiB message, never completed
	DeepAmf,               // mid-stream: onStatus with 100 000-deep nested AMF objects and arrays
	GoAwayThenGarbage,     // mid-stream Go Away; the node answers the next connections with garbage
	StallMidStream,        // mid-stream: neither read nor write for 3 s, then carry on
};

/** The expected behaviour of a correct client, as documented and as the e2e suite asserts it. */
enum class HostileExpectation {
	RideThrough, // keeps streaming: nothing it encoded may go missing
	Stop,        // stops by itself with a clear last_error (nothing can work against this server)
	Either,      // may ride through or stop with a clear error; never crash, hang or leak
};

struct HostileProfileInfo {
	HostileProfile profile;
	const char *name;
	const char *phase;
	HostileExpectation expectation;
};

/** What the hostile profiles of one node share across its connections. */
struct HostileNodeState {
	bool goAwaySent = false; // goaway-then-garbage: connections accepted from now on get garbage
	int faultsInjected = 0;  // resets and stalls on this node (bounded by the node option faults=N)
};

/** Every profile, in the order of the session phases. */
const std::vector<HostileProfileInfo> &hostileProfiles();
const HostileProfileInfo &hostileProfileInfo(HostileProfile profile);
std::optional<HostileProfile> parseHostileProfile(const std::string &name);
const char *hostileExpectationName(HostileExpectation expectation);

namespace hostile {

// Mid-stream profiles fire this long after a connection's publish: past the first keyframe and the
// encoder's start, well inside the e2e suite's 8 s streams.
inline constexpr int64_t kMidStreamDelayMs = 2000;
// handshake-trickle: one byte per interval, this many bytes (25 s in all: longer than any sane
// client handshake deadline, e.g. the plugin's 10 s I/O deadline), then the ingest closes. Each byte
// arrives well inside a per-read timeout, so only a deadline on the whole handshake ends it.
inline constexpr int64_t kTrickleIntervalMs = 100;
inline constexpr size_t kTrickleBytes = 250;
// handshake-garbage: the S0 version byte sent instead of 3 (no RTMP version has it).
inline constexpr uint8_t kGarbageVersion = 0x0A;
// connect-error-utf8: description size (1 MiB: far above any real server's text).
inline constexpr size_t kConnectErrorDescriptionBytes = 1024 * 1024;
// publish-status-utf8 / midstream-utf8 description sizes.
inline constexpr size_t kStatusDescriptionBytes = 64 * 1024;
// flood-control: a batch every kFloodStepMs for kFloodDurationMs, starting kFloodDelayMs after publish.
inline constexpr int64_t kFloodDelayMs = 1000;
inline constexpr int64_t kFloodDurationMs = 2000;
inline constexpr int64_t kFloodStepMs = 10;
inline constexpr int kFloodPingsPerStep = 20;
inline constexpr int kFloodAcksPerStep = 5;
// huge-length: announced message length (the 3-byte field's maximum, 16 MiB - 1) and how much of
// its body is sent before the ingest stops feeding that chunk stream.
inline constexpr uint32_t kHugeAnnouncedLength = 0xFFFFFF;
inline constexpr size_t kHugeBodyBytesSent = 1024 * 1024;
inline constexpr uint32_t kHugeChunkStreamId = 9; // a chunk stream the ingest uses for nothing else
// deep-amf: nesting depth of each value (a recursive parser without a bound overflows its stack).
inline constexpr size_t kDeepAmfDepth = 100000;
// stall-mid-stream: how long the ingest neither reads nor writes.
inline constexpr int64_t kStallMs = 3000;
// After an answer that ends the session (connect-error-utf8, goaway-then-garbage) the ingest
// leaves the closing to the client (closing at once could reset the connection before the
// client has read the answer) and closes the connection itself after this long.
inline constexpr int64_t kLingerMs = 5000;

/**
 * `size` bytes of text that is not UTF-8: lone continuation bytes, overlong encodings, UTF-16
 * surrogates, 0xFE/0xFF, a truncated sequence, NUL, ESC, CR/LF and other control characters,
 * repeated deterministically. Never valid UTF-8 (the first bytes are 0xFF 0xFE).
 */
std::string invalidUtf8Text(size_t size);

/** AMF0 bytes of one value nested `depth` times: objects {"a": {"a": ... null}} or strict arrays. */
std::vector<uint8_t> deepAmfObject(size_t depth);
std::vector<uint8_t> deepAmfStrictArray(size_t depth);

/**
 * A type-20 message whose payload is `body` verbatim (already AMF0, possibly broken) on the
 * command chunk stream.
 */
rtmp::Message rawCommand(std::vector<uint8_t> body, uint32_t streamId = 0);

/** The mistyped `_result` messages connect-result-mistyped sends before the real one. */
std::vector<rtmp::Message> mistypedConnectResults();
/** createstream-bad: _result answers to `transactionId` with NaN, a string, -1 and 1e300. */
std::vector<rtmp::Message> badCreateStreamResults(double transactionId);
/** mistyped-onstatus: onStatus messages with wrongly typed info objects / codes on `streamId`. */
std::vector<rtmp::Message> mistypedStatuses(uint32_t streamId);
/** goaway-then-garbage: what a new connection gets after its connect (then the node closes it). */
std::vector<uint8_t> garbageAfterConnect(uint32_t chunkSize);

/**
 * huge-length: a type-0 chunk header on kHugeChunkStreamId announcing `announcedLength` bytes of a
 * command message, followed by `bodyBytes` of its body split into `chunkSize` chunks (type-3
 * continuation headers). The message is never completed.
 */
std::vector<uint8_t> hugeLengthChunks(uint32_t announcedLength, size_t bodyBytes, uint32_t chunkSize);

} // namespace hostile

} // namespace goaway::ingest
