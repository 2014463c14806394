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

TEST(Result, FailCarriesCodeAndMessage)
{
	goaway::Result<int> r =
		goaway::fail(goaway::ErrorCode::Timeout, "no answer from 127.0.0.1:1935 within 5000 ms");
	ASSERT_FALSE(r.has_value());
	EXPECT_EQ(r.error().code, goaway::ErrorCode::Timeout);
	EXPECT_STREQ(goaway::errorCodeName(r.error().code), "timeout");
}
