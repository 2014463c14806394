#include "plugin/common/Log.hpp"
#include "plugin/common/Result.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

std::vector<std::string> captured;

void captureSink(goaway::LogLevel, const char *line) noexcept
{
	captured.emplace_back(line);
}

} // namespace

TEST(Log, LinesCarryThePluginPrefixAndTheirOrigin)
{
	captured.clear();
	goaway::setLogSink(captureSink);
	goaway::logf(goaway::LogLevel::Info, "RtmpSession::connect", "connected to %s:%d", "127.0.0.1", 1935);
	goaway::setLogSink(nullptr);
	ASSERT_EQ(captured.size(), 1u);
	EXPECT_EQ(captured[0], "[obs-rtmp-goaway] [RtmpSession::connect] connected to 127.0.0.1:1935");
}

TEST(Log, LinesBelowTheLevelAreDropped)
{
	captured.clear();
	goaway::setLogSink(captureSink);
	goaway::setLogLevel(goaway::LogLevel::Warning);
	goaway::logf(goaway::LogLevel::Info, "X", "dropped");
	goaway::logf(goaway::LogLevel::Error, "X", "kept");
	goaway::setLogLevel(goaway::LogLevel::Info);
	goaway::setLogSink(nullptr);
	ASSERT_EQ(captured.size(), 1u);
	EXPECT_NE(captured[0].find("kept"), std::string::npos);
}

namespace {

/// Well-formed UTF-8 (structure only: lead byte, then the continuation bytes it announces).
bool wellFormedUtf8(const std::string &text)
{
	for (std::size_t i = 0; i < text.size();) {
		const auto lead = static_cast<unsigned char>(text[i]);
		const std::size_t n = lead < 0x80           ? 1
				      : (lead >> 5) == 0x6  ? 2
				      : (lead >> 4) == 0xE  ? 3
				      : (lead >> 3) == 0x1E ? 4
							    : 0;
		if (n == 0 || i + n > text.size())
			return false;
		for (std::size_t k = 1; k < n; ++k)
			if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
				return false;
		i += n;
	}
	return true;
}

} // namespace

TEST(Log, ALongLineIsCutAtACharacterBoundary)
{
	const std::string replacement = "\xEF\xBF\xBD"; // U+FFFD, as the outside-text boundary writes it
	for (std::size_t shift = 0; shift < replacement.size(); ++shift) {
		std::string text(shift, 'a');
		for (int i = 0; i < 500; ++i)
			text += replacement;
		captured.clear();
		goaway::setLogSink(captureSink);
		goaway::logf(goaway::LogLevel::Info, "X", "%s", text.c_str());
		goaway::setLogSink(nullptr);
		ASSERT_EQ(captured.size(), 1u);
		const std::string &line = captured[0];
		EXPECT_TRUE(wellFormedUtf8(line)) << "shift " << shift;
		EXPECT_EQ(line.substr(line.size() - 3), "\xE2\x80\xA6") << "the cut says so";
		EXPECT_LE(line.size(), std::string("[obs-rtmp-goaway] [X] ").size() + 1023);
		EXPECT_GE(line.size(), std::string("[obs-rtmp-goaway] [X] ").size() + 1023 - 6)
			<< "no more cut than a character";
	}
}

TEST(Result, FailCarriesCodeAndMessage)
{
	goaway::Result<int> r =
		goaway::fail(goaway::ErrorCode::Timeout, "no answer from 127.0.0.1:1935 within 5000 ms");
	ASSERT_FALSE(r.has_value());
	EXPECT_EQ(r.error().code, goaway::ErrorCode::Timeout);
	EXPECT_STREQ(goaway::errorCodeName(r.error().code), "timeout");
}
