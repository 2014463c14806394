#pragma once
// Figures for one stitched logical stream (what the report's "streams" entries hold).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace goaway::ingest {

/** The hand-over from one publishing connection of a stream to the next one. */
struct Cutover {
	uint64_t fromConnection = 0;
	uint64_t toConnection = 0;
	std::string signal = "none"; // last signal sent to the old connection before the new publish
	std::optional<int64_t> signalAtMs;
	std::optional<int64_t> lastMediaOldAtMs;
	std::optional<int64_t> firstMediaNewAtMs;
	std::optional<int64_t> deadAirMs;      // largest gap between media arrivals across the seam
	std::optional<int64_t> cutoverDelayMs; // signal sent -> first media on the new connection
	bool timestampReset = false;           // the new connection restarted its timestamps
	int64_t timestampOffsetMs = 0;         // shift applied to the new connection's timestamps
};

struct StreamSummary {
	std::string name;
	uint32_t connections = 0;
	uint64_t videoFrames = 0; // received, every connection, duplicates included
	uint64_t audioFrames = 0;
	uint64_t uniqueVideoFrames = 0; // kept in the stitched output
	uint64_t uniqueAudioFrames = 0;
	uint64_t missingVideoFrames = 0;
	uint64_t missingAudioFrames = 0;
	uint64_t duplicateFrames = 0;
	double medianVideoIntervalMs = 0;
	double medianAudioIntervalMs = 0;
	int64_t maxDeadAirMs = 0;  // over the cutovers
	int64_t maxMediaGapMs = 0; // anywhere in the stream, cutover or not
	std::vector<Cutover> cutovers;
};

} // namespace goaway::ingest
