// goaway-delayline: a TCP-level delay line between a client and the servers of the network
// namespace it is started in, for tests and benchmarks that need a real round-trip time.
//
//   goaway-delayline --delay-ms D [--mtu N] [--initcwnd SEGMENTS] -- COMMAND [ARG...]
//
// COMMAND runs in a network namespace of its own that reaches this one only through a pair of tun
// devices; every IP packet crosses them D ms late in each direction (RTT = 2 D), so TCP itself sees
// the delay: slow start, the congestion window of a new or idle connection, delayed ACKs, Nagle.
// A server answering late at the application level (goaway-ingest's latency=) shows none of that.
// Inside COMMAND's namespace 127.0.0.0/8 leads to this namespace: a client started as COMMAND
// reaches a server here at 127.0.0.1 as usual. The MTU is an Ethernet one by default, so segment
// sizes and initial windows are those of a real path rather than loopback's 64 KiB. --initcwnd
// sets COMMAND's initial congestion window (a route attribute; 10 segments by default, RFC 6928):
// with a large one, what a new connection's slow start costs disappears, which tells it apart.
//
// Why not tc netem: the kernels these tests run on lack sch_netem. Run inside `unshare -n` (the
// project's network rule): the routes it changes are those of that private namespace only.
// Exit status: COMMAND's (128 + signal if it was killed); 2 on a setup error. SIGINT / SIGTERM are
// passed on to COMMAND.

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <optional>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <string>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

/// The server side's tun device (in the starting namespace) and the client side's (in COMMAND's).
constexpr const char *kServerSideDev = "gwdelay0";
constexpr const char *kClientSideDev = "gwdelay1";
/// COMMAND's own address: inside 127.0.0.0/8, so that the network rule holds on both sides.
constexpr const char *kClientAddress = "127.0.2.1";
constexpr const char *kClientSubnet = "127.0.2.0/24";
/// An Ethernet MTU: the segment size (and so the initial congestion window in bytes) of a real path.
constexpr int kDefaultMtu = 1500;
/// Packets in flight in one direction are bounded like a router's buffer: 6 MiB holds a second of
/// a 50 Mbit/s stream; what does not fit is dropped (and counted), as a router would.
constexpr size_t kMaxQueuedBytes = 6u << 20;
constexpr size_t kMaxPacket = 65536;

volatile sig_atomic_t gSignal = 0;
void onSignal(int sig)
{
	gSignal = sig;
}

[[noreturn]] void die(const std::string &what)
{
	std::fprintf(stderr, "[goaway-delayline] %s\n", what.c_str());
	std::exit(2);
}

int openTun(const char *name)
{
	const int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		die(std::string("cannot open /dev/net/tun: ") + std::strerror(errno));
	ifreq ifr{};
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	std::snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		die(std::string("cannot create tun device ") + name + ": " + std::strerror(errno));
	return fd;
}

void sh(const std::string &command)
{
	if (std::system(command.c_str()) != 0)
		die("setup step failed: " + command);
}

void writeSysctl(const std::string &path, const char *value)
{
	FILE *f = std::fopen(path.c_str(), "w");
	if (!f || std::fputs(value, f) < 0 || std::fclose(f) != 0)
		die("cannot write " + path);
}

/// Loopback addresses may cross this device (the kernel treats them as martians elsewhere), and
/// the reverse-path filter does not drop them.
void allowLoopbackAddresses(const char *dev)
{
	for (const std::string conf : {"all", dev}) {
		writeSysctl("/proc/sys/net/ipv4/conf/" + conf + "/route_localnet", "1");
		writeSysctl("/proc/sys/net/ipv4/conf/" + conf + "/rp_filter", "0");
	}
}

struct Packet {
	Clock::time_point due;
	std::vector<unsigned char> bytes;
};

/// One direction: packets read from `from` leave on `to` `delay` later, in order.
struct Direction {
	int from = -1;
	int to = -1;
	std::deque<Packet> queue;
	size_t queuedBytes = 0;
	unsigned long long dropped = 0;

	void readAll(Clock::duration delay)
	{
		unsigned char buf[kMaxPacket];
		for (;;) {
			const ssize_t n = read(from, buf, sizeof(buf));
			if (n <= 0)
				return; // EAGAIN: drained
			if (queuedBytes + size_t(n) > kMaxQueuedBytes) {
				++dropped;
				continue;
			}
			queue.push_back(Packet{Clock::now() + delay, std::vector<unsigned char>(buf, buf + n)});
			queuedBytes += size_t(n);
		}
	}

	void writeDue(Clock::time_point now)
	{
		while (!queue.empty() && queue.front().due <= now) {
			const Packet &p = queue.front();
			if (write(to, p.bytes.data(), p.bytes.size()) < 0 && errno == EAGAIN)
				return; // the device's queue is full: try again on the next turn
			queuedBytes -= p.bytes.size();
			queue.pop_front();
		}
	}
};

} // namespace

