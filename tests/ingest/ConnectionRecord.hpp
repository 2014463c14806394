#pragma once
// Everything the report says about one client connection (filled in by ClientConnection).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace goaway::ingest {

struct SignalRecord {
	std::string kind; // "goaway", "reconnect" or "close"
	int64_t atMs = 0;
	uint64_t framesBefore = 0; // audio + video frames received on the connection before the signal
};

/** A failure the node injected without a signal (README.md "Failures without a signal"). */
struct FaultRecord {
	std::string kind;  // "reset" (TCP RST) or "stall" (stopped reading and answering)
	std::string cause; // "reset-after", "stall-after", "stall-hold", "command", "schedule"
	int64_t atMs = 0;
	uint64_t videoFramesRead = 0; // media the node had read (demuxed) on the connection at that point
	uint64_t audioFramesRead = 0;
	uint64_t bytesRead = 0;
};

struct ConnectionRecord {
	uint64_t id = 0;
	std::string node;
	size_t nodeIndex = 0;
	std::string remote;
	int64_t acceptedAtMs = 0;

	// connect command object (RTMP spec 7.2.1.1 plus the Go Away / E-RTMP fields)
	bool connectReceived = false;
	std::string app;
	std::string flashVer;
	std::string tcUrl;
	bool supportsGoAway = false;    // announced with a truthy value
	std::string supportsGoAwayType; // "boolean" / "number" / "string" / "" (absent)
	std::optional<double> capsEx;   // E-RTMP v2 capability flags
	std::optional<std::vector<std::string>> fourCcList;

	std::string stream; // published stream name, query string removed (a stream key: redact it)
	std::optional<int64_t> publishedAtMs;
	std::optional<int64_t> closedAtMs;
	std::string closeReason;
	bool fcUnpublish = false;
	bool deleteStream = false;

	// What came first after publish (a resumed stream must restart with these).
	bool metadataFirst = false;    // onMetaData before the first frame
	bool videoHeaderFirst = false; // video sequence header before the first video frame
	bool audioHeaderFirst = false; // audio sequence header before the first audio frame
	bool firstVideoKeyframe = false;
	bool sawVideoFrame = false;
	bool sawAudioFrame = false;

	std::vector<SignalRecord> signalsSent;
	uint64_t videoFrames = 0; // sequence headers excluded
	uint64_t audioFrames = 0;
	uint64_t keyframes = 0;
	// Bytes the node read (handshake included): bytes still in the socket buffer or in the emulated
	// latency are not counted, so a stalled node's figure stays where it stopped.
	uint64_t bytes = 0;
	std::vector<FaultRecord> faults;
	uint32_t windowAckSize = 0;    // the client's Window Acknowledgement Size (0 = none announced)
	uint64_t acknowledgements = 0; // Acknowledgement messages sent
	uint64_t lastAckSequence = 0;  // sequence number of the last one (bytes after the handshake)
	std::optional<int64_t> lastMediaAtMs;
};

} // namespace goaway::ingest
