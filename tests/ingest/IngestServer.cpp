#include "IngestServer.hpp"

#include "StreamName.hpp"
#include "plugin/common/Log.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <unistd.h>

namespace goaway::ingest {

namespace {

// A client's connect fields (app, flashVer, tcUrl, stream names) are whatever bytes it sent: the
// report and the stats show invalid UTF-8 as U+FFFD instead of throwing from dump() and taking the
// ingest down (found by the hostile tests).
constexpr auto kReplaceInvalidUtf8 = nlohmann::json::error_handler_t::replace;

// Longest poll() sleep: bounds how late a timer (schedule, latency, wait timeout) can fire.
constexpr int kMaxPollWaitMs = 100;
// Default bound of a control "wait": a test that forgets timeout= still ends.
constexpr long long kDefaultWaitSeconds = 30;

int stopPipe[2] = {-1, -1};

std::string hostForUrl(const std::string &host)
{
	return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

std::string safeFileName(const std::string &name)
{
	std::string out;
	for (char c : name)
		out += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
	return out.empty() ? "stream" : out;
}

} // namespace

IngestServer::IngestServer(Options options) : options_(std::move(options)), start_(std::chrono::steady_clock::now())
{
	if (stopPipe[0] < 0 && ::pipe2(stopPipe, O_NONBLOCK | O_CLOEXEC) != 0)
		stopPipe[0] = stopPipe[1] = -1;
}

IngestServer::~IngestServer() = default;

void IngestServer::requestStop()
{
	if (stopPipe[1] >= 0) {
		const char byte = 1;
		[[maybe_unused]] ssize_t n = ::write(stopPipe[1], &byte, 1);
	}
}

int64_t IngestServer::nowMs() const
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_).count();
}

Result<void> IngestServer::start()
{
	hostileState_.assign(options_.nodes.size(), HostileNodeState{});
	for (const NodeOptions &node : options_.nodes) {
		NodeListener listener;
		if (auto r = listener.listen(node.host, node.port); !r)
			return r;
		std::printf("goaway-ingest: node %s listening on %s:%u\n", node.name.c_str(),
			    hostForUrl(node.host).c_str(), listener.port());
		listeners_.push_back(std::move(listener));
	}
	if (options_.controlPort >= 0) {
		auto r = control_.listen(options_.controlHost, static_cast<uint16_t>(options_.controlPort),
					 [this](uint64_t client, const std::string &line) {
						 return onControl(client, line);
					 });
		if (!r)
			return r;
		std::printf("goaway-ingest: control on %s:%u\n", hostForUrl(control_.host()).c_str(), control_.port());
	}
	if (options_.signalEveryMs > 0)
		nextScheduledSignalMs_ = options_.signalEveryMs;
	if (options_.durationSeconds > 0)
		stopAtMs_ = static_cast<int64_t>(options_.durationSeconds * 1000);
	writeReadyFile();
	std::printf("goaway-ingest: ready\n");
	std::fflush(stdout);
	return {};
}

void IngestServer::writeReadyFile() const
{
	if (options_.readyFile.empty())
		return;
	nlohmann::json ready;
	ready["nodes"] = nlohmann::json::array();
	for (size_t i = 0; i < listeners_.size(); ++i)
		ready["nodes"].push_back({{"name", options_.nodes[i].name},
					  {"host", listeners_[i].host()},
					  {"port", listeners_[i].port()}});
	ready["control"] = control_.active() ? nlohmann::json{{"host", control_.host()}, {"port", control_.port()}}
					     : nlohmann::json(nullptr);
	ready["pid"] = ::getpid();
	// Written whole under a temporary name, then renamed: a reader never sees half a file.
	const std::string tmp = options_.readyFile + ".tmp";
	{
		std::ofstream out(tmp);
		out << ready.dump() << "\n";
	}
	std::rename(tmp.c_str(), options_.readyFile.c_str());
}

