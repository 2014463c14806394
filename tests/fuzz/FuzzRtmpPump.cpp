// libFuzzer target: the client's incoming message pump on bytes a server sends. The chunk
// demuxer gets the input in pieces whose sizes the input chooses (a split must never change what
// comes out), every message goes through the server event classifier, command and data bodies
// through their AMF0 parsers, and a ReconnectRequest's tcUrl through resolveTcUrl.
#include "plugin/common/Log.hpp"
#include "plugin/rtmp/ChunkDemuxer.hpp"
#include "plugin/rtmp/Command.hpp"
#include "plugin/rtmp/RtmpUrl.hpp"
#include "plugin/rtmp/ServerEventClassifier.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>
#include <vector>

namespace {

void quiet(goaway::LogLevel, const char *) noexcept {}

// Keeps the fuzzer fast: huge Set Chunk Size / message lengths are checked all the same.
constexpr uint32_t kFuzzMaxChunkSize = 1u << 20;

std::vector<goaway::rtmp::Message> demux(std::span<const uint8_t> bytes, size_t piece, bool &failed)
{
	goaway::rtmp::ChunkDemuxer demuxer(kFuzzMaxChunkSize);
	std::vector<goaway::rtmp::Message> out;
	failed = false;
	for (size_t at = 0; at < bytes.size(); at += piece) {
		const size_t n = std::min(piece, bytes.size() - at);
		if (!demuxer.feed(bytes.subspan(at, n), out)) {
			failed = true;
			break;
		}
	}
	return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	using namespace goaway::rtmp;
	static const bool init = (goaway::setLogSink(quiet), true);
	(void)init;
	if (size < 1)
		return 0;
	const size_t piece = 1 + data[0] % 64;
	std::span<const uint8_t> bytes(data + 1, size - 1);

	bool failedWhole = false, failedSplit = false;
	auto whole = demux(bytes, bytes.size() + 1, failedWhole);
	auto split = demux(bytes, piece, failedSplit);
	// The demuxer promises any split of the stream gives the same messages.
	if (failedWhole != failedSplit || whole.size() != split.size())
		std::abort();
	for (size_t i = 0; i < whole.size(); ++i)
		if (whole[i].payload != split[i].payload || whole[i].type != split[i].type ||
		    whole[i].timestamp != split[i].timestamp)
			std::abort();

	ServerEventClassifier classifier;
	static const RtmpUrl current = *parseRtmpUrl("rtmp://127.0.0.1:1935/live");
	for (const Message &m : whole) {
		if (m.type == static_cast<uint8_t>(MessageType::CommandAmf0) ||
		    m.type == static_cast<uint8_t>(MessageType::CommandAmf3)) {
			if (auto c = parseCommand(m))
				(void)c->info();
		} else if (m.type == static_cast<uint8_t>(MessageType::DataAmf0) ||
			   m.type == static_cast<uint8_t>(MessageType::DataAmf3)) {
			(void)parseData(m);
		}
		auto event = classifier.classify(m);
		if (!event)
			continue;
		(void)describe(*event);
		if (auto *r = std::get_if<ReconnectRequestEvent>(&*event); r && r->tcUrl) {
			if (auto next = resolveTcUrl(current, *r->tcUrl))
				(void)next->tcUrl();
		}
	}
	return 0;
}
