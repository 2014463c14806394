#pragma once
// One logical stream assembled from every publish of the same stream name (on any node), and the
// arithmetic of the report: frames, gaps, duplicates, dead air, cutovers. Pure: times are passed in.

#include "MediaInfo.hpp"
#include "StreamSummary.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <utility>
#include <string>
#include <vector>

namespace goaway::ingest {

class StreamStitcher {
public:
	explicit StreamStitcher(std::string name);

	const std::string &name() const { return name_; }

	void onPublish(uint64_t connectionId, int64_t atMs);
	/** A signal (goaway / reconnect / close) the ingest sent to a publishing connection. */
	void onSignal(uint64_t connectionId, const std::string &kind, int64_t atMs);
	/** `@setDataFrame onMetaData`: the output timestamp when it goes to the stitched output (the
	 *  first one only), nullopt otherwise. */
	std::optional<uint32_t> onMetadata(uint64_t connectionId, int64_t atMs);
	/**
	 * An audio / video message. Returns the timestamp to write it with when it belongs in the
	 * stitched output (frames not already received on an earlier connection, sequence headers
	 * that differ from the last one written for their track), nullopt otherwise.
	 *
	 * A publisher whose timestamps restart (its first frame lies well before where the previous
	 * publisher stopped, in the first half of that publisher's span) is shifted to continue after
	 * the previous publisher's last frame; the cutover reports the reset and the shift.
	 */
	std::optional<uint32_t> onMedia(uint64_t connectionId, uint32_t timestamp, const MediaInfo &info,
					std::span<const uint8_t> body, int64_t atMs);

	StreamSummary summary() const;

	/**
	 * Frames missing from sorted, distinct timestamps: each interval above 1.5 x the median
	 * interval counts round(interval / median) - 1 frames. `median` receives the median interval.
	 */
	static uint64_t countMissing(const std::vector<uint32_t> &sortedTimestamps, double *median = nullptr);
	/** Largest gap between consecutive values of the sorted `times` that lie within [from, to]. */
	static int64_t largestGap(const std::vector<int64_t> &times, int64_t from, int64_t to);

private:
	struct Publisher {
		uint64_t id = 0;
		int64_t publishedAtMs = 0;
		bool hasMedia = false;
		int64_t firstMediaAtMs = 0;
		int64_t lastMediaAtMs = 0;
		std::vector<std::pair<std::string, int64_t>> signals;
		bool hasFrame = false; // timestamps of its frames, as sent (before any shift)
		int64_t firstTimestamp = 0;
		int64_t lastTimestamp = 0;
		bool offsetDecided = false;
		bool timestampReset = false;
		int64_t offset = 0; // added to its timestamps in the stitched stream
	};
	struct TrackState {
		std::map<uint32_t, uint64_t> firstConnectionByTimestamp;
		uint64_t received = 0;
		uint64_t duplicates = 0;
		std::vector<uint8_t> lastHeader;
	};

	/** Fills s.ordinaryGap*: the stream outside the seam windows, in kOrdinaryWindowMs windows. */
	void ordinaryGaps(const std::vector<std::pair<int64_t, int64_t>> &seamWindows, StreamSummary &s) const;
	Publisher *find(uint64_t connectionId);
	void decideOffset(Publisher &p, uint32_t firstTimestamp);
	uint32_t output(int64_t timestamp, bool clampToLast);
	const Publisher *find(uint64_t connectionId) const;

	std::string name_;
	std::vector<Publisher> publishers_;  // in publish order
	std::vector<int64_t> mediaArrivals_; // wall-clock arrival of every audio / video message
	TrackState video_;
	TrackState audio_;
	bool metadataWritten_ = false;
	uint32_t lastOutputTimestamp_ = 0;
	int64_t maxMediaGapMs_ = 0;
};

} // namespace goaway::ingest
