#include "IngestUrl.hpp"

#include <algorithm>
#include <cctype>

#include "../common/Constants.hpp"

namespace goaway::ingest {

namespace {

std::string lower(std::string_view s)
{
	std::string out(s);
	std::transform(out.begin(), out.end(), out.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return out;
}

} // namespace

Result<IngestUrl> parseIngestUrl(std::string_view text)
{
	const auto sep = text.find("://");
	if (sep == std::string_view::npos)
		return fail(ErrorCode::InvalidArgument, "not an absolute URL (no scheme://)");
	const std::string scheme = lower(text.substr(0, std::min<std::size_t>(sep, 16)));
	if (scheme != "rtmp" && scheme != "rtmps") {
		// Only the scheme is quoted: the rest of a URL may carry a stream key.
		return fail(ErrorCode::InvalidArgument, "scheme '" + scheme + "' is not rtmp or rtmps");
	}
	auto url = rtmp::parseRtmpUrl(text, rtmp::StreamInPath::No);
	if (!url)
		return url;
	// "{region}" and the like: a template this plugin does not expand.
	if (url->host.find_first_of("{}\t\r\n") != std::string::npos)
		return fail(ErrorCode::InvalidArgument, "host contains invalid characters");
	url->host = lower(url->host);
	return url;
}

Result<IngestUrl> resolveReconnectTcUrl(const IngestUrl &current, std::string_view reference, bool allowDowngrade)
{
	if (reference.empty())
		return current;
	auto resolved = rtmp::resolveTcUrl(current, reference);
	if (!resolved)
		return resolved;
	if (resolved->host != current.host || resolved->port != current.port) {
		// A new authority gets the same checks as any other URL from the network.
		auto checked = parseIngestUrl(resolved->tcUrl());
		if (!checked)
			return checked;
		resolved = std::move(checked);
	}
	if (downgradeRefused(current.tls, *resolved, allowDowngrade))
		return fail(ErrorCode::InvalidArgument,
			    "refusing to downgrade rtmps to rtmp (not allowed in settings)");
	return resolved;
}

Result<std::vector<std::string>> parseBackupUrls(std::string_view text)
{
	if (text.size() > constants::kMaxBackupUrlsTextBytes)
		return fail(ErrorCode::InvalidArgument, "The backup ingest URLs are too long (at most " +
								std::to_string(constants::kMaxBackupUrlsTextBytes) +
								" characters).");
	std::vector<std::string> urls;
	std::size_t lineNumber = 0;
	while (!text.empty()) {
		++lineNumber;
		const std::size_t end = text.find('\n');
		std::string_view line = text.substr(0, end);
		text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
		while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front())))
			line.remove_prefix(1);
		while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back())))
			line.remove_suffix(1);
		if (line.empty())
			continue;
		auto url = parseIngestUrl(line);
		if (!url)
			return fail(ErrorCode::InvalidArgument, "Backup ingest URL on line " +
									std::to_string(lineNumber) +
									" is not usable: " + url.error().message);
		if (urls.size() == constants::kMaxBackupUrls)
			return fail(ErrorCode::InvalidArgument,
				    "At most " + std::to_string(constants::kMaxBackupUrls) + " backup ingest URLs.");
		urls.emplace_back(line);
	}
	return urls;
}

std::string publishedIngestList(std::string_view host)
{
	const std::string h = lower(host);
	auto endsWith = [&](std::string_view suffix) {
		return h.size() > suffix.size() && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0 &&
		       h[h.size() - suffix.size() - 1] == '.';
	};
	if (h == "global-contribute.live-video.net" || endsWith("global-contribute.live-video.net"))
		return constants::kAmazonIvsIngestListUrl;
	if (h == "twitch.tv" || endsWith("twitch.tv") || endsWith("contribute.live-video.net"))
		return constants::kTwitchIngestListUrl;
	return {};
}

std::string redactSecret(std::string text, std::string_view secret)
{
	if (secret.empty())
		return text;
	for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 4))
		text.replace(pos, secret.size(), "****");
	return text;
}

} // namespace goaway::ingest
