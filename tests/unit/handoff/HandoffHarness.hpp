#pragma once
// Test double for the output around HandoffStateMachine: a fake clock, fake sessions that
// record what they were sent, and the output's backlog. Executes the machine's actions exactly
// as plugin/obs must, and fails the test on any action the output could not carry out.

#include "plugin/handoff/HandoffStateMachine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace goaway::handoff::test {

using namespace std::chrono_literals;

struct FakeSession {
	SessionId id = 0;
	Target target;
	bool ready = false; // pre-connect succeeded (the initial session: connected by the output)
	bool publishSent = false;
	bool headersSent = false;
	bool closedSilently = false;
	bool closedGracefully = false;
	std::optional<bool> accepted; // publish result delivered (nullopt: not yet)
	bool lost = false;            // the test reported its connection as dead
	std::vector<PacketSeq> received;
	std::vector<std::string> log; // "publish", "headers", "media", "close-silent", "close-graceful"

	bool closed() const { return closedSilently || closedGracefully; }
};

inline Target makeTarget(const std::string &host, std::uint16_t port = 1935, const std::string &address = {},
			 TargetSource source = TargetSource::Dns)
{
	Target t;
	t.url = "rtmp://" + host + ":" + std::to_string(port) + "/live";
	t.host = host;
	t.port = port;
	t.address = address;
	t.source = source;
	return t;
}

class Harness {
public:
	explicit Harness(HandoffOptions options = {}) : machine(options) {}

	HandoffStateMachine machine;
	TimePoint now{std::chrono::seconds(1000)};
	std::map<SessionId, FakeSession> sessions;
	std::map<PacketSeq, PacketInfo> backlog;  // the output's backlog (metadata stands for bytes)
	std::map<PacketSeq, PacketInfo> produced; // every packet the encoder produced
	std::vector<HandoffRecord> records;
	std::vector<action::ResolveTargets> resolves;
	std::vector<std::string> fallbacks;
	std::vector<State> states;
	std::vector<std::string> trace; // describe() of every action, in order
	std::int64_t dts = 0;
	bool keepTrace = true; // the randomized test turns it off: strings dominate its run time

	// Hooks the randomized test uses to schedule answers.
	std::function<void(const action::ResolveTargets &)> onResolve;
	std::function<void(const action::Preconnect &)> onPreconnect;
	std::function<void(SessionId)> onPublish;

	void start(const Target &target = makeTarget("ingest-a", 1935, "10.0.0.1"), SessionId id = 1)
	{
		FakeSession s;
		s.id = id;
		s.target = target;
		s.ready = s.publishSent = true;
		s.accepted = true;
		sessions[id] = s;
		exec(machine.onConnected(id, target, now));
	}

	void advance(std::chrono::milliseconds ms)
	{
		now += ms;
		exec(machine.tick(now));
	}

	PacketSeq packet(const PacketInfo &info)
	{
		PacketVerdict v = machine.onPacket(info, now);
		EXPECT_EQ(produced.count(v.seq), 0u) << "sequence numbers must be unique";
		produced[v.seq] = info;
		backlog[v.seq] = info;
		lastSeq_ = v.seq;
		exec(v.actions);
		return v.seq;
	}
	PacketSeq video(bool keyframe, std::uint64_t bytes = 1000)
	{
		dts += 33;
		return packet(PacketInfo{true, keyframe, dts, bytes});
	}
	PacketSeq audio(std::uint64_t bytes = 100) { return packet(PacketInfo{false, false, dts, bytes}); }
	/** A GOP: one keyframe then `deltas` P-frames, 33 ms apart. */
	void gop(int deltas)
	{
		video(true);
		for (int i = 0; i < deltas; ++i) {
			advance(33ms);
			video(false);
		}
		advance(33ms);
	}

	void candidates(std::vector<Target> list)
	{
		ASSERT_FALSE(resolves.empty());
		exec(machine.onCandidates(resolves.back().requestId, std::move(list), now));
	}
	void preconnectOk(SessionId id, const std::string &address = {})
	{
		ConnectInfo info;
		info.address = address;
		info.timings.tcpMs = 1;
		auto it = sessions.find(id);
		if (it != sessions.end() && !it->second.closed())
			it->second.ready = true;
		exec(machine.onPreconnectSucceeded(id, info, now));
	}
	void preconnectFail(SessionId id, const std::string &why = "connection refused")
	{
		exec(machine.onPreconnectFailed(id, Error{ErrorCode::ConnectFailed, why}, now));
	}
	void publishOk(SessionId id)
	{
		sessions[id].accepted = true;
		exec(machine.onPublishResult(id, Result<void>{}, now));
	}
	void publishRejected(SessionId id, const std::string &why = "Already publishing")
	{
		sessions[id].accepted = false;
		exec(machine.onPublishResult(id, std::unexpected(Error{ErrorCode::Rejected, why}), now));
	}
	void goAway(SessionId id) { exec(machine.onGoAway(id, now)); }
	void lose(SessionId id, const std::string &why = "connection reset")
	{
		if (sessions.count(id))
			sessions[id].lost = true;
		exec(machine.onSessionLost(id, why, now));
	}
	void stop() { exec(machine.stop(now)); }

