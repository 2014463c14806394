#include "StreamStitcher.hpp"

#include <algorithm>
#include <cmath>

namespace goaway::ingest {

namespace {

// A gap above 1.5 intervals means at least one frame is absent (the definition): it
// tolerates the 33/34 ms and 23/24 ms rounding of millisecond timestamps.
constexpr double kMissingGapFactor = 1.5;
// A new publisher starting this far before where the previous one stopped restarted its clock
// (OBS 29.0.2 does after Go Away); smaller steps back are re-sent frames (duplicates).
constexpr int64_t kTimestampResetMinStepBackMs = 1000;
// Issue 19: dead air is what a viewer sees around a seam, not only the old -> new step (a new
// connection that stalls after its keyframe is a hole too). The window opens this long before the
// signal (or the failure) and closes this long after the new connection's first media.
constexpr int64_t kSeamWindowBeforeMs = 1000;
constexpr int64_t kSeamWindowAfterMs = 1000;
// Ordinary stretches are measured in windows about as long as a seam's, so the two largest gaps
// compare like with like (a longer window sees more of the machine's rare hiccups).
constexpr int64_t kOrdinaryWindowMs = 2000;
// The encoder's and the sender's start-up is no ordinary stretch.
constexpr int64_t kOrdinarySkipAtStartMs = 1000;

} // namespace

StreamStitcher::StreamStitcher(std::string name) : name_(std::move(name)) {}

StreamStitcher::Publisher *StreamStitcher::find(uint64_t connectionId)
{
	for (auto &p : publishers_)
		if (p.id == connectionId)
			return &p;
	return nullptr;
}

const StreamStitcher::Publisher *StreamStitcher::find(uint64_t connectionId) const
{
	for (const auto &p : publishers_)
		if (p.id == connectionId)
			return &p;
	return nullptr;
}

void StreamStitcher::onPublish(uint64_t connectionId, int64_t atMs)
{
	if (find(connectionId))
		return;
	Publisher p;
	p.id = connectionId;
	p.publishedAtMs = atMs;
	publishers_.push_back(std::move(p));
}

void StreamStitcher::onSignal(uint64_t connectionId, const std::string &kind, int64_t atMs)
{
	if (Publisher *p = find(connectionId))
		p->signals.emplace_back(kind, atMs);
}

std::optional<uint32_t> StreamStitcher::onMetadata(uint64_t connectionId, int64_t atMs)
{
	if (metadataWritten_)
		return std::nullopt;
	metadataWritten_ = true;
	return lastOutputTimestamp_;
}

uint32_t StreamStitcher::output(int64_t timestamp, bool clampToLast)
{
	const uint32_t t = static_cast<uint32_t>(std::max<int64_t>(timestamp, 0));
	// Headers and metadata of a new publisher arrive before its first frame decides its shift:
	// they are written at the current end of the stitched file, never back in time.
	const uint32_t out = clampToLast ? std::max(t, lastOutputTimestamp_) : t;
	lastOutputTimestamp_ = std::max(lastOutputTimestamp_, out);
	return out;
}

void StreamStitcher::decideOffset(Publisher &p, uint32_t firstTimestamp)
{
	p.offsetDecided = true;
	const Publisher *previous = nullptr;
	for (const auto &candidate : publishers_) {
		if (candidate.id == p.id)
			break;
		if (candidate.hasFrame)
			previous = &candidate;
	}
	if (!previous)
		return;
	const int64_t prevFirst = previous->firstTimestamp + previous->offset;
	const int64_t prevLast = previous->lastTimestamp + previous->offset;
	const int64_t first = firstTimestamp;
	if (first + kTimestampResetMinStepBackMs < prevLast && first < prevFirst + (prevLast - prevFirst) / 2) {
		p.timestampReset = true;
		p.offset = prevLast + 1 - first;
	}
}

std::optional<uint32_t> StreamStitcher::onMedia(uint64_t connectionId, uint32_t timestamp, const MediaInfo &info,
						std::span<const uint8_t> body, int64_t atMs)
{
	Publisher *p = find(connectionId);
	if (!p)
		return std::nullopt; // media before publish is not part of any stream
	if (!mediaArrivals_.empty())
		maxMediaGapMs_ = std::max(maxMediaGapMs_, atMs - mediaArrivals_.back());
	mediaArrivals_.push_back(atMs);
	if (!p->hasMedia) {
		p->hasMedia = true;
		p->firstMediaAtMs = atMs;
	}
	p->lastMediaAtMs = atMs;

	TrackState &track = info.track == Track::Video ? video_ : audio_;
	if (info.sequenceHeader) {
		if (track.lastHeader.size() == body.size() &&
		    std::equal(body.begin(), body.end(), track.lastHeader.begin()))
			return std::nullopt;
		track.lastHeader.assign(body.begin(), body.end());
		return output(p->offsetDecided ? timestamp + p->offset : 0, true);
	}
	if (!info.frame)
		return output(timestamp + p->offset, true); // end of sequence and similar: passed through, not counted
	if (!p->offsetDecided)
		decideOffset(*p, timestamp);
	if (!p->hasFrame) {
		p->hasFrame = true;
		p->firstTimestamp = timestamp;
	}
	p->lastTimestamp = std::max<int64_t>(p->lastTimestamp, timestamp);
	++track.received;
	const int64_t shifted = timestamp + p->offset;
	const uint32_t key = static_cast<uint32_t>(std::max<int64_t>(shifted, 0));
	auto [it, inserted] = track.firstConnectionByTimestamp.emplace(key, connectionId);
	if (!inserted && it->second != connectionId) {
		// Already received on an earlier connection: a re-send across the seam.
		++track.duplicates;
		return std::nullopt;
	}
	return output(shifted, false);
}

uint64_t StreamStitcher::countMissing(const std::vector<uint32_t> &sorted, double *median)
{
	if (median)
		*median = 0;
	if (sorted.size() < 3)
		return 0;
	std::vector<uint32_t> intervals;
	intervals.reserve(sorted.size() - 1);
	for (size_t i = 1; i < sorted.size(); ++i)
		intervals.push_back(sorted[i] - sorted[i - 1]);
	std::vector<uint32_t> ordered = intervals;
	const size_t mid = ordered.size() / 2;
	std::nth_element(ordered.begin(), ordered.begin() + static_cast<std::ptrdiff_t>(mid), ordered.end());
	double m = ordered[mid];
	if (ordered.size() % 2 == 0) {
		const uint32_t lower =
			*std::max_element(ordered.begin(), ordered.begin() + static_cast<std::ptrdiff_t>(mid));
		m = (m + lower) / 2.0;
	}
	if (median)
		*median = m;
	if (m <= 0)
		return 0;
	uint64_t missing = 0;
	for (uint32_t gap : intervals) {
		if (gap > kMissingGapFactor * m) {
			const long long frames = std::llround(gap / m) - 1;
			missing += frames > 0 ? static_cast<uint64_t>(frames) : 1;
		}
	}
	return missing;
}

int64_t StreamStitcher::largestGap(const std::vector<int64_t> &times, int64_t from, int64_t to)
{
	auto begin = std::lower_bound(times.begin(), times.end(), from);
	auto end = std::upper_bound(times.begin(), times.end(), to);
	int64_t gap = 0;
	for (auto it = begin; it != end && std::next(it) != end; ++it)
		gap = std::max(gap, *std::next(it) - *it);
	return gap;
}

void StreamStitcher::ordinaryGaps(const std::vector<std::pair<int64_t, int64_t>> &seamWindows, StreamSummary &s) const
{
	if (mediaArrivals_.empty())
		return;
	std::vector<int64_t> gaps;
	const int64_t end = mediaArrivals_.back();
	for (int64_t t = mediaArrivals_.front() + kOrdinarySkipAtStartMs; t + kOrdinaryWindowMs <= end;) {
		int64_t skipTo = t;
		for (const auto &[from, to] : seamWindows)
			if (from <= t + kOrdinaryWindowMs && to >= t)
				skipTo = std::max(skipTo, to + 1);
		if (skipTo > t) {
			t = skipTo;
			continue;
		}
		gaps.push_back(largestGap(mediaArrivals_, t, t + kOrdinaryWindowMs));
		t += kOrdinaryWindowMs;
	}
	if (gaps.empty())
		return;
	std::sort(gaps.begin(), gaps.end());
	s.ordinaryWindows = static_cast<uint32_t>(gaps.size());
	s.ordinaryGapMs = gaps[gaps.size() / 2];
	s.ordinaryGapMaxMs = gaps.back();
}

StreamSummary StreamStitcher::summary() const
{
	StreamSummary s;
	s.name = name_;
	s.connections = static_cast<uint32_t>(publishers_.size());
	s.videoFrames = video_.received;
	s.audioFrames = audio_.received;
	s.uniqueVideoFrames = video_.received - video_.duplicates;
	s.uniqueAudioFrames = audio_.received - audio_.duplicates;
	s.duplicateFrames = video_.duplicates + audio_.duplicates;
	auto keys = [](const TrackState &t) {
		std::vector<uint32_t> k;
		k.reserve(t.firstConnectionByTimestamp.size());
		for (const auto &entry : t.firstConnectionByTimestamp)
			k.push_back(entry.first);
		return k;
	};
	s.missingVideoFrames = countMissing(keys(video_), &s.medianVideoIntervalMs);
	s.missingAudioFrames = countMissing(keys(audio_), &s.medianAudioIntervalMs);
	s.maxMediaGapMs = maxMediaGapMs_;

	std::vector<std::pair<int64_t, int64_t>> seamWindows;
	for (size_t i = 1; i < publishers_.size(); ++i) {
		const Publisher &from = publishers_[i - 1];
		const Publisher &to = publishers_[i];
		Cutover c;
		c.fromConnection = from.id;
		c.toConnection = to.id;
		for (const auto &[kind, at] : from.signals) {
			if (at <= to.publishedAtMs) {
				c.signal = kind;
				c.signalAtMs = at;
			}
		}
		if (from.hasMedia)
			c.lastMediaOldAtMs = from.lastMediaAtMs;
		if (to.hasMedia)
			c.firstMediaNewAtMs = to.firstMediaAtMs;
		if (from.hasMedia && to.hasMedia) {
			const int64_t a = std::min(from.lastMediaAtMs, to.firstMediaAtMs);
			const int64_t b = std::max(from.lastMediaAtMs, to.firstMediaAtMs);
			c.switchGapMs = largestGap(mediaArrivals_, a, b);
			s.maxSwitchGapMs = std::max(s.maxSwitchGapMs, *c.switchGapMs);
		}
		if (to.hasMedia && (c.signalAtMs || from.hasMedia)) {
			// No signal: the connection failed (or the client left by itself) after its last media.
			const int64_t anchor = c.signalAtMs ? *c.signalAtMs : from.lastMediaAtMs;
			c.windowFromMs = std::min(anchor, to.firstMediaAtMs) - kSeamWindowBeforeMs;
			c.windowToMs = to.firstMediaAtMs + kSeamWindowAfterMs;
			c.deadAirMs = largestGap(mediaArrivals_, *c.windowFromMs, *c.windowToMs);
			s.maxDeadAirMs = std::max(s.maxDeadAirMs, *c.deadAirMs);
			seamWindows.emplace_back(*c.windowFromMs, *c.windowToMs);
		}
		if (c.signalAtMs && to.hasMedia)
			c.cutoverDelayMs = to.firstMediaAtMs - *c.signalAtMs;
		c.timestampReset = to.timestampReset;
		c.timestampOffsetMs = to.offset;
		s.cutovers.push_back(std::move(c));
	}
	ordinaryGaps(seamWindows, s);
	return s;
}

} // namespace goaway::ingest