int IngestServer::run()
{
	std::vector<pollfd> fds;
	std::vector<uint64_t> controlOwners;
	while (!stop_) {
		int64_t now = nowMs();
		if (stopAtMs_ >= 0 && now >= stopAtMs_) {
			GOAWAY_LOG_INFO("IngestServer::run", "--duration reached");
			break;
		}
		if (nextScheduledSignalMs_ >= 0 && now >= nextScheduledSignalMs_) {
			SignalRequest r = defaultRequest();
			r.skipSignalled = true;
			signal(r, now);
			++scheduledRounds_;
			// A bounded schedule lets a test end its stream well clear of a handoff.
			const bool more = options_.signalCount == 0 || scheduledRounds_ < options_.signalCount;
			nextScheduledSignalMs_ = more ? nextScheduledSignalMs_ + options_.signalEveryMs : -1;
		}
		for (auto &c : connections_)
			c->tick(now);
		reap();
		checkWaits(now);

		int64_t wait = kMaxPollWaitMs;
		for (const auto &c : connections_)
			if (int64_t d = c->nextDeadline(); d >= 0)
				wait = std::min(wait, std::max<int64_t>(0, d - now));
		fds.clear();
		controlOwners.clear();
		fds.push_back({stopPipe[0], POLLIN, 0});
		for (const auto &l : listeners_)
			fds.push_back({l.fd(), POLLIN, 0});
		const size_t firstConnection = fds.size();
		for (const auto &c : connections_)
			fds.push_back({c->fd(), c->pollEvents(), 0});
		const size_t firstControl = fds.size();
		control_.collect(fds, controlOwners);

		const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(wait));
		if (ready < 0 && errno != EINTR) {
			GOAWAY_LOG_ERROR("IngestServer::run", "poll failed: %s", std::strerror(errno));
			break;
		}
		now = nowMs();
		if (fds[0].revents & POLLIN) {
			GOAWAY_LOG_INFO("IngestServer::run", "stop requested (signal)");
			break;
		}
		for (size_t i = 0; i < listeners_.size(); ++i)
			if (fds[1 + i].revents & POLLIN)
				accept(i, now);
		for (size_t i = firstConnection; i < firstControl; ++i) {
			ClientConnection &c = *connections_[i - firstConnection];
			const short ev = fds[i].revents;
			if (ev & POLLOUT)
				c.onWritable(now);
			if (ev & POLLIN)
				c.onReadable(now);
			else if (ev & (POLLHUP | POLLERR | POLLRDHUP))
				c.onHangup(now);
		}
		for (size_t i = firstControl; i < fds.size(); ++i)
			if (fds[i].revents)
				control_.handle(controlOwners[i - firstControl], fds[i].revents);
	}
	finishRun();
	return 0;
}

void IngestServer::accept(size_t nodeIndex, int64_t now)
{
	for (auto a = listeners_[nodeIndex].accept(); a.fd >= 0; a = listeners_[nodeIndex].accept()) {
		ConnectionRecord record;
		record.id = nextConnectionId_++;
		record.node = options_.nodes[nodeIndex].name;
		record.nodeIndex = nodeIndex;
		record.remote = a.remote;
		record.acceptedAtMs = now;
		GOAWAY_LOG_INFO("IngestServer::accept", "connection %llu from %s on %s",
				static_cast<unsigned long long>(record.id), a.remote.c_str(), record.node.c_str());
		connections_.push_back(std::make_unique<ClientConnection>(
			a.fd, std::move(record), options_.nodes[nodeIndex], options_, *this, hostileState_[nodeIndex]));
	}
}

void IngestServer::reap()
{
	for (auto it = connections_.begin(); it != connections_.end();) {
		if ((*it)->closed()) {
			finished_.push_back((*it)->record());
			it = connections_.erase(it);
		} else {
			++it;
		}
	}
}