	/** Last SessionId a Preconnect named. */
	SessionId lastPreconnected() const { return lastPreconnect_; }
	PacketSeq lastSeq() const { return lastSeq_; }
	const FakeSession &session(SessionId id) const { return sessions.at(id); }
	/** Number of trace lines containing `needle`. */
	int count(const std::string &needle) const
	{
		return static_cast<int>(std::count_if(trace.begin(), trace.end(), [&](const std::string &line) {
			return line.find(needle) != std::string::npos;
		}));
	}
	/** Index in trace of the first line starting with `prefix` at or after `from` (-1: none). */
	int find(const std::string &prefix, std::size_t from = 0) const
	{
		for (std::size_t i = from; i < trace.size(); ++i)
			if (trace[i].rfind(prefix, 0) == 0)
				return static_cast<int>(i);
		return -1;
	}
	std::size_t traceMark() const { return trace.size(); }

	void exec(const Actions &actions)
	{
		for (const Action &a : actions) {
			if (keepTrace)
				trace.push_back(describe(a));
			std::visit([this](const auto &x) { apply(x); }, a);
		}
	}

private:
	PacketSeq lastSeq_ = 0;
	SessionId lastPreconnect_ = 0;

	FakeSession &media(SessionId id)
	{
		EXPECT_EQ(sessions.count(id), 1u) << "media for unknown session " << id;
		FakeSession &s = sessions[id];
		EXPECT_TRUE(s.ready) << "media on session " << id << " before its pre-connect completed";
		EXPECT_FALSE(s.closed()) << "media on closed session " << id;
		EXPECT_TRUE(s.publishSent) << "media on session " << id << " before publish";
		EXPECT_TRUE(s.headersSent) << "media on session " << id << " before its headers";
		return s;
	}
	void deliver(FakeSession &s, PacketSeq seq)
	{
		if (!s.received.empty()) {
			EXPECT_GT(seq, s.received.back()) << "session " << s.id << " got packets out of order";
		}
		s.received.push_back(seq);
		s.log.push_back("media");
	}

	void apply(const action::StateChanged &a)
	{
		EXPECT_EQ(states.empty() ? State::Idle : states.back(), a.from);
		states.push_back(a.to);
	}
	void apply(const action::ResolveTargets &a)
	{
		resolves.push_back(a);
		if (onResolve)
			onResolve(a);
	}
	void apply(const action::Preconnect &a)
	{
		EXPECT_EQ(sessions.count(a.session), 0u) << "session id reused";
		FakeSession s;
		s.id = a.session;
		s.target = a.target;
		sessions[a.session] = s;
		lastPreconnect_ = a.session;
		if (onPreconnect)
			onPreconnect(a);
	}
	void apply(const action::Publish &a)
	{
		FakeSession &s = sessions.at(a.session);
		EXPECT_TRUE(s.ready);
		EXPECT_FALSE(s.publishSent) << "publish sent twice on " << a.session;
		EXPECT_FALSE(s.closed());
		s.publishSent = true;
		s.log.push_back("publish");
		if (onPublish)
			onPublish(a.session);
	}
	void apply(const action::SendHeaders &a)
	{
		FakeSession &s = sessions.at(a.session);
		EXPECT_FALSE(s.closed());
		EXPECT_FALSE(s.headersSent) << "headers sent twice on " << a.session;
		s.headersSent = true;
		s.log.push_back("headers");
	}
	void apply(const action::SendPacket &a)
	{
		EXPECT_EQ(a.seq, lastSeq_) << "SendPacket must name the packet just passed to onPacket";
		EXPECT_EQ(backlog.count(a.seq), 1u);
		deliver(media(a.session), a.seq);
	}
	void apply(const action::ReplayBacklog &a)
	{
		FakeSession &s = media(a.session);
		EXPECT_EQ(backlog.count(a.fromSeq), 1u) << "replay from #" << a.fromSeq << " which the backlog lost";
		for (auto it = backlog.lower_bound(a.fromSeq); it != backlog.end(); ++it)
			deliver(s, it->first);
	}
	void apply(const action::TrimBacklog &a) { backlog.erase(backlog.begin(), backlog.lower_bound(a.beforeSeq)); }
	void apply(const action::CloseSilently &a)
	{
		FakeSession &s = sessions.at(a.session);
		EXPECT_FALSE(s.closed()) << "session " << a.session << " closed twice";
		s.closedSilently = true;
		s.log.push_back("close-silent");
	}
	void apply(const action::CloseGracefully &a)
	{
		FakeSession &s = sessions.at(a.session);
		EXPECT_FALSE(s.closed()) << "session " << a.session << " closed twice";
		s.closedGracefully = true;
		s.log.push_back("close-graceful");
	}
	void apply(const action::FallBackToReconnect &a)
	{
		fallbacks.push_back(a.reason);
		for (auto &[id, s] : sessions)
			EXPECT_TRUE(s.closed()) << "fallback with session " << id << " still open";
	}
	void apply(const action::EmitRecord &a) { records.push_back(a.record); }
};

} // namespace goaway::handoff::test
