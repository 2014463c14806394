#pragma once
// Our own TCP connect (instead of librtmp's RTMP_Connect0): every resolved address (IPv4 and
// IPv6), a chosen address (so a handoff can avoid the draining node), a connect timeout and an
// optional local bind address.

#include "ConnectCanceller.hpp"
#include "../common/Result.hpp"

#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <vector>

namespace goaway::rtmp {

/** One resolved address of a host. */
struct ResolvedAddress {
	sockaddr_storage storage{};
	socklen_t length = 0;
	/** Numeric address without port ("127.0.0.1", "::1"). */
	std::string ip() const;
	/** "127.0.0.1:1935" / "[::1]:1935". */
	std::string text() const;
};

/** An owned file descriptor (closed on destruction). */
class UniqueFd {
public:
	UniqueFd() = default;
	explicit UniqueFd(int fd) : fd_(fd) {}
	UniqueFd(UniqueFd &&other) noexcept : fd_(other.release()) {}
	UniqueFd &operator=(UniqueFd &&other) noexcept;
	UniqueFd(const UniqueFd &) = delete;
	UniqueFd &operator=(const UniqueFd &) = delete;
	~UniqueFd() { reset(); }
	int get() const { return fd_; }
	int release()
	{
		int fd = fd_;
		fd_ = -1;
		return fd;
	}
	void reset(int fd = -1);
	explicit operator bool() const { return fd_ >= 0; }

private:
	int fd_ = -1;
};

struct ConnectedSocket {
	UniqueFd fd;
	ResolvedAddress peer;
};

class TcpConnector {
public:
	/** getaddrinfo(host, port), IPv4 and IPv6, in the resolver's order. Errors: ConnectFailed. */
	static Result<std::vector<ResolvedAddress>> resolve(const std::string &host, uint16_t port);

	/**
	 * Connects to one address within timeoutMs (non-blocking connect + poll). bindAddress, when
	 * not empty, is a numeric local address to bind first. The socket is returned blocking, with
	 * TCP_NODELAY. Errors: Timeout, ConnectFailed (with the errno text and the address), Cancelled.
	 * With a canceller, the socket stays attached to it on success (the caller detaches it).
	 */
	static Result<ConnectedSocket> connect(const ResolvedAddress &address, int timeoutMs,
					       const std::string &bindAddress = {},
					       ConnectCanceller *canceller = nullptr);

	/**
	 * Takes over a socket someone else connected (the resolver's probe: ingest::Candidate::
	 * connection) as connect() would have returned it: blocking, with TCP_NODELAY, attached to
	 * the canceller. ConnectFailed when it is not a connected TCP socket or has an error pending
	 * (the caller then connects afresh).
	 */
	static Result<ConnectedSocket> adopt(UniqueFd fd, ConnectCanceller *canceller = nullptr);

	/**
	 * Resolves host and tries each address in turn (or only `onlyAddress`, a numeric IP, when not
	 * empty) until one connects; each attempt gets timeoutMs. The error names every address tried.
	 */
	static Result<ConnectedSocket> connectAny(const std::string &host, uint16_t port, int timeoutMs,
						  const std::string &onlyAddress = {},
						  const std::string &bindAddress = {},
						  ConnectCanceller *canceller = nullptr);
};

} // namespace goaway::rtmp
