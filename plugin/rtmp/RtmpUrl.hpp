#pragma once
// RTMP / RTMPS URLs as publishers use them, and E-RTMP v2 tcUrl resolution. Pure string work.

#include "../common/Result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace goaway::rtmp {

/**
 * A parsed `rtmp://host[:port]/app[/stream]` or `rtmps://…` URL.
 * `host` is stored without IPv6 brackets ("::1"); tcUrl() puts them back.
 */
struct RtmpUrl {
	bool tls = false;          // rtmps
	std::string host;          // DNS name or IP literal, no brackets
	uint16_t port = 0;         // 1935 for rtmp, 443 for rtmps when the URL names none
	bool portExplicit = false; // the URL named the port (kept in tcUrl as written)
	std::string app;           // path without leading/trailing '/', may contain '/' and '?query'
	std::string stream;        // only with StreamInPath::Yes: the last path part(s); a secret

	/** `rtmp[s]://host[:port]/app` — what goes into the connect command. */
	std::string tcUrl() const;
	/** `host:port` with IPv6 brackets, for logs and stats. */
	std::string hostPort() const;
	/** tcUrl() plus a masked stream part when a stream is set: safe to log. */
	std::string redacted() const;
};

/** Whether the URL path also carries the stream name (goaway-publish) or only the app (OBS server field). */
enum class StreamInPath { No, Yes };

/**
 * Parses an RTMP URL. With StreamInPath::Yes the first path segment is the app and the rest is
 * the stream (`rtmp://h/live/key` → app "live", stream "key"); with No the whole path is the app.
 * Errors (InvalidArgument): unknown scheme, empty host, bad port, unterminated IPv6 literal,
 * missing app; the message never contains the path (it may hold a key).
 */
Result<RtmpUrl> parseRtmpUrl(std::string_view url, StreamInPath streamInPath = StreamInPath::No);

/**
 * Resolves the tcUrl of an E-RTMP v2 ReconnectRequest against the current one (E-RTMP v2,
 * "Reconnect Request": the tcUrl may be absolute `rtmp://host:port/app`, scheme-relative
 * `//host:port/app` or path-relative `/app`). The result has no stream.
 * Errors (InvalidArgument): anything else (empty, garbage, another scheme).
 */
Result<RtmpUrl> resolveTcUrl(const RtmpUrl &current, std::string_view candidate);

/** A stream key masked for logs (four asterisks; empty stays empty). */
std::string redactKey(std::string_view key);

/** The address part of a peer as RtmpSession reports it: "127.0.0.1:1935" / "[::1]:1935" ->
 *  "127.0.0.1" / "::1". */
std::string addressOfPeer(const std::string &peer);

} // namespace goaway::rtmp
