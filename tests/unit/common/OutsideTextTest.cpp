// The text boundary: whatever bytes a server or resolver sends, what comes out is valid UTF-8
// without control characters and within its bound.

#include "plugin/common/OutsideText.hpp"

#include <gtest/gtest.h>

#include <string>

using goaway::text::clean;
using goaway::text::isClean;
using goaway::text::untrusted;

namespace {

const std::string kFffd = "\xEF\xBF\xBD";

/** Independent check: strict UTF-8 per RFC 3629 and no C0/C1 control character. */
bool validPrintableUtf8(const std::string &s)
{
	for (size_t i = 0; i < s.size();) {
		const auto c = static_cast<unsigned char>(s[i]);
		size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
		if (len == 0 || i + len > s.size() || c == 0xC0 || c == 0xC1 || c > 0xF4)
			return false;
		if (len == 1 && (c < 0x20 || c == 0x7F))
			return false;
		if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0)
			return false; // U+0080..U+009F
		for (size_t k = 1; k < len; ++k)
			if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
				return false;
		i += len;
	}
	return true;
}

} // namespace

TEST(OutsideText, PlainAsciiAndValidMultibyteTextPassUnchanged)
{
	const std::string text = "Serveur arr\xC3\xAAt\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x8E\xA5 drain";
	auto c = clean(text);
	EXPECT_EQ(c.text, text);
	EXPECT_FALSE(c.changed);
	EXPECT_TRUE(isClean(text));
}

TEST(OutsideText, Latin1DescriptionBecomesReplacementCharactersNotAnAbort)
{
	// "arrêté" in ISO-8859-1: 0xEA and 0xE9 start three-byte sequences that never complete.
	auto c = clean("Serveur arr\xEAt\xE9");
	EXPECT_EQ(c.text, "Serveur arr" + kFffd + "t" + kFffd);
	EXPECT_TRUE(c.changed);
	EXPECT_TRUE(validPrintableUtf8(c.text));
}

TEST(OutsideText, OverlongFormsSurrogatesAndCodePointsPastTheLastAreReplaced)
{
	EXPECT_EQ(untrusted("\xC0\xAF"), kFffd + kFffd);                          // overlong '/'
	EXPECT_EQ(untrusted("\xE0\x80\xAF"), kFffd + kFffd + kFffd);              // overlong, 3 bytes
	EXPECT_EQ(untrusted("\xED\xA0\x80"), kFffd + kFffd + kFffd);              // U+D800
	EXPECT_EQ(untrusted("\xF4\x90\x80\x80").find('\xF4'), std::string::npos); // U+110000
	EXPECT_EQ(untrusted("a\xE2\x82"), "a" + kFffd + kFffd);                   // truncated at the end
}

TEST(OutsideText, ControlCharactersNeverReachALogLine)
{
	EXPECT_EQ(untrusted("line1\nline2\r\tend"), "line1 line2  end");
	EXPECT_EQ(untrusted(std::string("nul\0bell\x07"
					"esc\x1B[31m",
					17)),
		  "nul" + kFffd + "bell" + kFffd + "esc" + kFffd + "[31m");
	EXPECT_EQ(untrusted("del\x7F"), "del" + kFffd);
	EXPECT_EQ(untrusted("c1\xC2\x85"), "c1" + kFffd); // U+0085 NEXT LINE
}

TEST(OutsideText, BidirectionalOverridesCannotReverseALogLine)
{
	EXPECT_EQ(untrusted("ok \xE2\x80\xAEtxet"), "ok " + kFffd + "txet");    // U+202E
	EXPECT_EQ(untrusted("\xE2\x81\xA6x\xE2\x81\xA9"), kFffd + "x" + kFffd); // U+2066, U+2069
}

TEST(OutsideText, LongTextIsCutAtACharacterBoundaryWithAnEllipsisWithinTheBound)
{
	std::string longText;
	for (int i = 0; i < 400; ++i)
		longText += "\xC3\xA9"; // 800 bytes of 'é'
	auto c = clean(longText, 100);
	EXPECT_TRUE(c.cut);
	EXPECT_LE(c.text.size(), 100u);
	EXPECT_TRUE(validPrintableUtf8(c.text));
	EXPECT_EQ(c.text.substr(c.text.size() - 3), "\xE2\x80\xA6");
	EXPECT_EQ(c.text.size(), 99u); // 48 whole 'é' (96 bytes) + "…" (3): a 49th would pass 100

	auto exact = clean(std::string(100, 'x'), 100);
	EXPECT_FALSE(exact.cut);
	EXPECT_EQ(exact.text.size(), 100u);
	EXPECT_EQ(clean(std::string(101, 'x'), 100).text, std::string(97, 'x') + "\xE2\x80\xA6");
}

TEST(OutsideText, AFourGibibyteClaimCostsNoMoreThanTheBound)
{
	// What matters is the output bound whatever the input size; a megabyte stands in for more.
	std::string huge(1 << 20, '\xFF');
	auto c = clean(huge);
	EXPECT_LE(c.text.size(), goaway::text::kMaxOutsideTextBytes);
	EXPECT_TRUE(validPrintableUtf8(c.text));
}

TEST(OutsideText, EveryByteSequenceComesOutValidPrintableAndBounded)
{
	// Deterministic pseudo-random bytes: a cheap property check next to the fuzzers.
	uint32_t state = 12345;
	for (int round = 0; round < 2000; ++round) {
		std::string raw(static_cast<size_t>(round % 97), '\0');
		for (auto &ch : raw) {
			state = state * 1103515245u + 12345u;
			ch = static_cast<char>(state >> 24);
		}
		const size_t bound = 8 + round % 64;
		auto c = clean(raw, bound);
		ASSERT_TRUE(validPrintableUtf8(c.text)) << "round " << round;
		ASSERT_LE(c.text.size(), bound) << "round " << round;
		ASSERT_TRUE(isClean(c.text, bound)) << "round " << round; // cleaning is idempotent
	}
}
