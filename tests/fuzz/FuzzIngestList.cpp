// libFuzzer target: the HTTP ingest list body (JSON from a server). Success always means at
// least one entry whose URL prints and parses again; the stream key never appears in a reason.
#include "plugin/common/Log.hpp"
#include "plugin/ingest/IngestListParser.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
void quiet(goaway::LogLevel, const char *) {}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	using namespace goaway::ingest;
	static const bool init = (goaway::setLogSink(quiet), true);
	(void)init;
	if (size < 1)
		return 0;
	IngestListParseOptions options;
	options.secure = data[0] & 1;
	options.allowDowngrade = data[0] & 2;
	options.streamKey = "fuzzSecretKey123";
	const std::string_view body(reinterpret_cast<const char *>(data + 1), size - 1);
	auto list = parseIngestList(body, options);
	// Only a key that came from the options counts: names in the body are quoted in reasons.
	const bool keyInBody = body.find("fuzzSecretKey123") != std::string_view::npos;
	if (!list) {
		if (!keyInBody && list.error().message.find("fuzzSecretKey123") != std::string::npos)
			std::abort();
		return 0;
	}
	if (list->entries.empty())
		std::abort();
	for (const auto &e : list->entries) {
		(void)e.url.redacted();
		if (!goaway::rtmp::parseRtmpUrl(e.url.tcUrl()))
			std::abort();
	}
	for (const auto &r : list->rejected)
		if (!keyInBody && r.find("fuzzSecretKey123") != std::string::npos)
			std::abort();
	return 0;
}
