#pragma once
// goaway-ingest command line: every flag, parsed into values. `goaway-ingest --help` prints helpText().

#include "HostileProfile.hpp"
#include "plugin/common/Result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace goaway::ingest {

/** One listening node: `--listen HOST:PORT[,option...]`. */
struct NodeOptions {
	std::string name; // n0, n1, ... unless name=... is given
	std::string host = "127.0.0.1";
	uint16_t port = 0;
	int latencyMs = -1;         // one-way delay added to every byte sent and read; -1 = --latency-ms
	bool refuse = false;        // close every connection right after accept
	bool hang = false;          // accept, then never read or answer (no handshake)
	bool rejectPublish = false; // answer publish with onStatus NetStream.Publish.BadName
	int dropMidGopMs = -1;      // drop a publisher at the first non-key video frame this long after publish
	int dropAfterSignalMs = -1; // same, counted from a signal sent to it
	// Failures without a signal (README.md "Failures without a signal"), each counted from a publish:
	int64_t resetAfterMs = -1;           // TCP RST at the first non-key video frame this long after publish
	int64_t stallAfterMs = -1;           // stop reading and answering this long after publish
	int64_t stallHoldMs = -1;            // a stalled connection is reset after this long stalled; -1 = never
	int faultLimit = 0;                  // faults=N: at most N faults injected on this node; 0 = no limit
	bool ack = true;                     // honour the client's Window Acknowledgement Size (ack=on|off)
	int readRateKbps = 0;                // read-rate=KBIT: read at most this fast per connection; 0 = no limit
	std::vector<HostileProfile> hostile; // hostile=NAME (repeatable), on top of --hostile
};

enum class SignalKind { GoAway, Reconnect };
// Reset and Stall: no signal at all (a TCP RST; a node that stops reading and answering).
enum class SignalMode { Signal, Close, Auto, Reset, Stall };
enum class TcUrlForm { None, Absolute, SchemeRelative, PathRelative };

struct Options {
	std::vector<NodeOptions> nodes;
	std::string controlHost = "127.0.0.1";
	int controlPort = -1; // -1: no control endpoint
	std::string readyFile;
	std::string reportFile;
	std::string flvDir;
	std::string mediaLog;       // one line per audio / video message (benchmarks: latency per message)
	double durationSeconds = 0; // 0 = until SIGINT / SIGTERM / quit
	SignalKind signal = SignalKind::GoAway;
	SignalMode mode = SignalMode::Signal;
	int64_t signalEveryMs = 0; // 0 = only on command
	int signalCount = 0;       // scheduled rounds before the schedule stops; 0 = no limit
	bool goAwayEmptyBody = false;
	uint32_t goAwayChunkStreamId = 2;
	TcUrlForm reconnectTcUrl = TcUrlForm::Absolute;
	bool signalAll = false; // also signal clients that did not announce support
	bool refuseSecondPublisher = false;
	int latencyMs = 0;
	uint32_t chunkSize = 4096;
	uint32_t maxIncomingChunkSize = 0; // 0 = constants::kMaxIncomingChunkSize
	bool showStreamNames = false;
	std::vector<HostileProfile> hostile; // --hostile: every node misbehaves this way (README.md)
	bool verbose = false;
	bool help = false;

	/** Parses argv; errors name the flag and what is accepted. */
	static Result<Options> parse(int argc, const char *const *argv);
	static std::string helpText();
	/** "10s", "500ms", "2m" or a plain number of seconds, in milliseconds. */
	static Result<int64_t> parseDurationMs(const std::string &text);
	/** HOST:PORT[,opt...] with [v6]:port accepted; `index` names it n<index> by default. */
	static Result<NodeOptions> parseNode(const std::string &text, size_t index);
	/** A comma-separated list of hostile profile names, added to `into` (no duplicates). */
	static Result<void> parseHostile(const std::string &text, std::vector<HostileProfile> &into);
};

const char *signalKindName(SignalKind kind);
const char *tcUrlFormName(TcUrlForm form);
std::optional<TcUrlForm> parseTcUrlForm(const std::string &text);

} // namespace goaway::ingest
