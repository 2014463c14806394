// libFuzzer target: server bytes along the whole path they travel in the output, not just the
// parsers. Chunk demuxer → server event classifier (the text boundary) → the handoff state
// machine on a fake clock, with packets flowing and every action answered as the output would →
// handoff records → their JSON (what the `handoff` signal, the dock and obs-websocket get).
// Aborts when any text that left the boundary is not valid, printable and bounded UTF-8, when
// the JSON cannot be written or read back, or when the stream key shows up anywhere.
#include "plugin/common/Log.hpp"
#include "plugin/common/OutsideText.hpp"
#include "plugin/handoff/HandoffStateMachine.hpp"
#include "plugin/output/HandoffJson.hpp"
#include "plugin/rtmp/ChunkDemuxer.hpp"
#include "plugin/rtmp/RtmpUrl.hpp"
#include "plugin/rtmp/ServerEventClassifier.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using namespace goaway;
using namespace std::chrono_literals;

void quiet(LogLevel, const char *) noexcept {}

constexpr const char *kKey = "fuzzStreamKey42";
constexpr uint32_t kFuzzMaxChunkSize = 1u << 20;
constexpr int kMaxFrames = 120; // four keyframe intervals

bool keyInInput = false; // a server may echo what it was given; the session redacts that

void mustBeCleanText(const std::string &s, size_t bound = 2 * text::kMaxOutsideUrlBytes)
{
	if (!text::isClean(s, bound) || (!keyInInput && s.find(kKey) != std::string::npos))
		std::abort();
}

/** Every string in a JSON document: valid (the parser checked), printable, no key. */
void mustBeCleanJson(const nlohmann::json &j)
{
	if (j.is_string())
		mustBeCleanText(j.get<std::string>(), 1u << 16);
	for (const auto &child : j)
		if (j.is_structured())
			mustBeCleanJson(child);
}

/** The output around the machine: answers each action at once, as a fast healthy fleet would,
 *  except where the input's control bits say a step fails. */
struct Output {
	explicit Output(uint8_t bits) : bits(bits)
	{
		handoff::HandoffOptions o;
		o.mode = (bits & 1) ? handoff::HandoffMode::BreakBeforeMake : handoff::HandoffMode::MakeBeforeBreak;
		o.publishEarly = bits & 2;
		machine.emplace(o);
	}
	uint8_t bits;
	std::optional<handoff::HandoffStateMachine> machine;
	handoff::TimePoint now{std::chrono::seconds(100)};
	handoff::SessionId live = 1, nextSession = 2;
	std::map<handoff::SessionId, bool> publishPending;
	rtmp::RtmpUrl current = *rtmp::parseRtmpUrl("rtmp://127.0.0.1:1935/live");
	int depth = 0;

