#include "CandidateProber.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

namespace goaway::ingest {

namespace {

using Clock = std::chrono::steady_clock;

struct Attempt {
	int fd = -1;
	Clock::time_point started;
};

// Starts a non-blocking connect. Returns the socket (connect pending or done), or -1 with `error`.
int startConnect(const ProbeTarget &target, std::string &error, bool &connectedAtOnce)
{
	sockaddr_storage storage{};
	socklen_t length = 0;
	auto *v4 = reinterpret_cast<sockaddr_in *>(&storage);
	auto *v6 = reinterpret_cast<sockaddr_in6 *>(&storage);
	if (inet_pton(AF_INET, target.address.c_str(), &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons(target.port);
		length = sizeof(sockaddr_in);
	} else if (inet_pton(AF_INET6, target.address.c_str(), &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons(target.port);
		length = sizeof(sockaddr_in6);
	} else {
		error = "not a numeric address";
		return -1;
	}
	int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		error = std::string("socket: ") + std::strerror(errno);
		return -1;
	}
	connectedAtOnce = false;
	if (connect(fd, reinterpret_cast<sockaddr *>(&storage), length) == 0) {
		connectedAtOnce = true;
	} else if (errno != EINPROGRESS) {
		error = std::strerror(errno);
		close(fd);
		return -1;
	}
	return fd;
}

int elapsedMs(Clock::time_point from, Clock::time_point to)
{
	return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(to - from).count());
}

} // namespace

std::vector<ProbeOutcome> CandidateProber::probe(const std::vector<ProbeTarget> &targets, Clock::time_point deadline,
						 const CancelToken *cancel, bool keepConnections)
{
	std::vector<ProbeOutcome> outcomes(targets.size());
	std::vector<Attempt> attempts(targets.size());
	std::size_t next = 0;
	std::size_t open = 0;
	// An attempt is over: an established connection goes to the caller when asked for, else closes.
	auto end = [&](std::size_t i) {
		if (keepConnections && outcomes[i].connected)
			outcomes[i].connection = std::make_shared<rtmp::UniqueFd>(attempts[i].fd);
		else
			close(attempts[i].fd);
		attempts[i].fd = -1;
	};

	auto launch = [&] {
		while (next < targets.size() && open < constants::kMaxProbesInFlight) {
			const std::size_t i = next++;
			bool atOnce = false;
			attempts[i].started = Clock::now();
			attempts[i].fd = startConnect(targets[i], outcomes[i].error, atOnce);
			if (attempts[i].fd < 0)
				continue;
			if (atOnce) {
				outcomes[i].connected = true;
				outcomes[i].connectMs = elapsedMs(attempts[i].started, Clock::now());
				end(i);
				continue;
			}
			++open;
		}
	};

	launch();
	std::vector<pollfd> fds;
	std::vector<std::size_t> owners;
	while (open > 0) {
		const auto now = Clock::now();
		if (now >= deadline || (cancel && cancel->cancelled()))
			break;
		fds.clear();
		owners.clear();
		for (std::size_t i = 0; i < attempts.size(); ++i) {
			if (attempts[i].fd >= 0) {
				fds.push_back({attempts[i].fd, POLLOUT, 0});
				owners.push_back(i);
			}
		}
		if (cancel && cancel->fd() >= 0)
			fds.push_back({cancel->fd(), POLLIN, 0});
		// Round up so a wait never ends just before the deadline and spins.
		const auto waitMs = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
		const int rc = poll(fds.data(), fds.size(), static_cast<int>(std::min<long long>(waitMs, INT_MAX)));
		if (rc < 0 && errno != EINTR)
			break;
		const auto seen = Clock::now();
		for (std::size_t k = 0; k < owners.size(); ++k) {
			if (!fds[k].revents)
				continue;
			const std::size_t i = owners[k];
			int soError = 0;
			socklen_t len = sizeof(soError);
			getsockopt(attempts[i].fd, SOL_SOCKET, SO_ERROR, &soError, &len);
			if (soError == 0 && !(fds[k].revents & (POLLERR | POLLHUP))) {
				outcomes[i].connected = true;
				outcomes[i].connectMs = elapsedMs(attempts[i].started, seen);
			} else {
				outcomes[i].error = soError ? std::strerror(soError) : "connection failed";
			}
			end(i);
			--open;
		}
		launch();
	}
	// Whatever is still pending missed the deadline (or was cancelled).
	for (std::size_t i = 0; i < attempts.size(); ++i) {
		if (attempts[i].fd >= 0)
			end(i); // not connected: closed
		if (!outcomes[i].connected && outcomes[i].error.empty())
			outcomes[i].error = (cancel && cancel->cancelled()) ? "probe cancelled"
									    : "no answer before the deadline";
	}
	return outcomes;
}

void CandidateProber::rank(std::vector<Candidate> &candidates, std::chrono::milliseconds bucket)
{
	std::vector<CandidateSource> sourceOrder;
	for (const auto &c : candidates)
		if (std::find(sourceOrder.begin(), sourceOrder.end(), c.source) == sourceOrder.end())
			sourceOrder.push_back(c.source);
	auto group = [&](CandidateSource s) {
		return std::find(sourceOrder.begin(), sourceOrder.end(), s) - sourceOrder.begin();
	};
	const long long width = std::max<long long>(1, bucket.count());
	auto speed = [&](const Candidate &c) {
		return c.probeMs < 0 ? LLONG_MAX : c.probeMs / width;
	};
	std::stable_sort(candidates.begin(), candidates.end(), [&](const Candidate &a, const Candidate &b) {
		if (a.draining != b.draining)
			return !a.draining;
		if (a.reachable != b.reachable)
			return a.reachable;
		if (group(a.source) != group(b.source))
			return group(a.source) < group(b.source);
		return speed(a) < speed(b);
	});
}

} // namespace goaway::ingest
