#pragma once
// A published stream name is a stream key: these helpers keep it out of logs and reports.

#include <string>

namespace goaway::ingest {

class StreamName {
public:
	/** The name without its query string ("key?token=..." -> "key"): what publishes are stitched by. */
	static std::string strip(const std::string &name);
	/** What logs show: never the name itself. */
	static std::string redact(const std::string &name);
	/** A short stable id for the name (FNV-1a, 32 bits, hex): tells streams apart in a report without
	 *  revealing them. */
	static std::string id(const std::string &name);
};

} // namespace goaway::ingest
