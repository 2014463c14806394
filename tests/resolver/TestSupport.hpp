#pragma once
// Loopback fixtures for the resolver tests and benchmark: the Python ingest-list server as a
// child process, and TCP listeners that accept, refuse or never answer. Everything is bounded in
// time and torn down by destructors; nothing sleeps to synchronise (readiness is a line on a pipe).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char **environ;

namespace goaway::test {

/** The ingest-list server (ingest_list_server.py) on 127.0.0.1, port 0. */
class ListServer {
public:
	/** `extraArgs`: more server options, e.g. {"--tls-cert", cert, "--tls-key", key}. */
	explicit ListServer(std::vector<std::string> extraArgs = {})
	{
		int out[2];
		if (pipe(out) != 0)
			throw std::runtime_error("pipe");
		posix_spawn_file_actions_t actions;
		posix_spawn_file_actions_init(&actions);
		posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
		posix_spawn_file_actions_addclose(&actions, out[0]);
		std::vector<const char *> argv{GOAWAY_TEST_PYTHON, GOAWAY_TEST_LIST_SERVER, "--lifetime", "120"};
		for (const auto &arg : extraArgs)
			argv.push_back(arg.c_str());
		argv.push_back(nullptr);
		if (posix_spawn(&pid_, GOAWAY_TEST_PYTHON, &actions, nullptr, const_cast<char **>(argv.data()),
				environ) != 0)
			throw std::runtime_error("cannot start " GOAWAY_TEST_LIST_SERVER);
		posix_spawn_file_actions_destroy(&actions);
		close(out[1]);
		fd_ = out[0];
		const std::string ready = waitForLine("READY ", std::chrono::seconds(10));
		if (ready.empty())
			throw std::runtime_error("ingest list server did not become ready");
		port_ = std::stoi(ready.substr(6));
	}
	~ListServer()
	{
		if (pid_ > 0) {
			kill(pid_, SIGKILL);
			waitpid(pid_, nullptr, 0);
		}
		if (fd_ >= 0)
			close(fd_);
	}
	ListServer(const ListServer &) = delete;
	ListServer &operator=(const ListServer &) = delete;

	int port() const { return port_; }
	std::string url(const std::string &pathAndQuery, const char *scheme = "http",
			const char *host = "127.0.0.1") const
	{
		return std::string(scheme) + "://" + host + ":" + std::to_string(port_) + pathAndQuery;
	}

	/** The next stdout line starting with `prefix` (earlier lines are skipped), or "" on timeout. */
	std::string waitForLine(const std::string &prefix, std::chrono::milliseconds timeout)
	{
		const auto end = std::chrono::steady_clock::now() + timeout;
		for (;;) {
			for (auto nl = buffer_.find('\n'); nl != std::string::npos; nl = buffer_.find('\n')) {
				std::string line = buffer_.substr(0, nl);
				buffer_.erase(0, nl + 1);
				if (line.starts_with(prefix))
					return line;
			}
			const auto now = std::chrono::steady_clock::now();
			if (now >= end)
				return {};
			pollfd p{fd_, POLLIN, 0};
			const auto wait = std::chrono::ceil<std::chrono::milliseconds>(end - now).count();
			if (poll(&p, 1, static_cast<int>(wait)) <= 0)
				continue;
			char chunk[512];
			const ssize_t n = read(fd_, chunk, sizeof(chunk));
			if (n <= 0)
				return {};
			buffer_.append(chunk, static_cast<size_t>(n));
		}
	}

private:
	pid_t pid_ = -1;
	int fd_ = -1;
	int port_ = 0;
	std::string buffer_;
};

inline int bindSocket(const std::string &address, int port, int backlog)
{
	sockaddr_storage storage{};
	socklen_t length = 0;
	auto *v4 = reinterpret_cast<sockaddr_in *>(&storage);
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(&storage);
	if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(static_cast<uint16_t>(port));
		length = sizeof(*v4);
	} else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(static_cast<uint16_t>(port));
		length = sizeof(*v6);
	} else {
		return -1;
	}
	int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 ||
	    (backlog >= 0 && listen(fd, backlog) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

inline int localPort(int fd)
{
	sockaddr_storage storage{};
	socklen_t length = sizeof(storage);
	getsockname(fd, reinterpret_cast<sockaddr *>(&storage), &length);
	return storage.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6 *>(&storage)->sin6_port)
					     : ntohs(reinterpret_cast<sockaddr_in *>(&storage)->sin_port);
}

/** A listener that accepts and closes every connection (a healthy ingest as far as TCP goes). */
class AcceptingListener {
public:
	explicit AcceptingListener(const std::string &address, int port = 0) : fd_(bindSocket(address, port, 128))
	{
		if (fd_ < 0)
			return;
		port_ = localPort(fd_);
		stop_ = eventfd(0, EFD_CLOEXEC);
		thread_ = std::thread([this] {
			for (;;) {
				pollfd p[2] = {{fd_, POLLIN, 0}, {stop_, POLLIN, 0}};
				if (poll(p, 2, -1) < 0 || p[1].revents)
					return;
				int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
				if (c >= 0)
					close(c);
			}
		});
	}
	~AcceptingListener()
	{
		if (thread_.joinable()) {
			uint64_t one = 1;
			[[maybe_unused]] ssize_t n = write(stop_, &one, sizeof(one));
			thread_.join();
		}
		if (stop_ >= 0)
			close(stop_);
		if (fd_ >= 0)
			close(fd_);
	}
	bool ok() const { return fd_ >= 0; }
	int port() const { return port_; }

private:
	int fd_ = -1;
	int stop_ = -1;
	int port_ = 0;
	std::thread thread_;
};

/** A listener whose accept queue is full (backlog 0 plus one connection never accepted): Linux
 *  drops further SYNs, so a connect to it gets no answer at all, like a black-holed node. */
class HangingListener {
public:
	explicit HangingListener(const std::string &address) : fd_(bindSocket(address, 0, 0))
	{
		if (fd_ < 0)
			return;
		port_ = localPort(fd_);
		filler_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0); // IPv4 targets only
		sockaddr_in sa{};
		sa.sin_family = AF_INET;
		sa.sin_port = htons(static_cast<uint16_t>(port_));
		inet_pton(AF_INET, address.c_str(), &sa.sin_addr);
		if (connect(filler_, reinterpret_cast<sockaddr *>(&sa), sizeof(sa)) != 0) {
			close(fd_);
			fd_ = -1;
		}
	}
	~HangingListener()
	{
		if (filler_ >= 0)
			close(filler_);
		if (fd_ >= 0)
			close(fd_);
	}
	bool ok() const { return fd_ >= 0; }
	int port() const { return port_; }

private:
	int fd_ = -1;
	int filler_ = -1;
	int port_ = 0;
};

/** A port on `address` that nothing listens on (bound, then released): connects are refused. */
inline int closedPort(const std::string &address)
{
	int fd = bindSocket(address, 0, -1);
	if (fd < 0)
		return 0;
	const int port = localPort(fd);
	close(fd);
	return port;
}

} // namespace goaway::test
