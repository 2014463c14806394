#include "IngestUrl.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace goaway::ingest {

namespace {

// Default ports: RTMP spec section 1 (1935); rtmps is RTMP over TLS on the HTTPS port as every
// platform serves it.
constexpr uint16_t kRtmpPort = 1935;
constexpr uint16_t kRtmpsPort = 443;

std::string lower(std::string_view s)
{
	std::string out(s);
	std::transform(out.begin(), out.end(), out.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return out;
}

} // namespace

std::string IngestUrl::toString() const
{
	std::string out = scheme + "://";
	if (host.find(':') != std::string::npos)
		out += "[" + host + "]";
	else
		out += host;
	if (explicitPort)
		out += ":" + std::to_string(port);
	out += path;
	return out;
}

Result<IngestUrl> parseIngestUrl(std::string_view text)
{
	const auto sep = text.find("://");
	if (sep == std::string_view::npos)
		return fail(ErrorCode::InvalidArgument, "not an absolute URL (no scheme://)");
	IngestUrl url;
	url.scheme = lower(text.substr(0, sep));
	if (url.scheme != "rtmp" && url.scheme != "rtmps") {
		// Only the scheme is quoted: the rest of a URL may carry a stream key.
		return fail(ErrorCode::InvalidArgument,
			    "scheme '" + url.scheme.substr(0, 16) + "' is not rtmp or rtmps");
	}
	std::string_view rest = text.substr(sep + 3);
	const auto authorityEnd = rest.find_first_of("/?#");
	std::string_view authority = rest.substr(0, authorityEnd);
	url.path = authorityEnd == std::string_view::npos ? std::string() : std::string(rest.substr(authorityEnd));
	if (authority.find('@') != std::string_view::npos)
		return fail(ErrorCode::InvalidArgument, "user info in an RTMP URL is not supported");

	std::string_view portText;
	if (!authority.empty() && authority.front() == '[') {
		const auto close = authority.find(']');
		if (close == std::string_view::npos)
			return fail(ErrorCode::InvalidArgument, "unterminated IPv6 literal");
		url.host = std::string(authority.substr(1, close - 1));
		std::string_view after = authority.substr(close + 1);
		if (!after.empty()) {
			if (after.front() != ':')
				return fail(ErrorCode::InvalidArgument, "junk after IPv6 literal");
			portText = after.substr(1);
			url.explicitPort = true;
		}
	} else {
		const auto colon = authority.find(':');
		url.host = std::string(authority.substr(0, colon));
		if (colon != std::string_view::npos) {
			portText = authority.substr(colon + 1);
			url.explicitPort = true;
		}
	}
	if (url.host.empty())
		return fail(ErrorCode::InvalidArgument, "URL has no host");
	if (url.host.find_first_of(" \t\r\n{}") != std::string::npos)
		return fail(ErrorCode::InvalidArgument, "host contains invalid characters");
	url.host = lower(url.host);
	if (url.explicitPort) {
		unsigned value = 0;
		auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
		if (ec != std::errc() || end != portText.data() + portText.size() || value == 0 || value > 65535)
			// Not quoted: a template may have put a stream key there.
			return fail(ErrorCode::InvalidArgument, "bad port (not 1-65535)");
		url.port = static_cast<uint16_t>(value);
	} else {
		url.port = url.secure() ? kRtmpsPort : kRtmpPort;
	}
	return url;
}

Result<IngestUrl> resolveTcUrl(const IngestUrl &current, std::string_view reference, bool allowDowngrade)
{
	Result<IngestUrl> resolved = current;
	if (reference.empty())
		return resolved;
	if (reference.starts_with("//")) {
		resolved = parseIngestUrl(current.scheme + ":" + std::string(reference));
	} else if (reference.starts_with("/")) {
		IngestUrl url = current;
		url.path = std::string(reference);
		resolved = url;
	} else if (reference.find("://") != std::string_view::npos) {
		resolved = parseIngestUrl(reference);
	} else {
		return fail(ErrorCode::InvalidArgument, "tcUrl is neither absolute, //host/app nor /app");
	}
	if (!resolved)
		return resolved;
	if (current.secure() && !resolved->secure() && !allowDowngrade)
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
