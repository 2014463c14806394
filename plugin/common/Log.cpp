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

/// A message longer than this is cut (OBS's own log line limit is larger). Cut at a character
/// boundary with an ellipsis: a cut inside a UTF-8 sequence would put invalid text into OBS's log.
constexpr std::size_t kMaxBodyBytes = 1024;
constexpr char kEllipsis[] = "\xE2\x80\xA6"; // U+2026

void endCut(char *body, std::size_t size) noexcept
{
	std::size_t cut = size - sizeof(kEllipsis); // room for the ellipsis and the NUL
	while (cut > 0 && (static_cast<unsigned char>(body[cut]) & 0xC0) == 0x80)
		--cut; // body[cut] starts the character that would be split: it goes
	std::memcpy(body + cut, kEllipsis, sizeof(kEllipsis));
}

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
	char body[kMaxBodyBytes];
	va_list args;
	va_start(args, fmt);
	const int length = std::vsnprintf(body, sizeof(body), fmt, args);
	va_end(args);
	if (length >= static_cast<int>(sizeof(body)))
		endCut(body, sizeof(body));
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
