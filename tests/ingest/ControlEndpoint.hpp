#pragma once
// Loopback TCP line protocol for driving the ingest from tests and scripts: one command per line,
// one reply line per command (see README.md). The server decides what commands mean.

#include "NodeListener.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <poll.h>
#include <string>
#include <vector>

namespace goaway::ingest {

class ControlEndpoint {
public:
	/** Returns the reply line, or nullopt when the reply comes later through reply(). */
	using Handler = std::function<std::optional<std::string>(uint64_t client, const std::string &line)>;

	Result<void> listen(const std::string &host, uint16_t port, Handler handler);
	bool active() const { return listener_.fd() >= 0; }
	uint16_t port() const { return listener_.port(); }
	const std::string &host() const { return listener_.host(); }

	/** Adds the listener and client sockets to `fds`; `owners` gets the matching client id (0 = listener). */
	void collect(std::vector<pollfd> &fds, std::vector<uint64_t> &owners) const;
	void handle(uint64_t owner, short revents);
	/** Sends a (deferred) reply line to `client`, if it is still connected. */
	void reply(uint64_t client, const std::string &line);
	/** Best effort: writes what is queued before exit. */
	void flushAll();

private:
	struct Client {
		int fd = -1;
		std::string in;
		std::string out;
	};
	void write(Client &client);
	void drop(uint64_t id);

	NodeListener listener_;
	Handler handler_;
	std::map<uint64_t, Client> clients_;
	uint64_t nextId_ = 1;
};

} // namespace goaway::ingest