std::string IngestServer::onPublishRequest(ClientConnection &connection, const std::string &name)
{
	if (!options_.refuseSecondPublisher)
		return {};
	for (const auto &c : connections_)
		if (c.get() != &connection && c->publishing() && c->record().stream == name)
			return "Already publishing";
	return {};
}

void IngestServer::onPublishStarted(ClientConnection &connection, int64_t nowMs)
{
	++publishes_;
	const std::string &name = connection.record().stream;
	auto [it, inserted] = streams_.try_emplace(name);
	if (inserted) {
		it->second.stitcher = std::make_unique<StreamStitcher>(name);
		streamOrder_.push_back(name);
		if (!options_.flvDir.empty()) {
			auto flv = std::make_unique<FlvFileWriter>();
			const std::string file =
				options_.flvDir + "/" +
				(options_.showStreamNames ? safeFileName(name) : StreamName::id(name)) + ".flv";
			if (auto r = flv->open(file); r)
				it->second.flv = std::move(flv);
			else
				GOAWAY_LOG_ERROR("IngestServer::onPublishStarted", "%s", r.error().message.c_str());
		}
	}
	it->second.stitcher->onPublish(connection.record().id, nowMs);
}

void IngestServer::onMetadata(ClientConnection &connection, uint32_t timestamp, std::span<const uint8_t> body,
			      int64_t nowMs)
{
	auto it = streams_.find(connection.record().stream);
	if (it == streams_.end())
		return;
	auto at = it->second.stitcher->onMetadata(connection.record().id, nowMs);
	if (at && it->second.flv)
		(void)it->second.flv->writeTag(FlvFileWriter::kScriptTag, *at, body);
}

void IngestServer::onMedia(ClientConnection &connection, const rtmp::Message &message, const MediaInfo &info,
			   int64_t nowMs)
{
	auto it = streams_.find(connection.record().stream);
	if (it == streams_.end())
		return;
	auto at = it->second.stitcher->onMedia(connection.record().id, message.timestamp, info, message.payload, nowMs);
	if (at && it->second.flv)
		(void)it->second.flv->writeTag(message.type, *at, message.payload);
	if (!options_.mediaLog.empty() && info.frame) {
		if (!mediaLog_.is_open())
			mediaLog_.open(options_.mediaLog, std::ios::trunc);
		// arrival ms, connection, track, timestamp as sent, stitched timestamp (-1: not kept), bytes
		mediaLog_ << nowMs << ' ' << connection.record().id << ' ' << (info.track == Track::Video ? 'v' : 'a')
			  << ' ' << message.timestamp << ' ' << (at ? int64_t(*at) : int64_t(-1)) << ' '
			  << message.payload.size() << '\n';
	}
}

IngestServer::SignalRequest IngestServer::defaultRequest() const
{
	SignalRequest r;
	r.kind = options_.signal;
	r.mode = options_.mode;
	r.all = options_.signalAll;
	r.emptyBody = options_.goAwayEmptyBody;
	r.chunkStreamId = options_.goAwayChunkStreamId;
	r.tcUrl = options_.reconnectTcUrl;
	return r;
}

std::optional<std::string> IngestServer::tcUrlFor(const ClientConnection &connection, TcUrlForm form) const
{
	// E-RTMP v2: a server that remaps the client sends tcUrl; this one points at the next node.
	const size_t next = (connection.record().nodeIndex + 1) % listeners_.size();
	const std::string hostPort =
		hostForUrl(listeners_[next].host()) + ":" + std::to_string(listeners_[next].port());
	const std::string &app = connection.record().app;
	switch (form) {
	case TcUrlForm::None:
		return std::nullopt;
	case TcUrlForm::Absolute:
		return "rtmp://" + hostPort + "/" + app;
	case TcUrlForm::SchemeRelative:
		return "//" + hostPort + "/" + app;
	case TcUrlForm::PathRelative:
		return "/" + app;
	}
	return std::nullopt;
}

