#pragma once
// RTMP URL parsing and tcUrl resolution as plugin/ingest needs them. Internal to this layer
// until plugin/rtmp's RtmpUrl is available; then this file becomes a thin adapter over it.

#include "../common/Result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace goaway::ingest {

/** rtmp[s]://host[:port][/path][?query]; host without IPv6 brackets. */
struct IngestUrl {
	std::string scheme; // "rtmp" or "rtmps" (lower case)
	std::string host;
	uint16_t port = 0;         // the effective port (1935 / 443 when not written)
	bool explicitPort = false; // the port was written in the URL
	std::string path;          // from the first '/' or '?' after the authority, may be empty

	bool secure() const { return scheme == "rtmps"; }
	/** The URL again, with the port only when it was written. */
	std::string toString() const;
};

/** Parses an absolute RTMP URL. Non-RTMP schemes, a missing host, user info and bad ports are
 *  errors (ErrorCode::InvalidArgument) whose message quotes only the scheme, never the path. */
Result<IngestUrl> parseIngestUrl(std::string_view text);

/** E-RTMP v2, Reconnect Request: the tcUrl "may be absolute, scheme-relative (//host/app) or
 *  path-relative (/app)"; resolve it against the current tcUrl. An empty reference means "reuse
 *  the current one". rtmps is never downgraded to rtmp unless `allowDowngrade`. */
Result<IngestUrl> resolveTcUrl(const IngestUrl &current, std::string_view reference, bool allowDowngrade);

/** `text` with every occurrence of `secret` replaced by "****" (no-op for an empty secret). */
std::string redactSecret(std::string text, std::string_view secret);

} // namespace goaway::ingest
