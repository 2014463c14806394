// libFuzzer target: RTMP URL parsing and E-RTMP v2 tcUrl resolution (the tcUrl of a
// ReconnectRequest comes from the server). Input: "<current URL>\n<candidate tcUrl>". A
// resolved URL must print as a tcUrl that parses again, and no error may quote the stream key.
#include "plugin/ingest/IngestUrl.hpp"
#include "plugin/rtmp/RtmpUrl.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void checkResolved(const goaway::rtmp::RtmpUrl &url)
{
	const std::string tc = url.tcUrl();
	(void)url.hostPort();
	(void)url.redacted();
	if (!goaway::rtmp::parseRtmpUrl(tc))
		std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	using namespace goaway;
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	const size_t nl = text.find('\n');
	const std::string_view first = text.substr(0, nl);
	const std::string_view candidate = nl == std::string_view::npos ? text : text.substr(nl + 1);

	rtmp::RtmpUrl current = *rtmp::parseRtmpUrl("rtmps://ingest.example:443/app");
	if (auto parsed = rtmp::parseRtmpUrl(first, rtmp::StreamInPath::Yes)) {
		(void)parsed->redacted();
		current = *parsed;
		current.stream.clear();
	}
	if (auto parsed = rtmp::parseRtmpUrl(first))
		checkResolved(*parsed);
	if (auto next = rtmp::resolveTcUrl(current, candidate))
		checkResolved(*next);
	for (bool downgrade : {false, true})
		if (auto next = ingest::resolveReconnectTcUrl(current, candidate, downgrade)) {
			checkResolved(*next);
			if (!downgrade && current.tls && !next->tls)
				std::abort(); // rtmps must never be downgraded without consent
		}
	if (auto url = ingest::parseIngestUrl(candidate))
		checkResolved(*url);
	// A stream key in the path never reaches an error message.
	const std::string keyed = std::string(candidate) + "/fuzzSecretKey123";
	if (auto bad = rtmp::parseRtmpUrl(keyed, rtmp::StreamInPath::Yes);
	    !bad && text.find("fuzzSecretKey123") == std::string_view::npos) {
		if (bad.error().message.find("fuzzSecretKey123") != std::string::npos)
			std::abort();
	}
	(void)ingest::redactSecret(std::string(text), "key");
	return 0;
}
