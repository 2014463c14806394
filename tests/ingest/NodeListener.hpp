#pragma once
// A listening TCP socket (one ingest node, or the control endpoint). Non-blocking.

#include "plugin/common/Result.hpp"

#include <cstdint>
#include <string>

namespace goaway::ingest {

class NodeListener {
public:
	NodeListener() = default;
	~NodeListener();
	NodeListener(const NodeListener &) = delete;
	NodeListener &operator=(const NodeListener &) = delete;
	NodeListener(NodeListener &&other) noexcept;

	/** Binds HOST:PORT (port 0 = ephemeral) and listens. */
	Result<void> listen(const std::string &host, uint16_t port);
	int fd() const { return fd_; }
	const std::string &host() const { return host_; }
	uint16_t port() const { return port_; }

	struct Accepted {
		int fd = -1;
		std::string remote; // "127.0.0.1:5555" or "[::1]:5555"
	};
	/** Accepts one pending connection (non-blocking socket); fd -1 when none is pending. */
	Accepted accept();

private:
	int fd_ = -1;
	std::string host_;
	uint16_t port_ = 0;
};

} // namespace goaway::ingest
