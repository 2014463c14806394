// goaway-librtmp-probe: publishes synthetic FLV tags with Debian's librtmp to a URL and prints each
// type-32 (Go Away) message librtmp hands back, with its body size. Used by it_librtmp_client.py
// to check that librtmp clients take goaway-ingest's plain handshake and see its signals.

#include <librtmp/rtmp.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr uint8_t kGoAwayType = 0x20; // facebookarchive/rtmp-go-away message type
constexpr int kFrameMs = 33;          // 30 fps pacing, like a live encoder

std::vector<char> tag(uint8_t type, uint32_t ts, const std::vector<uint8_t> &body)
{
	// FLV tag (FLV spec E.4.1): 11-byte header, body, 4-byte PreviousTagSize.
	const uint32_t n = static_cast<uint32_t>(body.size());
	const uint32_t prev = 11 + n;
	const uint8_t head[11] = {type,
				  uint8_t(n >> 16),
				  uint8_t(n >> 8),
				  uint8_t(n),
				  uint8_t(ts >> 16),
				  uint8_t(ts >> 8),
				  uint8_t(ts),
				  uint8_t(ts >> 24),
				  0,
				  0,
				  0};
	const uint8_t tail[4] = {uint8_t(prev >> 24), uint8_t(prev >> 16), uint8_t(prev >> 8), uint8_t(prev)};
	std::vector<char> t(11 + n + 4);
	std::memcpy(t.data(), head, sizeof(head));
	if (n > 0)
		std::memcpy(t.data() + 11, body.data(), n);
	std::memcpy(t.data() + 11 + n, tail, sizeof(tail));
	return t;
}

int readIncoming(RTMP *r)
{
	int goAways = 0;
	pollfd p{RTMP_Socket(r), POLLIN, 0};
	// librtmp buffers what it read from the socket (m_sb): drain that too, not only new bytes.
	while (r->m_sb.sb_size > 0 || (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN))) {
		RTMPPacket packet;
		std::memset(&packet, 0, sizeof(packet));
		if (!RTMP_ReadPacket(r, &packet))
			break;
		if (!RTMPPacket_IsReady(&packet))
			continue;
		if (packet.m_packetType == kGoAwayType) {
			// librtmp leaves m_body NULL for an empty body: check the type, not the body.
			std::printf("goaway body=%u csid=%d\n", packet.m_nBodySize, packet.m_nChannel);
			std::fflush(stdout);
			++goAways;
		} else {
			RTMP_ClientPacket(r, &packet);
		}
		RTMPPacket_Free(&packet);
	}
	return goAways;
}

} // namespace

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::fprintf(stderr, "usage: goaway-librtmp-probe rtmp://127.0.0.1:PORT/app/name SECONDS\n");
		return 2;
	}
	std::string url = argv[1];
	const int seconds = std::atoi(argv[2]);
	RTMP *r = RTMP_Alloc();
	RTMP_Init(r);
	if (!RTMP_SetupURL(r, url.data())) {
		std::fprintf(stderr, "bad URL\n");
		return 1;
	}
	RTMP_EnableWrite(r);
	if (!RTMP_Connect(r, nullptr) || !RTMP_ConnectStream(r, 0)) {
		std::fprintf(stderr, "connect / publish failed\n");
		return 1;
	}
	std::printf("published\n");
	std::fflush(stdout);
	std::vector<char> stream;
	const std::vector<uint8_t> avcHeader{0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff, 0xe1, 0, 4, 't', 'e', 's', 't'};
	auto first = tag(9, 0, avcHeader);
	if (RTMP_Write(r, first.data(), static_cast<int>(first.size())) <= 0)
		return 1;
	int goAways = 0;
	const auto start = std::chrono::steady_clock::now();
	for (int i = 0; i < seconds * 1000 / kFrameMs; ++i) {
		// AVC NALU tag body: frame type / codec, AVCPacketType 1, composition time 0, payload.
		std::vector<uint8_t> body(400, uint8_t(i));
		body[0] = uint8_t(i % 60 == 0 ? 0x17 : 0x27);
		body[1] = 1;
		body[2] = body[3] = body[4] = 0;
		auto t = tag(9, static_cast<uint32_t>(i * kFrameMs), body);
		if (RTMP_Write(r, t.data(), static_cast<int>(t.size())) <= 0) {
			std::fprintf(stderr, "write failed\n");
			return 1;
		}
		goAways += readIncoming(r);
		std::this_thread::sleep_until(start + std::chrono::milliseconds((i + 1) * kFrameMs)); // pacing
	}
	std::printf("goaways=%d\n", goAways);
	RTMP_Close(r);
	RTMP_Free(r);
	return 0;
}