int main(int argc, char **argv)
{
	int delayMs = -1;
	int mtu = kDefaultMtu;
	std::string route; // extra route attributes on the client side, e.g. "initcwnd 200"
	int i = 1;
	for (; i < argc; ++i) {
		const std::string a = argv[i];
		if (a == "--")
			break;
		if (a == "--delay-ms" && i + 1 < argc)
			delayMs = std::atoi(argv[++i]);
		else if (a == "--mtu" && i + 1 < argc)
			mtu = std::atoi(argv[++i]);
		else if (a == "--initcwnd" && i + 1 < argc)
			route = std::string(" initcwnd ") + std::to_string(std::clamp(std::atoi(argv[++i]), 1, 1000));
		else
			die("usage: goaway-delayline --delay-ms D [--mtu N] [--initcwnd N] -- COMMAND [ARG...]");
	}
	if (delayMs < 0 || delayMs > 10000 || mtu < 576 || mtu > 65535 || i + 1 >= argc)
		die("usage: goaway-delayline --delay-ms D (0..10000) [--mtu N (576..65535)] -- COMMAND [ARG...]");
	char **command = argv + i + 1;
	const auto delay = std::chrono::milliseconds(delayMs);

	// The server side: packets for COMMAND's subnet leave through the tun device. The route sits in
	// the local table, where it is more specific than "local 127.0.0.0/8 dev lo".
	const int serverFd = openTun(kServerSideDev);
	allowLoopbackAddresses(kServerSideDev);
	sh(std::string("ip link set ") + kServerSideDev + " up mtu " + std::to_string(mtu));
	sh(std::string("ip route add table local unicast ") + kClientSubnet + " dev " + kServerSideDev);

	// The client side, in a namespace of its own whose loopback stays down: all of 127.0.0.0/8 is
	// reached through the tun device, from COMMAND's one address.
	if (unshare(CLONE_NEWNET) != 0)
		die(std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno));
	const int clientFd = openTun(kClientSideDev);
	allowLoopbackAddresses(kClientSideDev);
	sh(std::string("ip link set ") + kClientSideDev + " up mtu " + std::to_string(mtu));
	sh(std::string("ip addr add ") + kClientAddress + "/32 dev " + kClientSideDev);
	sh(std::string("ip route add 127.0.0.0/8 dev ") + kClientSideDev + " src " + kClientAddress + route);

	struct sigaction sa {};
	sa.sa_handler = onSignal;
	sigaction(SIGINT, &sa, nullptr);
	sigaction(SIGTERM, &sa, nullptr);

	const pid_t child = fork();
	if (child < 0)
		die(std::string("fork: ") + std::strerror(errno));
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		execvp(command[0], command);
		std::fprintf(stderr, "[goaway-delayline] cannot run %s: %s\n", command[0], std::strerror(errno));
		_exit(127);
	}
	const int pidFd = int(syscall(SYS_pidfd_open, child, 0));
	if (pidFd < 0)
		die(std::string("pidfd_open: ") + std::strerror(errno));

	Direction toClient;
	toClient.from = serverFd;
	toClient.to = clientFd;
	Direction toServer;
	toServer.from = clientFd;
	toServer.to = serverFd;
	int forwarded = 0;
	for (;;) {
		if (gSignal && forwarded != gSignal) {
			kill(child, gSignal);
			forwarded = gSignal;
		}
		auto now = Clock::now();
		toClient.writeDue(now);
		toServer.writeDue(now);
		timespec timeout{1, 0};
		std::optional<Clock::time_point> next;
		for (const Direction *d : {&toClient, &toServer})
			if (!d->queue.empty())
				next = next ? std::min(*next, d->queue.front().due) : d->queue.front().due;
		if (next) {
			const auto wait = std::max(Clock::duration::zero(), *next - now);
			const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
			timeout = timespec{time_t(ns / 1000000000), long(ns % 1000000000)};
		}
		pollfd fds[3] = {{serverFd, POLLIN, 0}, {clientFd, POLLIN, 0}, {pidFd, POLLIN, 0}};
		if (ppoll(fds, 3, &timeout, nullptr) < 0 && errno != EINTR)
			die(std::string("ppoll: ") + std::strerror(errno));
		if (fds[0].revents & POLLIN)
			toClient.readAll(delay);
		if (fds[1].revents & POLLIN)
			toServer.readAll(delay);
		if (fds[2].revents & POLLIN)
			break;
	}
	int status = 0;
	waitpid(child, &status, 0);
	if (toClient.dropped || toServer.dropped)
		std::fprintf(stderr,
			     "[goaway-delayline] dropped %llu packets to the client, %llu to the server (queue full)\n",
			     toClient.dropped, toServer.dropped);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
