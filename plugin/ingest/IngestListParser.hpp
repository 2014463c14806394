#pragma once
// Pure parsing of an HTTP ingest list body (no network): the Twitch / Amazon IVS shape and the
// generic shape documented in plugin/ingest/README.md. Bytes in, entries or a reason out.

#include "IngestUrl.hpp"
#include "../common/Result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace goaway::ingest {

/** One usable ingest from a list, ordered best first by parseIngestList. */
struct IngestEntry {
	std::string name;
	IngestUrl url;       // may carry the stream key when the template asked for it in the middle
	double priority = 0; // lower first
	bool isDefault = false;
	double availability = 1;
};

struct ParsedIngestList {
	const char *shape = "";            // "twitch" or "generic"
	std::vector<IngestEntry> entries;  // never empty on success
	std::vector<std::string> rejected; // "entry 3 (name): reason", safe to log
};

struct IngestListParseOptions {
	/** The current session is rtmps: take url_template_secure; rtmp entries need allowDowngrade. */
	bool secure = false;
	bool allowDowngrade = false;
	/** Substituted for "{stream_key}" where a template has it anywhere but as the trailing path
	 *  segment (a trailing "/{stream_key}" is stripped: the key is published as the stream name). */
	std::string streamKey;
};

/** Parses and validates a list. Errors (ErrorCode::Resolver): not JSON, wrong shape, or no
 *  usable entry (the message then lists why each entry was rejected). */
Result<ParsedIngestList> parseIngestList(std::string_view body, const IngestListParseOptions &options);

} // namespace goaway::ingest
