#include "Report.hpp"

#include "StreamName.hpp"

#include <algorithm>

namespace goaway::ingest {

namespace {

using nlohmann::json;

json optionalJson(const std::optional<int64_t> &v)
{
	return v ? json(*v) : json(nullptr);
}

std::string shownName(const std::string &name, bool showNames)
{
	if (name.empty())
		return name;
	return showNames ? name : "****";
}

/** A signal was acted on when the client itself closed afterwards and a later publish of the
 *  same stream took over from this connection. */
bool actedOn(const ConnectionRecord &c, const SignalRecord &s, const std::vector<StreamReport> &streams)
{
	if (c.closeReason != "client closed" || s.kind == "close")
		return false;
	for (const auto &stream : streams)
		for (const auto &cut : stream.summary.cutovers)
			if (cut.fromConnection == c.id && cut.signalAtMs && *cut.signalAtMs >= s.atMs)
				return true;
	return false;
}

} // namespace

json Report::connectionJson(const ConnectionRecord &c, const std::vector<StreamReport> &streams, bool showNames)
{
	json connect = nullptr;
	if (c.connectReceived) {
		connect = {{"supportsGoAway", c.supportsGoAway},
			   {"supportsGoAwayType",
			    c.supportsGoAwayType.empty() ? json(nullptr) : json(c.supportsGoAwayType)},
			   {"capsEx", c.capsEx ? json(static_cast<int64_t>(*c.capsEx)) : json(nullptr)},
			   {"fourCcList", c.fourCcList ? json(*c.fourCcList) : json(nullptr)},
			   {"flashVer", c.flashVer},
			   {"tcUrl", c.tcUrl}};
	}
	json signals = json::array();
	const uint64_t frames = c.videoFrames + c.audioFrames;
	for (const auto &s : c.signalsSent)
		signals.push_back({{"kind", s.kind},
				   {"atMs", s.atMs},
				   {"actedOn", actedOn(c, s, streams)},
				   {"framesAfter", frames - std::min(frames, s.framesBefore)}});
	json faults = json::array();
	for (const auto &f : c.faults)
		faults.push_back({{"kind", f.kind},
				  {"cause", f.cause},
				  {"atMs", f.atMs},
				  {"videoFramesRead", f.videoFramesRead},
				  {"audioFramesRead", f.audioFramesRead},
				  {"framesRead", f.videoFramesRead + f.audioFramesRead},
				  {"bytesRead", f.bytesRead}});
	const bool published = c.publishedAtMs.has_value();
	json firstMedia = nullptr;
	if (published) {
		// Go Away spec: a resumed stream restarts with metadata, sequence headers and a keyframe
		// (audio-only: any audio frame after its header).
		const bool videoOk = !c.sawVideoFrame || (c.videoHeaderFirst && c.firstVideoKeyframe);
		const bool audioOk = !c.sawAudioFrame || c.audioHeaderFirst;
		const bool ok = c.metadataFirst && videoOk && audioOk && (c.sawVideoFrame || c.sawAudioFrame);
		firstMedia = {{"metadata", c.metadataFirst},
			      {"videoHeader", c.videoHeaderFirst},
			      {"audioHeader", c.audioHeaderFirst},
			      {"keyframe", c.firstVideoKeyframe},
			      {"ok", ok}};
	}
	return {{"id", c.id},
		{"node", c.node},
		{"remote", c.remote},
		{"app", c.connectReceived ? json(c.app) : json(nullptr)},
		{"stream", published ? json(shownName(c.stream, showNames)) : json(nullptr)},
		{"streamId", published ? json(StreamName::id(c.stream)) : json(nullptr)},
		{"connect", connect},
		{"acceptedAtMs", c.acceptedAtMs},
		{"publishedAtMs", optionalJson(c.publishedAtMs)},
		{"closedAtMs", optionalJson(c.closedAtMs)},
		{"closeReason", c.closeReason.empty() ? json(nullptr) : json(c.closeReason)},
		{"fcUnpublish", c.fcUnpublish},
		{"deleteStream", c.deleteStream},
		{"firstMedia", firstMedia},
		{"signalsSent", signals},
		{"videoFrames", c.videoFrames},
		{"audioFrames", c.audioFrames},
		{"keyframes", c.keyframes},
		{"bytes", c.bytes},
		{"faults", faults},
		{"windowAckSize", c.windowAckSize},
		{"acknowledgements", c.acknowledgements},
		{"lastAckSequence", c.lastAckSequence}};
}

json Report::build(const std::vector<ConnectionRecord> &connections, const std::vector<StreamReport> &streams,
		   bool showNames)
{
	json report;
	json conns = json::array();
	uint64_t signalCount = 0;
	uint64_t faultCount = 0;
	for (const auto &c : connections) {
		conns.push_back(connectionJson(c, streams, showNames));
		signalCount += c.signalsSent.size();
		faultCount += c.faults.size();
	}
	json list = json::array();
	for (const auto &s : streams) {
		const StreamSummary &m = s.summary;
		json cutovers = json::array();
		for (const auto &c : m.cutovers)
			cutovers.push_back({{"fromConnection", c.fromConnection},
					    {"toConnection", c.toConnection},
					    {"signal", c.signal},
					    {"signalAtMs", optionalJson(c.signalAtMs)},
					    {"lastMediaOldAtMs", optionalJson(c.lastMediaOldAtMs)},
					    {"firstMediaNewAtMs", optionalJson(c.firstMediaNewAtMs)},
					    {"deadAirMs", optionalJson(c.deadAirMs)},
					    {"windowFromMs", optionalJson(c.windowFromMs)},
					    {"windowToMs", optionalJson(c.windowToMs)},
					    {"switchGapMs", optionalJson(c.switchGapMs)},
					    {"cutoverDelayMs", optionalJson(c.cutoverDelayMs)},
					    {"timestampReset", c.timestampReset},
					    {"timestampOffsetMs", c.timestampOffsetMs}});
		list.push_back({{"name", shownName(m.name, showNames)},
				{"id", StreamName::id(m.name)},
				{"connections", m.connections},
				{"videoFrames", m.videoFrames},
				{"audioFrames", m.audioFrames},
				{"uniqueVideoFrames", m.uniqueVideoFrames},
				{"uniqueAudioFrames", m.uniqueAudioFrames},
				{"missingVideoFrames", m.missingVideoFrames},
				{"missingAudioFrames", m.missingAudioFrames},
				{"duplicateFrames", m.duplicateFrames},
				{"medianVideoIntervalMs", m.medianVideoIntervalMs},
				{"medianAudioIntervalMs", m.medianAudioIntervalMs},
				{"maxDeadAirMs", m.maxDeadAirMs},
				{"maxSwitchGapMs", m.maxSwitchGapMs},
				{"ordinaryGapMs", m.ordinaryGapMs},
				{"ordinaryGapMaxMs", m.ordinaryGapMaxMs},
				{"ordinaryWindows", m.ordinaryWindows},
				{"maxMediaGapMs", m.maxMediaGapMs},
				{"cutovers", cutovers},
				{"flv", s.flvPath ? json(*s.flvPath) : json(nullptr)}});
	}
	report["connections"] = conns;
	report["streams"] = list;
	report["signalsSent"] = signalCount;
	report["faultsInjected"] = faultCount;
	report["summary"] = summaryLine(report);
	return report;
}

std::string Report::summaryLine(const json &report)
{
	uint64_t video = 0, audio = 0, missing = 0, duplicates = 0;
	int64_t deadAir = 0, ordinary = 0, switchGap = 0;
	for (const auto &s : report["streams"]) {
		video += s["uniqueVideoFrames"].get<uint64_t>();
		audio += s["uniqueAudioFrames"].get<uint64_t>();
		missing += s["missingVideoFrames"].get<uint64_t>() + s["missingAudioFrames"].get<uint64_t>();
		duplicates += s["duplicateFrames"].get<uint64_t>();
		deadAir = std::max(deadAir, s["maxDeadAirMs"].get<int64_t>());
		ordinary = std::max(ordinary, s["ordinaryGapMs"].get<int64_t>());
		switchGap = std::max(switchGap, s["maxSwitchGapMs"].get<int64_t>());
	}
	return "goaway-ingest: streams=" + std::to_string(report["streams"].size()) +
	       " connections=" + std::to_string(report["connections"].size()) + " video=" + std::to_string(video) +
	       " audio=" + std::to_string(audio) + " missing=" + std::to_string(missing) +
	       " duplicates=" + std::to_string(duplicates) + " max_dead_air_ms=" + std::to_string(deadAir) +
	       " ordinary_gap_ms=" + std::to_string(ordinary) + " max_switch_gap_ms=" + std::to_string(switchGap) +
	       " signals=" + std::to_string(report["signalsSent"].get<uint64_t>()) +
	       (report.value("faultsInjected", uint64_t(0)) > 0
			? " faults=" + std::to_string(report["faultsInjected"].get<uint64_t>())
			: std::string());
}

} // namespace goaway::ingest
