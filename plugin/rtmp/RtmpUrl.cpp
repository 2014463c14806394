#include "RtmpUrl.hpp"

#include <charconv>

namespace goaway::rtmp {

namespace {

constexpr uint16_t kRtmpDefaultPort = 1935; // RTMP spec 2: the well-known port
constexpr uint16_t kRtmpsDefaultPort = 443; // RTMPS in practice (Twitch, YouTube, Facebook)

bool startsWithNoCase(std::string_view s, std::string_view prefix)
{
	if (s.size() < prefix.size())
		return false;
	for (size_t i = 0; i < prefix.size(); ++i) {
		char c = s[i];
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
		if (c != prefix[i])
			return false;
	}
	return true;
}

std::string_view trimSlashes(std::string_view s)
{
	while (!s.empty() && s.front() == '/')
		s.remove_prefix(1);
	while (!s.empty() && s.back() == '/')
		s.remove_suffix(1);
	return s;
}

/** Parses "host[:port]" or "[v6]:port" into url. */
Result<void> parseAuthority(std::string_view authority, RtmpUrl &url)
{
	std::string_view host;
	std::string_view port;
	if (!authority.empty() && authority.front() == '[') {
		size_t close = authority.find(']');
		if (close == std::string_view::npos)
			return fail(ErrorCode::InvalidArgument, "RTMP URL: unterminated IPv6 address (missing ']')");
		host = authority.substr(1, close - 1);
		// Brackets hold an IPv6 literal only; anything else would not print back as the same URL.
		if (host.find(':') == std::string_view::npos || host.find('[') != std::string_view::npos)
			return fail(ErrorCode::InvalidArgument, "RTMP URL: brackets must hold an IPv6 address");
		std::string_view rest = authority.substr(close + 1);
		if (!rest.empty()) {
			if (rest.front() != ':')
				return fail(ErrorCode::InvalidArgument,
					    "RTMP URL: unexpected text after the IPv6 address");
			port = rest.substr(1);
			if (port.empty())
				return fail(ErrorCode::InvalidArgument, "RTMP URL: empty port");
		}
	} else {
		size_t colon = authority.find(':');
		if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos)
			return fail(
				ErrorCode::InvalidArgument,
				"RTMP URL: an IPv6 address must be written in brackets, e.g. rtmp://[::1]:1935/app");
		host = authority.substr(0, colon);
		if (colon != std::string_view::npos) {
			port = authority.substr(colon + 1);
			if (port.empty())
				return fail(ErrorCode::InvalidArgument, "RTMP URL: empty port");
		}
	}
	if (host.empty())
		return fail(ErrorCode::InvalidArgument, "RTMP URL: no host name");
	for (char c : host) {
		if (c == '/' || c == '@' || c == ' ' || c == '?' || c == '#')
			return fail(ErrorCode::InvalidArgument, "RTMP URL: invalid character in the host name");
	}
	url.host = std::string(host);
	url.portExplicit = !port.empty();
	if (!port.empty()) {
		unsigned value = 0;
		auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
		if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535)
			return fail(ErrorCode::InvalidArgument, "RTMP URL: the port must be a number from 1 to 65535");
		url.port = static_cast<uint16_t>(value);
	} else {
		url.port = url.tls ? kRtmpsDefaultPort : kRtmpDefaultPort;
	}
	return {};
}

} // namespace

std::string RtmpUrl::hostPort() const
{
	std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
	return h + ":" + std::to_string(port);
}

std::string RtmpUrl::tcUrl() const
{
	std::string out = tls ? "rtmps://" : "rtmp://";
	out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
	if (portExplicit)
		out += ":" + std::to_string(port);
	out += "/" + app;
	return out;
}

std::string RtmpUrl::redacted() const
{
	return stream.empty() ? tcUrl() : tcUrl() + "/****";
}

std::string redactKey(std::string_view key)
{
	return key.empty() ? std::string() : std::string("****");
}

Result<RtmpUrl> parseRtmpUrl(std::string_view text, StreamInPath streamInPath)
{
	RtmpUrl url;
	std::string_view rest;
	if (startsWithNoCase(text, "rtmps://")) {
		url.tls = true;
		rest = text.substr(8);
	} else if (startsWithNoCase(text, "rtmp://")) {
		rest = text.substr(7);
	} else {
		return fail(ErrorCode::InvalidArgument, "RTMP URL: must start with rtmp:// or rtmps://");
	}
	size_t slash = rest.find('/');
	std::string_view authority = rest.substr(0, slash);
	if (auto ok = parseAuthority(authority, url); !ok)
		return std::unexpected(ok.error());
	std::string_view path = slash == std::string_view::npos ? std::string_view() : trimSlashes(rest.substr(slash));
	if (path.empty())
		return fail(ErrorCode::InvalidArgument, "RTMP URL: no application name (rtmp://host/app)");
	if (streamInPath == StreamInPath::Yes) {
		size_t split = path.find('/');
		if (split == std::string_view::npos)
			return fail(ErrorCode::InvalidArgument,
				    "RTMP URL: expected rtmp://host[:port]/app/stream (no stream name after the app)");
		url.app = std::string(path.substr(0, split));
		url.stream = std::string(trimSlashes(path.substr(split)));
		if (url.stream.empty())
			return fail(ErrorCode::InvalidArgument, "RTMP URL: empty stream name");
	} else {
		url.app = std::string(path);
	}
	return url;
}

Result<RtmpUrl> resolveTcUrl(const RtmpUrl &current, std::string_view candidate)
{
	if (startsWithNoCase(candidate, "rtmp://") || startsWithNoCase(candidate, "rtmps://"))
		return parseRtmpUrl(candidate, StreamInPath::No);
	if (candidate.starts_with("//")) {
		std::string absolute = (current.tls ? "rtmps:" : "rtmp:") + std::string(candidate);
		return parseRtmpUrl(absolute, StreamInPath::No);
	}
	if (candidate.starts_with("/")) {
		std::string_view app = trimSlashes(candidate);
		if (app.empty())
			return fail(ErrorCode::InvalidArgument,
				    "ReconnectRequest tcUrl: path-relative tcUrl has no application");
		RtmpUrl url = current;
		url.stream.clear();
		url.app = std::string(app);
		return url;
	}
	return fail(ErrorCode::InvalidArgument,
		    "ReconnectRequest tcUrl is neither rtmp[s]://host/app, //host/app nor /app");
}

std::string addressOfPeer(const std::string &peer)
{
	if (!peer.empty() && peer.front() == '[') {
		const auto close = peer.find(']');
		return close == std::string::npos ? peer : peer.substr(1, close - 1);
	}
	const auto colon = peer.rfind(':');
	return colon == std::string::npos ? peer : peer.substr(0, colon);
}

} // namespace goaway::rtmp
