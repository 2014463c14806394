#include "OutsideText.hpp"

#include <cstdint>

namespace goaway::text {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD"; // U+FFFD
constexpr std::string_view kEllipsis = "\xE2\x80\xA6";    // U+2026

/** Decodes one UTF-8 sequence at raw[i]; returns its length, 0 when invalid (RFC 3629 rules). */
std::size_t decodeOne(std::string_view raw, std::size_t i, char32_t &cp)
{
	const auto b = [&](std::size_t k) {
		return static_cast<uint8_t>(raw[i + k]);
	};
	const uint8_t lead = b(0);
	std::size_t len;
	char32_t min;
	if (lead < 0x80) {
		cp = lead;
		return 1;
	} else if (lead >= 0xC2 && lead <= 0xDF) {
		len = 2;
		cp = lead & 0x1F;
		min = 0x80;
	} else if (lead >= 0xE0 && lead <= 0xEF) {
		len = 3;
		cp = lead & 0x0F;
		min = 0x800;
	} else if (lead >= 0xF0 && lead <= 0xF4) {
		len = 4;
		cp = lead & 0x07;
		min = 0x10000;
	} else {
		return 0; // a continuation byte, an overlong lead (C0, C1) or past U+10FFFF (F5..FF)
	}
	if (raw.size() - i < len)
		return 0;
	for (std::size_t k = 1; k < len; ++k) {
		if ((b(k) & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (b(k) & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

bool isBidiControl(char32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool isControl(char32_t cp)
{
	return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F);
}

} // namespace

Cleaned clean(std::string_view raw, std::size_t maxBytes)
{
	Cleaned out;
	// When cutting, the kept text plus the ellipsis must stay within maxBytes.
	const bool roomForEllipsis = maxBytes >= kEllipsis.size();
	const std::size_t keep = roomForEllipsis ? maxBytes - kEllipsis.size() : 0;
	std::size_t keptAtCut = 0; // out.text's size at the last character boundary within `keep`
	out.text.reserve(raw.size() < maxBytes ? raw.size() : maxBytes);
	for (std::size_t i = 0; i < raw.size();) {
		char32_t cp = 0;
		std::size_t len = decodeOne(raw, i, cp);
		std::string_view piece;
		if (len == 0) {
			piece = kReplacement;
			len = 1; // resynchronise on the next byte
			out.changed = true;
		} else if (cp == '\t' || cp == '\n' || cp == '\r') {
			piece = " ";
			out.changed = true;
		} else if (isControl(cp) || isBidiControl(cp)) {
			piece = kReplacement;
			out.changed = true;
		} else {
			piece = raw.substr(i, len);
		}
		if (out.text.size() + piece.size() > maxBytes) {
			// Work stays bounded by maxBytes however long the input is.
			out.text.resize(keptAtCut);
			if (roomForEllipsis)
				out.text.append(kEllipsis);
			out.cut = out.changed = true;
			return out;
		}
		out.text.append(piece);
		if (out.text.size() <= keep)
			keptAtCut = out.text.size();
		i += len;
	}
	return out;
}

std::string untrusted(std::string_view raw, std::size_t maxBytes)
{
	return clean(raw, maxBytes).text;
}

bool isClean(std::string_view raw, std::size_t maxBytes)
{
	return !clean(raw, maxBytes).changed;
}

} // namespace goaway::text
