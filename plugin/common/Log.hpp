#pragma once
// Logging below plugin/obs: the layers do not call the OBS API, so lines go to a sink that
// plugin/obs points at blog() and the command-line tools leave on stderr.
// Every line is prefixed "[obs-rtmp-goaway] [Where] ". Never pass a stream key here.

#include <cstdarg>

namespace goaway {

enum class LogLevel { Debug, Info, Warning, Error };

using LogSink = void (*)(LogLevel level, const char *line) noexcept;

/** Replace the sink (nullptr restores stderr). Not thread-safe: call once at start-up. */
void setLogSink(LogSink sink) noexcept;
/** Lines below this level are dropped (default Info; GOAWAY_DEBUG=1 in the environment gives Debug). */
void setLogLevel(LogLevel level);

/** True when lines of this level reach the sink. */
bool logEnabled(LogLevel level) noexcept;

void logf(LogLevel level, const char *where, const char *fmt, ...) noexcept
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

} // namespace goaway

// The level is checked before the arguments are evaluated: debug lines describe every action of
// the send loop (one or more per media packet), and formatting those strings when nobody reads
// them cost a measurable share of the sender's CPU.
#define GOAWAY_LOG_DEBUG(...)                                                             \
	do {                                                                              \
		if (::goaway::logEnabled(::goaway::LogLevel::Debug))                      \
			::goaway::logf(::goaway::LogLevel::Debug, __func__, __VA_ARGS__); \
	} while (false)
#define GOAWAY_LOG_INFO(where, ...) ::goaway::logf(::goaway::LogLevel::Info, where, __VA_ARGS__)
#define GOAWAY_LOG_WARN(where, ...) ::goaway::logf(::goaway::LogLevel::Warning, where, __VA_ARGS__)
#define GOAWAY_LOG_ERROR(where, ...) ::goaway::logf(::goaway::LogLevel::Error, where, __VA_ARGS__)
