#include "LibrtmpHandshake.hpp"
#include "TlsBridge.hpp"
#include "../common/Log.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <librtmp/log.h>
#include <librtmp/rtmp.h>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/time.h>

namespace goaway::rtmp {

namespace {

void librtmpLog(int level, const char *fmt, va_list args)
{
	char line[512];
	std::vsnprintf(line, sizeof(line), fmt, args);
	if (level <= RTMP_LOGWARNING)
		GOAWAY_LOG_WARN("LibrtmpHandshake::run", "librtmp: %s", line);
	else
		GOAWAY_LOG_DEBUG("librtmp: %s", line);
}

void setSocketTimeouts(int fd, int timeoutMs)
{
	timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

struct RtmpDeleter {
	void operator()(RTMP *r) const
	{
		// Detach what is ours first: RTMP_Close would otherwise close the socket and
		// gnutls_deinit() the TLS session (RTMPSockBuf_Close).
		r->m_sb.sb_socket = -1;
		r->m_sb.sb_ssl = nullptr;
		r->m_sb.sb_size = 0;
		r->m_stream_id = 0; // never let RTMP_Close send FCUnpublish/deleteStream
		RTMP_Close(r);
		RTMP_Free(r);
	}
};

/// librtmp writes with send(..., 0): a peer that resets the connection during the handshake (or a
/// cancel that shut the socket down) would raise SIGPIPE, which kills a host that does not ignore
/// it. Blocked for this thread while librtmp runs; one it raised is taken off the pending set.
class ScopedSigpipeBlock {
public:
	ScopedSigpipeBlock()
	{
		sigemptyset(&pipe_);
		sigaddset(&pipe_, SIGPIPE);
		sigset_t pending;
		sigpending(&pending);
		pendingBefore_ = sigismember(&pending, SIGPIPE) == 1;
		pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
	}
	~ScopedSigpipeBlock()
	{
		sigset_t pending;
		sigpending(&pending);
		if (!pendingBefore_ && sigismember(&pending, SIGPIPE) == 1) {
			const timespec now{0, 0};
			while (sigtimedwait(&pipe_, nullptr, &now) < 0 && errno == EINTR) {
			}
		}
		pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
	}
	ScopedSigpipeBlock(const ScopedSigpipeBlock &) = delete;
	ScopedSigpipeBlock &operator=(const ScopedSigpipeBlock &) = delete;

private:
	sigset_t pipe_{};
	sigset_t previous_{};
	bool pendingBefore_ = false;
};

} // namespace

Result<std::vector<uint8_t>> LibrtmpHandshake::run(Transport &transport, std::span<const uint8_t> connectBody,
						   int ioTimeoutMs)
{
	static std::once_flag logOnce;
	std::call_once(logOnce, [] {
		RTMP_LogSetCallback(librtmpLog);
		const char *debug = std::getenv("GOAWAY_DEBUG");
		if (debug && std::strcmp(debug, "0") != 0)
			RTMP_LogSetLevel(RTMP_LOGDEBUG);
	});

	std::unique_ptr<RTMP, RtmpDeleter> r(RTMP_Alloc());
	if (!r)
		return fail(ErrorCode::Internal, "RTMP_Alloc failed");
	{
		// RTMP_Init lazily initialises librtmp's global TLS context without locking; sessions
		// may connect on several threads at once (make-before-break pre-connects).
		static std::mutex initMutex;
		std::lock_guard lock(initMutex);
		RTMP_Init(r.get());
	}
	// Plain RTMP flags even for RTMPS: librtmp must not start TLS itself (see header).
	r->Link.protocol = RTMP_PROTOCOL_RTMP | RTMP_FEATURE_WRITE;
	r->Link.timeout = (ioTimeoutMs + 999) / 1000;
	std::optional<TlsBridge> bridge;
	int librtmpFd = transport.fd();
	if (transport.tls()) {
		bridge.emplace(*transport.tls(), transport.fd());
		auto fd = bridge->start();
		if (!fd)
			return std::unexpected(fd.error());
		librtmpFd = *fd;
	}
	r->m_sb.sb_socket = librtmpFd;
	r->m_sb.sb_ssl = nullptr;
	setSocketTimeouts(librtmpFd, ioTimeoutMs);

	RTMPPacket packet;
	RTMPPacket_Reset(&packet);
	if (!RTMPPacket_Alloc(&packet, static_cast<uint32_t>(connectBody.size())))
		return fail(ErrorCode::Internal, "RTMPPacket_Alloc failed");
	std::memcpy(packet.m_body, connectBody.data(), connectBody.size());
	packet.m_nChannel = 3; // chunk_stream::kCommand
	packet.m_headerType = RTMP_PACKET_SIZE_LARGE;
	packet.m_packetType = RTMP_PACKET_TYPE_INVOKE;
	packet.m_nTimeStamp = 0;
	packet.m_nInfoField2 = 0;
	packet.m_hasAbsTimestamp = 0;
	packet.m_nBodySize = static_cast<uint32_t>(connectBody.size());

	auto start = std::chrono::steady_clock::now();
	int ok;
	{
		ScopedSigpipeBlock noSigpipe;
		ok = RTMP_Connect1(r.get(), &packet);
	}
	RTMPPacket_Free(&packet);
	if (!ok) {
		// librtmp called RTMP_Close: the socket it had (ours, or the bridge's end) is closed.
		if (bridge)
			bridge->finish(true);
		else
			transport.abandon();
		auto elapsed =
			std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start)
				.count();
		if (elapsed + 50 >= ioTimeoutMs)
			return fail(ErrorCode::Timeout,
				    "the RTMP handshake got no answer within " + std::to_string(ioTimeoutMs) + " ms");
		return fail(ErrorCode::ConnectFailed, "the RTMP handshake failed (the server closed the connection or "
						      "is not an RTMP server)");
	}
	std::vector<uint8_t> leftover;
	if (r->m_sb.sb_size > 0) {
		auto *begin = reinterpret_cast<const uint8_t *>(r->m_sb.sb_start);
		leftover.assign(begin, begin + r->m_sb.sb_size);
	}
	if (bridge) {
		auto unread = bridge->finish(false);
		leftover.insert(leftover.end(), unread.begin(), unread.end());
		return leftover;
	}
	// Back to "no timeouts": the session uses non-blocking I/O with its own deadlines.
	setSocketTimeouts(transport.fd(), 0);
	return leftover;
}

} // namespace goaway::rtmp
