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
	/// Dead air as a viewer feels it: the largest gap between media arrivals (any connection) from
	/// 1 s before the signal (no signal: the old connection's last media) to 1 s after the new
	/// connection's first media. Compare it with StreamSummary::ordinaryGapMs.
	std::optional<int64_t> deadAirMs;
	std::optional<int64_t> windowFromMs; // the window deadAirMs looked at
	std::optional<int64_t> windowToMs;
	std::optional<int64_t> switchGapMs;    // largest gap between the old's last and the new's first media
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
	int64_t maxDeadAirMs = 0;   // windowed dead air, over the cutovers
	int64_t maxSwitchGapMs = 0; // switch gap, over the cutovers
	/// The same statistic as a cutover's deadAirMs for ordinary stretches: the stream outside every
	/// seam window (and its first second) cut into 2 s windows, each window's largest gap between
	/// media arrivals; the median of those (the machine's and encoder's own jitter) and the largest.
	int64_t ordinaryGapMs = 0;
	int64_t ordinaryGapMaxMs = 0;
	uint32_t ordinaryWindows = 0;
	int64_t maxMediaGapMs = 0; // anywhere in the stream, cutover or not
	std::vector<Cutover> cutovers;
};

} // namespace goaway::ingest