IngestServer::SignalOutcome IngestServer::signal(const SignalRequest &request, int64_t now)
{
	SignalOutcome outcome;
	const std::string kindName = signalKindName(request.kind);
	for (auto &c : connections_) {
		const ConnectionRecord &r = c->record();
		// A reset needs no stream: one aimed at a connection by id reaches it before or without a
		// publish (a client's idle standby connection).
		const bool aimed = request.mode == SignalMode::Reset && request.connection;
		if ((!c->publishing() && !aimed) || (request.stream && r.stream != *request.stream) ||
		    (request.node && r.node != *request.node) || (request.connection && r.id != *request.connection))
			continue;
		if (request.skipSignalled && (c->signalled(kindName) || c->signalled("close") || c->faulted()))
			continue;
		// Failures without a signal: no stitcher signal, so the cutover says "none".
		if (request.mode == SignalMode::Reset) {
			c->resetByServer(request.skipSignalled ? "schedule" : "command", now);
			++outcome.reset;
			continue;
		}
		if (c->stalledByFault() && request.mode != SignalMode::Close)
			continue; // a stalled node sends nothing: no signal, no second stall
		if (request.mode == SignalMode::Stall) {
			c->stallByServer(request.skipSignalled ? "schedule" : "command", now);
			++outcome.stalled;
			continue;
		}
		const bool announced = request.kind == SignalKind::GoAway
					       ? r.supportsGoAway
					       : (r.capsEx && (static_cast<long long>(*r.capsEx) & 0x01));
		StreamStitcher *stitcher = streams_.count(r.stream) ? streams_[r.stream].stitcher.get() : nullptr;
		if (request.mode == SignalMode::Close || (request.mode == SignalMode::Auto && !announced)) {
			if (stitcher)
				stitcher->onSignal(r.id, "close", now);
			c->closeByServer("server close mode", true, now);
			++outcome.closed;
			continue;
		}
		if (!announced && !request.all) {
			++outcome.skipped;
			continue;
		}
		if (request.kind == SignalKind::GoAway)
			c->sendGoAway(request.emptyBody, request.chunkStreamId, now);
		else
			c->sendReconnectRequest(request.tcUrlText ? request.tcUrlText : tcUrlFor(*c, request.tcUrl),
						now);
		if (stitcher)
			stitcher->onSignal(r.id, kindName, now);
		++outcome.sent;
	}
	return outcome;
}

std::optional<std::string> IngestServer::parseSignalRequest(const ControlCommand &cmd, SignalRequest &r) const
{
	r.stream = cmd.get("stream");
	r.node = cmd.get("node");
	if (auto conn = cmd.integer("conn", -1); !conn)
		return "conn= takes a connection id";
	else if (*conn >= 0)
		r.connection = static_cast<uint64_t>(*conn);
	if (auto all = cmd.get("all"))
		r.all = *all == "1" || *all == "true";
	if (auto body = cmd.get("body")) {
		if (*body != "empty" && *body != "4bytes")
			return "body= takes empty or 4bytes";
		r.emptyBody = *body == "empty";
	}
	auto csid = cmd.integer("csid", r.chunkStreamId);
	if (!csid || *csid < 2 || *csid > 65599)
		return "csid= takes 2-65599";
	r.chunkStreamId = static_cast<uint32_t>(*csid);
	if (auto form = cmd.get("tcurl")) {
		auto parsed = parseTcUrlForm(*form);
		if (!parsed)
			return "tcurl= takes none, absolute, scheme-relative or path-relative";
		r.tcUrl = *parsed;
	}
	r.tcUrlText = cmd.get("url");
	if (auto mode = cmd.get("mode")) {
		if (*mode == "signal")
			r.mode = SignalMode::Signal;
		else if (*mode == "close")
			r.mode = SignalMode::Close;
		else if (*mode == "auto")
			r.mode = SignalMode::Auto;
		else if (*mode == "reset")
			r.mode = SignalMode::Reset;
		else if (*mode == "stall")
			r.mode = SignalMode::Stall;
		else
			return "mode= takes signal, close, auto, reset or stall";
	}
	return std::nullopt;
}

