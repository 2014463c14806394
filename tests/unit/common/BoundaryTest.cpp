// guarded(): what runs at a boundary (an OBS callback, a thread entry) turns any exception into
// its fallback value and a log line, instead of std::terminate ending OBS.

#include "plugin/common/Boundary.hpp"
#include "plugin/common/Log.hpp"

#include <gtest/gtest.h>

#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

std::vector<std::string> lines;
void captureLine(goaway::LogLevel, const char *line) noexcept
{
	try {
		lines.emplace_back(line);
	} catch (...) {
	}
}

struct CaptureLog {
	CaptureLog()
	{
		lines.clear();
		goaway::setLogSink(captureLine);
	}
	~CaptureLog() { goaway::setLogSink(nullptr); }
};

} // namespace

TEST(Boundary, AValueBodyReturnsItsValueWhenNothingThrows)
{
	CaptureLog log;
	EXPECT_EQ(goaway::guarded("Test::value", -1, [] { return 42; }), 42);
	EXPECT_TRUE(lines.empty());
}

TEST(Boundary, AnExceptionBecomesTheFallbackAndOneLogLineNamingWhere)
{
	CaptureLog log;
	EXPECT_EQ(goaway::guarded("Test::throws", -1, []() -> int { throw std::runtime_error("boom"); }), -1);
	ASSERT_EQ(lines.size(), 1u);
	EXPECT_NE(lines[0].find("[obs-rtmp-goaway] [Test::throws]"), std::string::npos);
	EXPECT_NE(lines[0].find("boom"), std::string::npos);
}

TEST(Boundary, VoidBodiesReportWhetherTheyRanAndNonStandardThrowsAreCaughtToo)
{
	CaptureLog log;
	EXPECT_TRUE(goaway::guarded("Test::ok", [] {}));
	EXPECT_FALSE(goaway::guarded("Test::int", [] { throw 7; }));
	EXPECT_FALSE(goaway::guarded("Test::alloc", [] { throw std::bad_alloc(); }));
	ASSERT_EQ(lines.size(), 2u);
	EXPECT_NE(lines[1].find("out of memory"), std::string::npos);
}

TEST(Boundary, AThreadEntryThatThrowsEndsItsThreadNotTheProcess)
{
	CaptureLog log;
	bool caught = false;
	std::thread t(
		[&]() noexcept { caught = !goaway::guarded("Test::thread", [] { throw std::logic_error("x"); }); });
	t.join();
	EXPECT_TRUE(caught);
}
