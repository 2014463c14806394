#pragma once
// RTMP URLs as plugin/ingest uses them. The syntax belongs to the wire layer (plugin/rtmp's
// RtmpUrl); resolution adds scheme errors that name the scheme, a check for unexpanded template
// placeholders, the no-downgrade rule and stream-key redaction.

#include "../common/Result.hpp"
#include "../rtmp/RtmpUrl.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace goaway::ingest {

using IngestUrl = rtmp::RtmpUrl;

/** Parses an absolute rtmp[s]://host[:port]/app URL (host lower-cased). Other schemes, a
 *  missing host or app, a host with "{...}" left from a template, and bad ports are
 *  ErrorCode::InvalidArgument whose message quotes only the scheme, never the path. */
Result<IngestUrl> parseIngestUrl(std::string_view text);

/** The one no-downgrade rule, for every source of a next URL (a tcUrl from the server, an ingest
 *  list entry, a backup URL): a stream that is rtmps never moves to an rtmp URL unless the streamer
 *  allowed it. */
inline bool downgradeRefused(bool currentTls, const IngestUrl &next, bool allowDowngrade)
{
	return currentTls && !next.tls && !allowDowngrade;
}

/** E-RTMP v2, Reconnect Request: the tcUrl "may be absolute, scheme-relative (//host/app) or
 *  path-relative (/app)"; resolve it against the current tcUrl. An empty reference means "reuse
 *  the current one". rtmps is never downgraded to rtmp unless `allowDowngrade`. */
Result<IngestUrl> resolveReconnectTcUrl(const IngestUrl &current, std::string_view reference, bool allowDowngrade);

/** The streamer's backup ingest URLs as typed: one per line (blank lines and surrounding spaces
 *  ignored). Each must parse as parseIngestUrl does; at most constants::kMaxBackupUrls, the text
 *  at most constants::kMaxBackupUrlsTextBytes. Errors (InvalidArgument) are sentences for the
 *  streamer that name the line, never its path. */
Result<std::vector<std::string>> parseBackupUrls(std::string_view text);

/** The public ingest list of the platform that runs `host`, when it publishes one; empty
 *  otherwise. Amazon IVS (*.global-contribute.live-video.net): constants::kAmazonIvsIngestListUrl.
 *  Twitch (live.twitch.tv, *.twitch.tv, *.contribute.live-video.net): its ingest API
 *  (constants::kTwitchIngestListUrl). Neither needs a key. */
std::string publishedIngestList(std::string_view host);

/** `text` with every occurrence of `secret` replaced by "****" (no-op for an empty secret). */
std::string redactSecret(std::string text, std::string_view secret);

} // namespace goaway::ingest