std::optional<std::string> IngestServer::onControl(uint64_t client, const std::string &line)
{
	const ControlCommand cmd = ControlCommand::parse(line);
	if (!cmd.error.empty())
		return "error " + cmd.error;
	const int64_t now = nowMs();
	if (cmd.verb == "goaway" || cmd.verb == "reconnect" || cmd.verb == "signal" || cmd.verb == "close" ||
	    cmd.verb == "reset" || cmd.verb == "stall") {
		SignalRequest r = defaultRequest();
		if (cmd.verb == "goaway")
			r.kind = SignalKind::GoAway;
		else if (cmd.verb == "reconnect")
			r.kind = SignalKind::Reconnect;
		else if (cmd.verb == "close")
			r.mode = SignalMode::Close;
		else if (cmd.verb == "reset")
			r.mode = SignalMode::Reset;
		else if (cmd.verb == "stall")
			r.mode = SignalMode::Stall;
		if (auto problem = parseSignalRequest(cmd, r))
			return "error " + *problem;
		const SignalOutcome o = signal(r, now);
		reap();
		return "ok sent=" + std::to_string(o.sent) + " closed=" + std::to_string(o.closed) +
		       " skipped=" + std::to_string(o.skipped) +
		       (r.mode == SignalMode::Reset || r.mode == SignalMode::Stall
				? " reset=" + std::to_string(o.reset) + " stalled=" + std::to_string(o.stalled)
				: std::string());
	}
	if (cmd.verb == "report")
		return report().dump(-1, ' ', false, kReplaceInvalidUtf8);
	if (cmd.verb == "stats")
		return stats(now).dump(-1, ' ', false, kReplaceInvalidUtf8);
	if (cmd.verb == "wait") {
		Wait w;
		w.client = client;
		auto timeout = cmd.integer("timeout", kDefaultWaitSeconds);
		if (!timeout || *timeout <= 0)
			return "error timeout= takes seconds";
		w.deadlineMs = now + *timeout * 1000;
		const nlohmann::json s = stats(now);
		for (const auto &[key, value] : cmd.args) {
			if (key == "timeout")
				continue;
			auto n = cmd.integer(key, 0);
			if (!s.contains(key) || !s[key].is_number() || !n)
				return "error wait takes publishing=, publishes=, closed=, connections=, video=, keyframes=, audio=, signals=, faults=, stalled= and timeout=";
			w.atLeast[key] = *n;
		}
		waits_.push_back(std::move(w));
		checkWaits(now);
		return std::nullopt;
	}
	if (cmd.verb == "hostile") {
		// Replaces the hostile profiles of the matching nodes: one running ingest (and one client
		// session, such as a real OBS) can go through several profiles in turn.
		const auto node = cmd.get("node");
		const auto profiles = cmd.get("profiles");
		if (!profiles)
			return "error hostile takes profiles=NAME[,NAME...] or profiles=none, and node=NAME";
		std::vector<HostileProfile> list;
		if (*profiles != "none")
			if (auto r = Options::parseHostile(*profiles, list); !r)
				return "error " + r.error().message;
		size_t changed = 0;
		for (NodeOptions &n : options_.nodes)
			if (!node || n.name == *node) {
				n.hostile = list;
				++changed;
			}
		return changed ? "ok nodes=" + std::to_string(changed) : "error no node named " + node.value_or("");
	}
	if (cmd.verb == "quit") {
		stop_ = true;
		return "ok bye";
	}
	if (cmd.verb == "help")
		return "ok commands: goaway reconnect signal close reset stall hostile report stats wait quit (see README.md)";
	return "error unknown command '" + cmd.verb + "' (try help)";
}

