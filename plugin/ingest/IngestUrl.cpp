#include "IngestUrl.hpp"

#include <algorithm>
#include <cctype>

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
	if (current.tls && !resolved->tls && !allowDowngrade)
		return fail(ErrorCode::InvalidArgument,
			    "refusing to downgrade rtmps to rtmp (not allowed in settings)");
	return resolved;
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
