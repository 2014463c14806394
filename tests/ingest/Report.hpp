#pragma once
// The JSON report (schema in README.md) and the one-line summary printed at exit.

#include "ConnectionRecord.hpp"
#include "StreamSummary.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace goaway::ingest {

struct StreamReport {
	StreamSummary summary;
	std::optional<std::string> flvPath;
};

class Report {
public:
	/** Builds the report. Stream names are redacted unless `showNames`. */
	static nlohmann::json build(const std::vector<ConnectionRecord> &connections,
				    const std::vector<StreamReport> &streams, bool showNames);
	/** "goaway-ingest: streams=1 connections=4 video=1800 audio=2812 missing=0 duplicates=0 max_dead_air_ms=12 signals=3" */
	static std::string summaryLine(const nlohmann::json &report);
	/** JSON for one connection (also used by the stats command). */
	static nlohmann::json connectionJson(const ConnectionRecord &c, const std::vector<StreamReport> &streams,
					     bool showNames);
};

} // namespace goaway::ingest
