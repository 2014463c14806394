// libFuzzer target: goaway-ingest's server side of a session (ServerHandshake, then the chunk
// stream, connect / createStream / publish, metadata and media into the stream stitcher) on the
// bytes a publisher sends. The bytes arrive through a real socketpair as they would from a
// client, in pieces the input chooses. Bit 0 of the first byte prepends a valid C0+C1+C2 so the
// fuzzer spends its time past the handshake.
#include "plugin/common/Log.hpp"
#include "tests/ingest/ClientConnection.hpp"
#include "tests/ingest/StreamStitcher.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace {

using namespace goaway::ingest;

void quiet(goaway::LogLevel, const char *) noexcept {}

constexpr size_t kHandshakePartSize = 1536; // RTMP spec 5.2.3: C1 and C2 are 1536 bytes

class StitchingEvents : public ConnectionEvents {
public:
	std::string onPublishRequest(ClientConnection &, const std::string &name) override
	{
		return name == "reject" ? "rejected by the fuzzer" : "";
	}
	void onPublishStarted(ClientConnection &c, int64_t nowMs) override { stitcher.onPublish(c.record().id, nowMs); }
	void onMetadata(ClientConnection &c, uint32_t, std::span<const uint8_t>, int64_t nowMs) override
	{
		(void)stitcher.onMetadata(c.record().id, nowMs);
	}
	void onMedia(ClientConnection &c, const goaway::rtmp::Message &m, const MediaInfo &info, int64_t nowMs) override
	{
		(void)stitcher.onMedia(c.record().id, m.timestamp, info, m.payload, nowMs);
	}
	StreamStitcher stitcher{"fuzz"};
};

void nonBlocking(int fd)
{
	::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const bool init = (goaway::setLogSink(quiet), true);
	(void)init;
	if (size < 1)
		return 0;
	std::vector<uint8_t> bytes;
	if (data[0] & 1) {
		bytes.push_back(3); // C0: RTMP version 3
		bytes.resize(1 + 2 * kHandshakePartSize, 0);
	}
	bytes.insert(bytes.end(), data + 1, data + size);
	// Pieces of 64 bytes and up: smaller ones only cost syscalls (the demuxer has its own
	// byte-split check in fuzz-rtmp-pump).
	const size_t piece = 64 + (data[0] >> 1) * 37;

	int fds[2];
	if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
		std::abort();
	nonBlocking(fds[0]);
	nonBlocking(fds[1]);
	static Options options = [] {
		Options o;
		o.maxIncomingChunkSize = 1u << 20;
		return o;
	}();
	static NodeOptions node;
	StitchingEvents events;
	ConnectionRecord record;
	record.id = 1;
	record.node = "n0";
	{
		HostileNodeState hostileState; // no hostile profile: the ingest's ordinary behaviour
		ClientConnection connection(fds[1], record, node, options, events, hostileState);
		int64_t now = 1000;
		for (size_t at = 0; at < bytes.size() && !connection.closed(); at += piece) {
			const size_t n = std::min(piece, bytes.size() - at);
			if (::send(fds[0], bytes.data() + at, n, MSG_NOSIGNAL) != static_cast<ssize_t>(n))
				break;
			connection.onReadable(now);
			connection.onWritable(now);
			char sink[65536];
			while (::recv(fds[0], sink, sizeof(sink), 0) > 0) {
			}
			now += 10;
		}
		if (connection.publishing()) {
			connection.sendGoAway(false, 2, now);
			connection.sendReconnectRequest(std::string("rtmp://127.0.0.1:1935/live"), now);
		}
		connection.tick(now + 100000);
		::shutdown(fds[0], SHUT_WR);
		connection.onReadable(now + 100001);
		(void)events.stitcher.summary();
	}
	::close(fds[0]);
	return 0;
}