	void run(handoff::Actions actions)
	{
		if (++depth > 8) { // answers that trigger answers: bounded like the output's deferral
			--depth;
			return;
		}
		for (auto &a : actions)
			handle(a);
		--depth;
	}
	void handle(handoff::Action &a)
	{
		namespace act = handoff::action;
		if (auto *r = std::get_if<act::ResolveTargets>(&a)) {
			handoff::Target t;
			auto url = current;
			if (r->tcUrl)
				if (auto next = rtmp::resolveTcUrl(current, *r->tcUrl))
					url = *next;
			mustBeCleanText(url.tcUrl());
			t.url = url.tcUrl();
			t.host = url.host;
			t.port = url.port;
			t.address = "127.0.0.2";
			run(machine->onCandidates(r->requestId, {t}, now));
		} else if (auto *p = std::get_if<act::Preconnect>(&a)) {
			if (bits & 4)
				run(machine->onPreconnectFailed(p->session, Error{ErrorCode::Timeout, "slow"}, now));
			else
				run(machine->onPreconnectSucceeded(p->session, handoff::ConnectInfo{"127.0.0.2", {}},
								   now));
		} else if (auto *p = std::get_if<act::Publish>(&a)) {
			publishPending[p->session] = true;
		} else if (auto *c = std::get_if<act::CloseSilently>(&a)) {
			publishPending.erase(c->session);
		} else if (auto *c = std::get_if<act::CloseGracefully>(&a)) {
			publishPending.erase(c->session);
		} else if (auto *e = std::get_if<act::EmitRecord>(&a)) {
			const std::string text =
				output::jsonText(output::handoffRecordToJson(e->record, handoff::TimePoint{}));
			auto back = nlohmann::json::parse(text, nullptr, false);
			if (back.is_discarded())
				std::abort();
			mustBeCleanJson(back);
		} else if (auto *f = std::get_if<act::FallBackToReconnect>(&a)) {
			mustBeCleanText(f->reason, 1u << 16);
		}
	}
	void publishAnswer(const Result<void> &result)
	{
		// Find first, act after: the answer's actions may close sessions (erase from the map).
		auto it = std::find_if(publishPending.begin(), publishPending.end(),
				       [](const auto &entry) { return entry.second; });
		if (it == publishPending.end())
			return;
		const handoff::SessionId id = it->first;
		it->second = false;
		if (result)
			live = id;
		run(machine->onPublishResult(id, result, now));
	}
	void event(const rtmp::ServerEvent &e)
	{
		if (std::holds_alternative<rtmp::GoAwayEvent>(e)) {
			run(machine->onGoAway(live, now));
		} else if (auto *rr = std::get_if<rtmp::ReconnectRequestEvent>(&e)) {
			mustBeCleanText(rr->description);
			if (rr->tcUrl)
				mustBeCleanText(*rr->tcUrl);
			run(machine->onReconnectRequest(live, rr->tcUrl, rr->description, now));
		} else if (auto *s = std::get_if<rtmp::StatusEvent>(&e)) {
			mustBeCleanText(s->code);
			mustBeCleanText(s->description);
			mustBeCleanText(s->level);
			if (s->code == "NetStream.Publish.Start")
				publishAnswer({});
			else if (s->isError())
				publishAnswer(fail(ErrorCode::Rejected, s->code + ": " + s->description));
		} else if (auto *r = std::get_if<rtmp::CommandResultEvent>(&e)) {
			mustBeCleanText(r->code());
			mustBeCleanText(r->description());
			if (r->isError)
				publishAnswer(fail(ErrorCode::Rejected, "publish refused: " + r->description()));
		} else if (auto *o = std::get_if<rtmp::OtherCommandEvent>(&e)) {
			mustBeCleanText(o->name);
		}
	}
	void packet(bool keyframe, int64_t dts)
	{
		auto v = machine->onPacket(handoff::PacketInfo{true, keyframe, dts, 1000}, now);
		run(std::move(v.actions));
	}
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const bool init = (setLogSink(quiet), setLogLevel(LogLevel::Error), true);
	(void)init;
	if (size < 2)
		return 0;
	const size_t piece = 1 + data[0] % 64;
	keyInInput = std::string_view(reinterpret_cast<const char *>(data), size).find(kKey) != std::string_view::npos;
	Output out(data[1]);
	out.run(out.machine->onConnected(1,
					 handoff::Target{out.current.tcUrl(), "127.0.0.1", 1935, "127.0.0.1",
							 handoff::TargetSource::Configured},
					 out.now));
	rtmp::ChunkDemuxer demuxer(kFuzzMaxChunkSize);
	rtmp::ServerEventClassifier classifier;
	std::span<const uint8_t> bytes(data + 2, size - 2);
	int64_t dts = 0;
	int frame = 0;
	for (size_t at = 0; at < bytes.size(); at += piece) {
		std::vector<rtmp::Message> messages;
		auto fed = demuxer.feed(bytes.subspan(at, std::min(piece, bytes.size() - at)), messages);
		for (const auto &m : messages)
			if (auto e = classifier.classify(m))
				out.event(*e);
		if (!fed) {
			mustBeCleanText(fed.error().message, 1u << 16);
			out.run(out.machine->onSessionLost(out.live, fed.error().message, out.now));
			break;
		}
		// One frame per piece at 30 fps, a keyframe every 30, at most kMaxFrames: the machine
		// cuts, replays and trims, and a long input still runs in microseconds.
		if (frame < kMaxFrames) {
			out.now += 33ms;
			out.packet(frame++ % 30 == 0, dts += 33);
			out.run(out.machine->tick(out.now));
		}
	}
	out.now += 20s; // every deadline passes: timeouts, fallbacks and their records
	out.run(out.machine->tick(out.now));
	out.run(out.machine->stop(out.now));
	return 0;
}