nlohmann::json IngestServer::stats(int64_t now) const
{
	uint64_t publishing = 0, video = 0, audio = 0, signals = 0, keyframes = 0, faults = 0, stalled = 0;
	for (const auto &c : connections_) {
		publishing += c->publishing() ? 1 : 0;
		faults += c->record().faults.size();
		stalled += c->stalledByFault() ? 1 : 0;
		video += c->record().videoFrames;
		keyframes += c->record().keyframes;
		audio += c->record().audioFrames;
		signals += c->record().signalsSent.size();
	}
	for (const auto &r : finished_) {
		faults += r.faults.size();
		video += r.videoFrames;
		keyframes += r.keyframes;
		audio += r.audioFrames;
		signals += r.signalsSent.size();
	}
	nlohmann::json perConnection = nlohmann::json::array();
	for (const auto &c : connections_)
		perConnection.push_back({{"id", c->record().id},
					 {"node", c->record().node},
					 {"publishing", c->publishing()},
					 {"videoFrames", c->record().videoFrames},
					 {"audioFrames", c->record().audioFrames},
					 {"bytes", c->record().bytes},
					 {"stalled", c->stalledByFault()},
					 {"acknowledgements", c->record().acknowledgements}});
	return {{"nowMs", now},
		{"connections", nextConnectionId_ - 1},
		{"open", connections_.size()},
		{"publishing", publishing},
		{"publishes", publishes_},
		{"closed", finished_.size()},
		{"video", video},
		{"keyframes", keyframes},
		{"audio", audio},
		{"signals", signals},
		{"faults", faults},
		{"stalled", stalled},
		{"streams", streams_.size()},
		{"live", perConnection}};
}

void IngestServer::checkWaits(int64_t now)
{
	if (waits_.empty())
		return;
	const nlohmann::json s = stats(now);
	for (auto it = waits_.begin(); it != waits_.end();) {
		bool met = true;
		for (const auto &[key, n] : it->atLeast)
			met = met && s[key].get<long long>() >= n;
		if (met || now >= it->deadlineMs) {
			control_.reply(it->client, met ? "ok" : "error timeout");
			it = waits_.erase(it);
		} else {
			++it;
		}
	}
}

nlohmann::json IngestServer::report() const
{
	std::vector<ConnectionRecord> records = finished_;
	for (const auto &c : connections_)
		records.push_back(c->record());
	std::sort(records.begin(), records.end(), [](const auto &a, const auto &b) { return a.id < b.id; });
	std::vector<StreamReport> streams;
	for (const auto &name : streamOrder_) {
		const Stream &s = streams_.at(name);
		StreamReport r{s.stitcher->summary(), std::nullopt};
		if (s.flv)
			r.flvPath = s.flv->path();
		streams.push_back(std::move(r));
	}
	return Report::build(records, streams, options_.showStreamNames);
}

void IngestServer::finishRun()
{
	const int64_t now = nowMs();
	if (mediaLog_.is_open())
		mediaLog_.flush(); // complete before the report says the run is over
	for (auto &c : connections_)
		c->shutdown(now);
	reap();
	for (auto &w : waits_)
		control_.reply(w.client, "error shutting down");
	waits_.clear();
	for (auto &[name, s] : streams_)
		if (s.flv)
			s.flv->close();
	const nlohmann::json r = report();
	if (!options_.reportFile.empty()) {
		const std::string tmp = options_.reportFile + ".tmp";
		{
			std::ofstream out(tmp);
			out << r.dump(2, ' ', false, kReplaceInvalidUtf8) << "\n";
		}
		std::rename(tmp.c_str(), options_.reportFile.c_str());
	}
	control_.flushAll();
	std::printf("%s\n", r["summary"].get<std::string>().c_str());
	std::fflush(stdout);
}

} // namespace goaway::ingest
