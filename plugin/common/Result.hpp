#pragma once
// Errors are values at every boundary: no exception crosses an OBS, Qt or libcurl callback.

#include <expected>
#include <string>
#include <utility>

namespace goaway {

/** What went wrong, in a sentence a streamer or platform engineer can act on. */
enum class ErrorCode {
	InvalidArgument,  // bad input from the user (URL, settings)
	Protocol,         // the peer broke the RTMP / AMF / FLV rules
	ConnectFailed,    // TCP / TLS / handshake / connect could not be completed
	Timeout,          // a deadline passed
	Rejected,         // the server said no (_error, Publish.BadName, ...)
	Closed,           // the peer closed or reset the connection
	TlsVerification,  // certificate chain or host name did not verify
	Resolver,         // an ingest resolver (HTTP, DNS) gave a bad answer
	Io,               // a local I/O error (file, socket option)
	Internal,         // a bug: should not happen
	Cancelled,        // the caller gave up (the output stopped during a pre-connect)
};

/** An error value: a code for programs and a message for people (never contains a stream key). */
struct Error {
	ErrorCode code = ErrorCode::Internal;
	std::string message;
};

template<class T> using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, std::string message)
{
	return std::unexpected<Error>(Error{code, std::move(message)});
}

const char *errorCodeName(ErrorCode code);

} // namespace goaway
