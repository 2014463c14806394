// libFuzzer target: the HTTP ingest list body (JSON from a server), along the path it travels:
// parsing, the candidates the resolver makes of it, their ranking, and the handoff record a
// candidate ends up in (its JSON is what the dock and obs-websocket show). Success always means
// at least one entry whose URL prints and parses again; every name and URL is valid, printable,
// bounded text; the stream key never appears in a reason or in the record's JSON.
#include "plugin/common/Log.hpp"
#include "plugin/common/OutsideText.hpp"
#include "plugin/ingest/CandidateProber.hpp"
#include "plugin/ingest/IngestListParser.hpp"
#include "plugin/output/HandoffJson.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {
void quiet(goaway::LogLevel, const char *) noexcept {}
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
	std::vector<Candidate> candidates;
	for (const auto &e : list->entries) {
		(void)e.url.redacted();
		if (!goaway::rtmp::parseRtmpUrl(e.url.tcUrl()))
			std::abort();
		if (!goaway::text::isClean(e.name) || !goaway::text::isClean(e.url.tcUrl(), 4096))
			std::abort();
		Candidate c;
		c.url = e.url.tcUrl();
		c.host = e.url.host;
		c.port = e.url.port;
		c.source = CandidateSource::IngestList;
		// Probe times from the list's priorities (any double a server sends), kept in range.
		c.probeMs = e.priority >= 0 && e.priority < 1000 ? static_cast<int>(e.priority) : 999;
		c.reachable = true;
		candidates.push_back(c);
	}
	CandidateProber::rank(candidates, std::chrono::milliseconds(10));
	if (candidates.size() != list->entries.size())
		std::abort();
	// The best candidate as the handoff record names it (the host only: never the url).
	goaway::handoff::HandoffRecord record;
	record.to = goaway::handoff::Endpoint{candidates.front().host, candidates.front().port, "127.0.0.1"};
	record.triggerDetail = list->entries.front().name;
	record.failureReason = list->rejected.empty() ? std::string() : list->rejected.front();
	auto json = nlohmann::json::parse(goaway::output::jsonText(goaway::output::handoffRecordToJson(record, {})),
					  nullptr, false);
	if (json.is_discarded() || (!keyInBody && json.dump().find("fuzzSecretKey123") != std::string::npos))
		std::abort();
	for (const auto &r : list->rejected)
		if (!keyInBody && r.find("fuzzSecretKey123") != std::string::npos)
			std::abort();
	return 0;
}
