#include "IngestListParser.hpp"

#include "../common/OutsideText.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace goaway::ingest {

namespace {

using nlohmann::json;

constexpr std::string_view kKeyPlaceholder = "{stream_key}";
constexpr std::string_view kTrailingKey = "/{stream_key}";
// Rejection messages quote at most this much of a name: names come from the network.
constexpr std::size_t kMaxQuotedName = 48;

std::string quoteName(const std::string &name)
{
	std::string out;
	for (char c : name.substr(0, kMaxQuotedName))
		out += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
	return out;
}

std::string lowered(std::string text)
{
	std::transform(text.begin(), text.end(), text.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return text;
}

bool containsDeprecated(const std::string &name)
{
	return lowered(name).find("deprecated") != std::string::npos;
}

std::string stringField(const json &entry, const char *key)
{
	auto it = entry.find(key);
	return (it != entry.end() && it->is_string()) ? it->get<std::string>() : std::string();
}

double numberField(const json &entry, const char *key, double fallback)
{
	auto it = entry.find(key);
	return (it != entry.end() && it->is_number()) ? it->get<double>() : fallback;
}

// OBS's rtmp-services strips "/{stream_key}" because the key is published as the stream name;
// a placeholder anywhere else is where the platform wants the key (e.g. a query parameter).
Result<IngestUrl> expandTemplate(std::string text, const IngestListParseOptions &options)
{
	// A URL from outside is taken whole or not at all: a repaired or shortened one is another URL.
	if (!text::isClean(text, text::kMaxOutsideUrlBytes))
		return fail(ErrorCode::Resolver, "the URL is not printable text of at most " +
							 std::to_string(text::kMaxOutsideUrlBytes) + " bytes");
	if (text.ends_with(kTrailingKey))
		text.resize(text.size() - kTrailingKey.size());
	if (text.find(kKeyPlaceholder) != std::string::npos) {
		if (options.streamKey.empty())
			return fail(ErrorCode::Resolver, "template needs a stream key and none is set");
		for (auto pos = text.find(kKeyPlaceholder); pos != std::string::npos;
		     pos = text.find(kKeyPlaceholder, pos + options.streamKey.size()))
			text.replace(pos, kKeyPlaceholder.size(), options.streamKey);
	}
	auto url = parseIngestUrl(text);
	if (!url)
		return fail(ErrorCode::Resolver, url.error().message);
	// The host name is shown, logged and looked up in DNS: the key may never be part of it.
	if (!options.streamKey.empty() && lowered(url->host).find(lowered(options.streamKey)) != std::string::npos)
		return fail(ErrorCode::Resolver, "the template puts the stream key into the host name");
	if (downgradeRefused(options.secure, *url, options.allowDowngrade))
		return fail(ErrorCode::Resolver, "rtmp entry refused: the stream is rtmps (downgrade not allowed)");
	return url;
}

Result<IngestEntry> twitchEntry(const json &entry, const IngestListParseOptions &options)
{
	IngestEntry out;
	out.name = text::untrusted(stringField(entry, "name"));
	out.priority = numberField(entry, "priority", 0);
	out.availability = numberField(entry, "availability", 1);
	auto def = entry.find("default");
	out.isDefault = def != entry.end() && def->is_boolean() && def->get<bool>();
	if (out.availability <= 0)
		return fail(ErrorCode::Resolver, "availability is 0");

	const std::string plain = stringField(entry, "url_template");
	const std::string secure = stringField(entry, "url_template_secure");
	std::string chosen;
	if (options.secure)
		chosen = !secure.empty() ? secure : (options.allowDowngrade ? plain : std::string());
	else
		chosen = !plain.empty() ? plain : secure; // an upgrade to rtmps is always fine
	if (chosen.empty())
		return fail(ErrorCode::Resolver,
			    options.secure ? "no url_template_secure (rtmps required)" : "no url_template");
	auto url = expandTemplate(chosen, options);
	if (!url)
		return std::unexpected(url.error());
	out.url = *url;
	return out;
}

Result<IngestEntry> genericEntry(const json &entry, const IngestListParseOptions &options)
{
	IngestEntry out;
	out.name = text::untrusted(stringField(entry, "name"));
	out.priority = numberField(entry, "priority", 0);
	const std::string text = stringField(entry, "url");
	if (text.empty())
		return fail(ErrorCode::Resolver, "\"url\" is not a non-empty string");
	auto url = expandTemplate(text, options);
	if (!url)
		return std::unexpected(url.error());
	out.url = *url;
	return out;
}

Result<ParsedIngestList> parseChecked(std::string_view body, const IngestListParseOptions &options)
{
	json doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
	if (doc.is_discarded())
		return fail(ErrorCode::Resolver, "ingest list is not JSON");
	if (!doc.is_object())
		return fail(ErrorCode::Resolver, "ingest list has the wrong shape: expected a JSON object");
	auto ingests = doc.find("ingests");
	if (ingests == doc.end() || !ingests->is_array())
		return fail(ErrorCode::Resolver, "ingest list has the wrong shape: no \"ingests\" array");
	if (ingests->empty())
		return fail(ErrorCode::Resolver, "ingest list is empty");

	ParsedIngestList list;
	bool sawTwitch = false;
	std::size_t index = 0;
	for (const json &entry : *ingests) {
		const std::string where = "entry " + std::to_string(index++);
		if (!entry.is_object()) {
			list.rejected.push_back(where + ": not an object");
			continue;
		}
		const std::string name = stringField(entry, "name");
		const std::string label = name.empty() ? where : where + " (" + quoteName(name) + ")";
		Result<IngestEntry> parsed = fail(ErrorCode::Resolver, "neither \"url\" nor \"url_template\"");
		if (entry.contains("url_template") || entry.contains("url_template_secure")) {
			sawTwitch = true;
			if (containsDeprecated(name)) {
				list.rejected.push_back(label + ": deprecated");
				continue;
			}
			parsed = twitchEntry(entry, options);
		} else if (entry.contains("url")) {
			parsed = genericEntry(entry, options);
		}
		if (!parsed) {
			list.rejected.push_back(label + ": " + parsed.error().message);
			continue;
		}
		list.entries.push_back(std::move(*parsed));
	}
	list.shape = sawTwitch ? "twitch" : "generic";
	if (list.entries.empty()) {
		std::string reason = "ingest list has no usable entry";
		for (std::size_t i = 0; i < list.rejected.size() && i < 4; ++i)
			reason += (i ? "; " : ": ") + list.rejected[i];
		if (list.rejected.size() > 4)
			reason += "; ...";
		return fail(ErrorCode::Resolver, reason);
	}
	// Provider order: priority (lower first), then the default ingest, then availability.
	std::stable_sort(list.entries.begin(), list.entries.end(), [](const IngestEntry &a, const IngestEntry &b) {
		if (a.priority != b.priority)
			return a.priority < b.priority;
		if (a.isDefault != b.isDefault)
			return a.isDefault;
		return a.availability > b.availability;
	});
	return list;
}

} // namespace

Result<ParsedIngestList> parseIngestList(std::string_view body, const IngestListParseOptions &options)
{
	// nlohmann-json throws on type mismatches we did not foresee; errors stay values here.
	try {
		return parseChecked(body, options);
	} catch (const std::exception &e) {
		return fail(ErrorCode::Resolver, std::string("ingest list could not be read: ") + e.what());
	}
}

} // namespace goaway::ingest
