#pragma once
// The one boundary where bytes from outside (a server's AMF strings, an ingest list, a resolver)
// become text the plugin may log, store, show or serialise. Everything past this point may assume
// valid UTF-8 without control characters, bounded in length.

#include <cstddef>
#include <string>
#include <string_view>

namespace goaway::text {

/// Longest piece of server or resolver text kept (onStatus description, code, level, a name in an
/// ingest list). Real servers send a sentence; anything longer is cut, with "…" marking the cut.
inline constexpr std::size_t kMaxOutsideTextBytes = 512;
/// Longest URL accepted from outside (a ReconnectRequest tcUrl, an ingest list's url_template):
/// browsers and servers cap URLs near 2 KiB; a longer one is refused, never cut (a cut URL is
/// another URL).
inline constexpr std::size_t kMaxOutsideUrlBytes = 2048;

/** What the boundary did to a piece of text. */
struct Cleaned {
	std::string text;
	bool changed = false; // invalid UTF-8, a control or bidi character replaced, or cut
	bool cut = false;     // longer than the bound
};

/**
 * Outside bytes to valid, printable, bounded UTF-8: invalid sequences (overlong forms, surrogates,
 * code points past U+10FFFF, truncated sequences) become U+FFFD; tab, CR and LF become a space;
 * other C0/C1 controls, DEL and the bidirectional overrides/isolates (U+202A-202E, U+2066-2069,
 * which can make a log line read backwards) become U+FFFD. Longer than maxBytes: cut at a
 * character boundary and "…" appended (the result stays within maxBytes).
 */
Cleaned clean(std::string_view raw, std::size_t maxBytes = kMaxOutsideTextBytes);

/** clean(raw, maxBytes).text. */
std::string untrusted(std::string_view raw, std::size_t maxBytes = kMaxOutsideTextBytes);

/** True when raw is already what clean() would return unchanged. */
bool isClean(std::string_view raw, std::size_t maxBytes = kMaxOutsideTextBytes);

} // namespace goaway::text
