#include "ControlEndpoint.hpp"

#include "plugin/common/Log.hpp"

#include <cerrno>
#include <sys/socket.h>
#include <unistd.h>

namespace goaway::ingest {

namespace {

// A command line is short; a client that sends more without a newline is not speaking the protocol.
constexpr size_t kMaxLineLength = 4096;

} // namespace

Result<void> ControlEndpoint::listen(const std::string &host, uint16_t port, Handler handler)
{
	handler_ = std::move(handler);
	return listener_.listen(host, port);
}

void ControlEndpoint::collect(std::vector<pollfd> &fds, std::vector<uint64_t> &owners) const
{
	if (!active())
		return;
	fds.push_back({listener_.fd(), POLLIN, 0});
	owners.push_back(0);
	for (const auto &[id, c] : clients_) {
		fds.push_back({c.fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
		owners.push_back(id);
	}
}

void ControlEndpoint::handle(uint64_t owner, short revents)
{
	if (owner == 0) {
		for (auto accepted = listener_.accept(); accepted.fd >= 0; accepted = listener_.accept())
			clients_[nextId_++] = Client{accepted.fd, {}, {}};
		return;
	}
	auto it = clients_.find(owner);
	if (it == clients_.end())
		return;
	if (revents & POLLOUT)
		write(it->second);
	if (!(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	char buffer[4096];
	const ssize_t n = ::recv(it->second.fd, buffer, sizeof(buffer), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop(owner);
		return;
	}
	it->second.in.append(buffer, static_cast<size_t>(n));
	size_t newline;
	while ((newline = it->second.in.find('\n')) != std::string::npos) {
		std::string line = it->second.in.substr(0, newline);
		it->second.in.erase(0, newline + 1);
		if (!line.empty() && line.back() == '\r')
			line.pop_back();
		if (line.empty())
			continue;
		auto answer = handler_(owner, line);
		it = clients_.find(owner); // the handler may have replied or dropped clients
		if (it == clients_.end())
			return;
		if (answer)
			reply(owner, *answer);
	}
	if (it->second.in.size() > kMaxLineLength) {
		GOAWAY_LOG_WARN("ControlEndpoint::handle", "control client sent an over-long line; closing it");
		drop(owner);
	}
}

void ControlEndpoint::reply(uint64_t client, const std::string &line)
{
	auto it = clients_.find(client);
	if (it == clients_.end())
		return;
	it->second.out += line;
	it->second.out += '\n';
	write(it->second);
}

void ControlEndpoint::write(Client &client)
{
	while (!client.out.empty()) {
		const ssize_t n = ::send(client.fd, client.out.data(), client.out.size(), MSG_NOSIGNAL);
		if (n <= 0)
			return; // EAGAIN: poll says when; errors: the read side notices the close
		client.out.erase(0, static_cast<size_t>(n));
	}
}

void ControlEndpoint::flushAll()
{
	for (auto &[id, c] : clients_) {
		// Blocking for this last write only: a reply to "quit" must reach the caller.
		const int fd = c.fd;
		while (!c.out.empty()) {
			pollfd p{fd, POLLOUT, 0};
			if (::poll(&p, 1, 1000) <= 0)
				break;
			const ssize_t n = ::send(fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
			if (n <= 0)
				break;
			c.out.erase(0, static_cast<size_t>(n));
		}
	}
}

void ControlEndpoint::drop(uint64_t id)
{
	auto it = clients_.find(id);
	if (it == clients_.end())
		return;
	::close(it->second.fd);
	clients_.erase(it);
}

} // namespace goaway::ingest
