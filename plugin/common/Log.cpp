#include "Log.hpp"
#include "Result.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace goaway {

namespace {

void stderrSink(LogLevel level, const char *line) noexcept
{
	static const char *const names[] = {"debug", "info", "warning", "error"};
	std::fprintf(stderr, "%s: %s\n", names[static_cast<int>(level)], line);
}

LogSink currentSink = stderrSink;

LogLevel initialLevel()
{
	const char *debug = std::getenv("GOAWAY_DEBUG");
	return (debug && std::strcmp(debug, "0") != 0) ? LogLevel::Debug : LogLevel::Info;
}

std::atomic<LogLevel> currentLevel{initialLevel()};

} // namespace

void setLogSink(LogSink sink) noexcept
{
	currentSink = sink ? sink : stderrSink;
}

void setLogLevel(LogLevel level)
{
	currentLevel = level;
}

bool logEnabled(LogLevel level) noexcept
{
	return level >= currentLevel.load(std::memory_order_relaxed);
}

void logf(LogLevel level, const char *where, const char *fmt, ...) noexcept
{
	if (!logEnabled(level))
		return;
	char body[1024];
	va_list args;
	va_start(args, fmt);
	std::vsnprintf(body, sizeof(body), fmt, args);
	va_end(args);
	char line[1200];
	std::snprintf(line, sizeof(line), "[obs-rtmp-goaway] [%s] %s", where, body);
	currentSink(level, line);
}

const char *errorCodeName(ErrorCode code)
{
	switch (code) {
	case ErrorCode::InvalidArgument:
		return "invalid argument";
	case ErrorCode::Protocol:
		return "protocol error";
	case ErrorCode::ConnectFailed:
		return "connect failed";
	case ErrorCode::Timeout:
		return "timeout";
	case ErrorCode::Rejected:
		return "rejected by server";
	case ErrorCode::Closed:
		return "connection closed";
	case ErrorCode::TlsVerification:
		return "TLS verification failed";
	case ErrorCode::Resolver:
		return "resolver error";
	case ErrorCode::Io:
		return "I/O error";
	case ErrorCode::Internal:
		return "internal error";
	case ErrorCode::Cancelled:
		return "cancelled";
	}
	return "unknown error";
}

} // namespace goaway
