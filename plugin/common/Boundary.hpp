#pragma once
// Where our code is entered from outside it — an OBS callback, a proc or signal handler, a
// frontend event, a websocket vendor request, a Qt slot fed by outside data, a libcurl callback,
// a thread entry — no exception may pass: one that escapes a C callback or a thread entry ends in
// std::terminate, and that kills OBS with the stream and the streamer's recording.
// Each such entry is a `noexcept` function whose body runs inside guarded(); the static check in
// scripts/check-boundaries (clang-tidy's bugprone-exception-escape over these files) confirms that
// nothing can still throw out of a noexcept function.

#include "Log.hpp"

#include <exception>
#include <new>
#include <type_traits>
#include <utility>

namespace goaway {

namespace detail {
inline void logEscaped(const char *where, const char *what) noexcept
{
	// logf formats into fixed buffers and calls a C sink: it does not throw.
	logf(LogLevel::Error, where, "caught an exception at a boundary: %s (the operation failed; OBS goes on)", what);
}

/** Inside a catch block: logs the exception being handled, whatever its type. */
inline void logCurrentException(const char *where) noexcept
{
	try {
		throw;
	} catch (const std::bad_alloc &) {
		logEscaped(where, "out of memory");
	} catch (const std::exception &e) {
		logEscaped(where, e.what());
	} catch (...) {
		logEscaped(where, "unknown exception");
	}
}
} // namespace detail

/**
 * Runs body(); an exception is logged once with `where` and turned into `fallback` (for void
 * bodies: nothing). Use at every entry from outside; inside, errors are Result values.
 */
template<class F, class R = std::invoke_result_t<F>>
requires(!std::is_void_v<R>) R guarded(const char *where, R fallback, F &&body) noexcept
{
	try {
		return std::forward<F>(body)();
	} catch (...) {
		detail::logCurrentException(where);
	}
	return fallback;
}

/** guarded() for a body that returns nothing; returns false when an exception was caught. */
template<class F> requires std::is_void_v<std::invoke_result_t<F>> bool guarded(const char *where, F &&body) noexcept
{
	try {
		std::forward<F>(body)();
		return true;
	} catch (...) {
		detail::logCurrentException(where);
	}
	return false;
}

} // namespace goaway
