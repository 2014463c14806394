#include "StreamDriver.hpp"

#include "plugin/common/Boundary.hpp"
#include "plugin/common/Log.hpp"

#include <algorithm>

namespace goaway::output {

namespace {

using namespace std::chrono_literals;

/// The send loop wakes at least this often to read server messages (a Go Away) while no video
/// packet arrives. Audio does not wake it (PacketQueue::setAudioWakes): it goes out with the next
/// video frame in one write, so one wake-up and one send per frame instead of per packet; this
/// bound is also the longest an audio packet waits for that when video stalls. It is longer than
/// the frame interval at any rate OBS streams at (10 fps and up) plus the video thread's jitter:
/// at 40 ms, 30 fps frames 35-45 ms apart on a loaded machine cost a second, timed-out turn each.
constexpr auto kIdlePoll = 100ms;
/// While the live connection holds its unsent limit on a congested path (holdForPath), the loop
/// looks again this often: a fraction of a frame interval, only while congested.
constexpr auto kHoldPoll = 10ms;
/// At the stop, each connection gets this long for what the OS still holds to reach the server:
/// the unsent limit plus the receiver's window at a congested path's rate, bounded so that a dead
/// path cannot keep OBS's stop waiting.
constexpr int kStopDrainMs = 3000;
/// A write blocked this long may be one on a dead path: from then until the dead-path window has
/// twice passed, the queue's drop policy spares what a handoff would replay (PacketQueue::
/// setWriteStallHold). A healthy write never blocks this long; the drop policy starts at 700 ms.
constexpr std::chrono::milliseconds kWriteStallBeforeHold{300};
/// The first session's id; the machine numbers new sessions above it.
constexpr handoff::SessionId kFirstSession = 1;

} // namespace

StreamDriver::StreamDriver(DriverConfig config, DriverHost &host, PacketQueue &queue)
	: config_(std::move(config)),
	  host_(host),
	  queue_(queue),
	  inbox_(queue),
	  connector_(inbox_),
	  resolver_(config_.resolve, config_.serverUrl, config_.streamKey, config_.session.bindAddress, inbox_),
	  pathWatch_(config_.handoff.deadPathWindow),
	  machine_(PathWatch::machineOptions(config_.handoff)),
	  standby_(config_.hotStandby),
	  figures_(config_.session)
{
	queue_.setAudioWakes(false);
	if (config_.session.sendStallMs > 0) // a blocked write may be a dead path: see the loop
		queue_.setWriteStallHold(kWriteStallBeforeHold,
					 2 * std::chrono::milliseconds(config_.session.sendStallMs));
}

StreamDriver::~StreamDriver()
{
	requestStop(0);
	join();
}

void StreamDriver::start()
{
	thread_ = std::thread([this]() noexcept {
		runGuarded(); // cannot throw: runGuarded() runs the loop inside guarded()
	});
}

void StreamDriver::runGuarded() noexcept
{
	// The send thread's entry: an exception here would end OBS (std::terminate). Whatever the
	// loop did not expect ends this stream with a reason OBS shows, and releases everything.
	if (guarded("StreamDriver::run", [this] { run(); }))
		return;
	guarded("StreamDriver::run", [this] { tearDown(); });
	guarded("StreamDriver::run", [this] {
		const std::string reason = "obs-rtmp-goaway stopped on an internal error (see the OBS log)";
		if (!streamStarted_)
			host_.onStartFailed(Error{ErrorCode::Internal, reason});
		else if (!finished_)
			host_.onFallBack(reason); // libobs' own reconnect takes over
		finished_ = true;
	});
}

void StreamDriver::requestStop(int64_t stopAtUsec)
{
	firstConnect_->cancel(); // a first connect to a server that stalls ends now, not at its deadline
	stopAtUsec_ = stopAtUsec;
	stopRequested_ = true;
	queue_.wake();
}

void StreamDriver::requestHandoff()
{
	inbox_.push(inbox::ManualHandoff{});
}

void StreamDriver::join()
{
	if (thread_.joinable())
		thread_.join();
}

DriverSnapshot StreamDriver::snapshot() const
{
	return figures_.read();
}

rtmp::RtmpSession *StreamDriver::session(handoff::SessionId id)
{
	auto it = sessions_.find(id);
	return it == sessions_.end() ? nullptr : it->second.get();
}

void StreamDriver::run()
{
	if (connectFirstSession())
		loop();
	tearDown();
}

void StreamDriver::tearDown()
{
	// Whatever happened: no session, no worker and no resolver outlives the send thread.
	for (auto &[id, s] : sessions_)
		s->closeSilently();
	sessions_.clear();
	closeStandby();
	resolver_.reset();
	connector_.cancelAll();
	connector_.joinAll();
	for (auto &event : inbox_.take())
		if (auto *done = std::get_if<inbox::PreconnectDone>(&event); done && done->connection)
			done->connection->closeSilently();
}

bool StreamDriver::connectFirstSession()
{
	rtmp::SessionOptions options = config_.session;
	options.url = config_.serverUrl;
	options.streamKey = config_.streamKey;
	options.canceller = firstConnect_;
	auto connection = std::make_unique<rtmp::RtmpSession>();
	auto connected = connection->connect(options);
	Result<void> published = connected ? connection->publish(/*waitForStart=*/true) : Result<void>{};
	if (!connected || !published) {
		const Error error = !connected ? connected.error() : published.error();
		GOAWAY_LOG_ERROR("StreamDriver::connectFirstSession", "cannot stream to %s: %s",
				 rtmp::parseRtmpUrl(config_.serverUrl)
					 ? rtmp::parseRtmpUrl(config_.serverUrl)->hostPort().c_str()
					 : "the configured server",
				 error.message.c_str());
		connection->closeSilently();
		host_.onStartFailed(error);
		return false;
	}
	const auto stats = connection->stats();
	const auto &url = connection->url();
	handoff::Target target{url.tcUrl(), url.host, url.port, rtmp::addressOfPeer(stats.peerAddress),
			       handoff::TargetSource::Configured};
	figures_.setConnectTime(stats.timings.totalMs);
	GOAWAY_LOG_INFO("StreamDriver::connectFirstSession", "publishing to %s (%s) in %.0f ms", url.hostPort().c_str(),
			stats.peerAddress.c_str(), stats.timings.totalMs);
	connection->setCorked(true); // flushSessions() writes once per turn of the loop
	sessions_[kFirstSession] = std::move(connection);
	headers_.setHeaders(host_.streamHeaders());
	execute(machine_.onConnected(kFirstSession, target, now()));
	host_.onStreamStarted();
	streamStarted_ = true;
	updateSnapshot();
	return true;
}

void StreamDriver::loop()
{
	std::vector<QueuedPacket> batch;
	while (!finished_) {
		auto wakeAt = now() + kIdlePoll;
		if (auto deadline = machine_.nextDeadline())
			wakeAt = std::min(wakeAt, *deadline);
		if (auto windowClose = records_.nextWindowClose())
			wakeAt = std::min(wakeAt, *windowClose);
		batch.clear();
		if (holdForPath())
			queue_.waitHolding(std::min(wakeAt, now() + kHoldPoll));
		else // congested: no more per turn than the connection takes without a long blocked write
			queue_.popAll(wakeAt, batch,
				      congestedShown_ ? config_.session.unsentLimitBytes / 2 : UINT64_MAX);
		handleInbox();
		pollSessions();
		watchPath();
		warmUpSessions();
		keepStandby();
		if (finished_)
			break;
		if (batch.empty() && (!stopRequested_ || drainUntil_))
			execute(machine_.tick(now()));
		if (stopRequested_ && batch.empty()) { // the queue stayed empty for a whole wait
			queue_.closeAtStop({});
			stopOrDrain();
		}
		for (size_t i = 0; i < batch.size() && !finished_; ++i) {
			// Packets before OBS's stop point still go; the first one at or past it ends the stream.
			const int64_t stopAt = stopAtUsec_;
			if (stopRequested_ && (stopAt == 0 || batch[i].sysDtsUsec >= stopAt)) {
				queue_.closeAtStop(std::span<const QueuedPacket>(batch).subspan(i));
				stopOrDrain();
				break;
			}
			queue_.noteWriteStarted(now());
			handlePacket(std::move(batch[i]));
		}
		if (finished_) {
			queue_.noteWriteEnded();
			break;
		}
		queue_.noteWriteStarted(now());
		flushSessions();
		queue_.noteWriteEnded();
		publishRecords(false);
		connector_.reap();
		updateSnapshot();
	}
}

void StreamDriver::stop()
{
	stopping_ = true;
	closeStandby();
	execute(machine_.stop(now()));
	finished_ = true;
	for (auto &[id, s] : sessions_)
		s->closeGracefully(kStopDrainMs); // sends what is corked first, lets the OS deliver the rest
	publishRecords(true);
	host_.onStopped();
}

void StreamDriver::flushSessions()
{
	std::vector<std::pair<handoff::SessionId, Error>> failed;
	for (auto &[id, s] : sessions_)
		if (auto r = s->flush(); !r)
			failed.emplace_back(id, r.error());
	for (auto &[id, error] : failed)
		sessionFailed(id, error, true);
}

void StreamDriver::handleInbox()
{
	for (auto &event : inbox_.take()) {
		if (auto *done = std::get_if<inbox::PreconnectDone>(&event)) {
			if (standbyConnected(*done))
				continue;
			if (finished_) {
				done->connection->closeSilently();
			} else if (done->result) {
				const auto info =
					adoptSession(done->session, std::move(done->connection), *done->result, false);
				execute(machine_.onPreconnectSucceeded(done->session, info, now()));
			} else {
				done->connection->closeSilently();
				execute(machine_.onPreconnectFailed(done->session, done->result.error(), now()));
			}
		} else if (auto *ready = std::get_if<inbox::CandidatesReady>(&event)) {
			figures_.setResolverSources(std::move(ready->sources));
			keepProbeConnection(*ready);
			execute(machine_.onCandidates(ready->requestId, std::move(ready->targets), now()));
		} else if (std::holds_alternative<inbox::ManualHandoff>(event)) {
			execute(machine_.requestHandoff(now()));
		}
	}
}

void StreamDriver::pollSessions()
{
	std::vector<handoff::SessionId> ids;
	for (auto &[id, s] : sessions_)
		ids.push_back(id);
	for (auto id : ids) {
		auto *s = session(id);
		if (!s)
			continue;
		for (auto &event : s->poll()) {
			if (!session(id))
				break; // an action closed it
			if (std::holds_alternative<rtmp::GoAwayEvent>(event)) {
				GOAWAY_LOG_INFO("StreamDriver::pollSessions", "Go Away from %s",
						s->url().hostPort().c_str());
				figures_.countSignal(LiveFigures::Signal::GoAway);
				execute(machine_.onGoAway(id, now()));
			} else if (auto *rr = std::get_if<rtmp::ReconnectRequestEvent>(&event)) {
				GOAWAY_LOG_INFO("StreamDriver::pollSessions", "ReconnectRequest from %s%s",
						s->url().hostPort().c_str(), rr->tcUrl ? " with a tcUrl" : "");
				figures_.countSignal(LiveFigures::Signal::ReconnectRequest);
				execute(machine_.onReconnectRequest(id, rr->tcUrl, rr->description, now()));
			} else if (auto *status = std::get_if<rtmp::StatusEvent>(&event)) {
				const bool pending = publishPending_[id];
				if (pending && status->code == "NetStream.Publish.Start") {
					publishPending_[id] = false;
					execute(machine_.onPublishResult(id, Result<void>{}, now()));
				} else if (pending && status->isError()) {
					publishPending_[id] = false;
					execute(machine_.onPublishResult(
						id,
						fail(ErrorCode::Rejected, status->code + ": " + status->description),
						now()));
				} else if (status->isError()) {
					GOAWAY_LOG_WARN("StreamDriver::pollSessions", "%s says %s",
							s->url().hostPort().c_str(), status->code.c_str());
				}
			} else if (auto *result = std::get_if<rtmp::CommandResultEvent>(&event)) {
				if (result->isError && publishPending_[id]) {
					publishPending_[id] = false;
					execute(machine_.onPublishResult(
						id,
						fail(ErrorCode::Rejected, "publish refused: " + result->description()),
						now()));
				}
			} else if (auto *closed = std::get_if<rtmp::ClosedEvent>(&event)) {
				sessionFailed(id, closed->reason);
			}
		}
	}
}

void StreamDriver::warmUpSessions()
{
	// No wake-up of its own: the loop turns with every video frame, which is often enough.
	std::vector<std::pair<handoff::SessionId, Error>> failed;
	for (const auto &[id, messages] : warmUp_.due(now()))
		if (auto *s = session(id))
			if (auto sent = s->warmUp(messages); !sent)
				failed.emplace_back(id, sent.error());
	for (auto &[id, error] : failed)
		sessionFailed(id, error);
}

void StreamDriver::handlePacket(QueuedPacket packet)
{
	warmUp_.notePacket(packet.isVideo, packet.keyframe, packet.dtsMs);
	handoff::PacketInfo info{packet.isVideo, packet.keyframe, packet.dtsMs, packet.size()};
	auto verdict = machine_.onPacket(info, now());
	backlog_.emplace(verdict.seq, std::move(packet));
	execute(std::move(verdict.actions));
}

void StreamDriver::execute(handoff::Actions actions)
{
	// Events that actions cause (a send fails, a publish is refused) reach the machine only after
	// the whole list it returned has run, so its decisions are applied in the order it made them.
	++executing_;
	for (const auto &action : actions)
		execute(action);
	--executing_;
	while (executing_ == 0 && !deferred_.empty()) {
		auto next = std::move(deferred_.front());
		deferred_.erase(deferred_.begin());
		execute(next());
	}
}

void StreamDriver::defer(std::function<handoff::Actions()> event)
{
	deferred_.push_back(std::move(event));
	if (executing_ == 0)
		execute(handoff::Actions{});
}

void StreamDriver::execute(const handoff::Action &action)
{
	namespace a = handoff::action;
	GOAWAY_LOG_DEBUG("%s", handoff::describe(action).c_str());
	if (auto *changed = std::get_if<a::StateChanged>(&action)) {
		host_.onStateChanged(changed->to);
	} else if (auto *resolve = std::get_if<a::ResolveTargets>(&action)) {
		startResolve(*resolve);
	} else if (auto *pre = std::get_if<a::Preconnect>(&action)) {
		if (takeStandby(*pre))
			return;
		rtmp::SessionOptions options = config_.session;
		options.adoptSocket = takeProbeConnection(pre->target);
		options.url = pre->target.url;
		options.streamKey = config_.streamKey;
		options.warmUpWhileConnecting = true; // it takes over a running stream (issue 19)
		if (!pre->target.address.empty())
			options.address = pre->target.address;
		connector_.start(pre->session, std::move(options));
	} else if (auto *publish = std::get_if<a::Publish>(&action)) {
		if (auto *s = session(publish->session)) {
			publishPending_[publish->session] = true;
			if (auto r = s->publish(/*waitForStart=*/false); !r) {
				publishPending_[publish->session] = false;
				const auto id = publish->session;
				defer([this, id, r] { return machine_.onPublishResult(id, r, now()); });
			}
		}
	} else if (auto *headers = std::get_if<a::SendHeaders>(&action)) {
		headers_.markPending(headers->session);
	} else if (auto *send = std::get_if<a::SendPacket>(&action)) {
		sendStored(send->session, send->seq);
	} else if (auto *replay = std::get_if<a::ReplayBacklog>(&action)) {
		std::vector<handoff::PacketSeq> seqs;
		for (auto it = backlog_.lower_bound(replay->fromSeq); it != backlog_.end(); ++it)
			seqs.push_back(it->first);
		for (auto seq : seqs)
			sendStored(replay->session, seq);
	} else if (auto *trim = std::get_if<a::TrimBacklog>(&action)) {
		backlog_.erase(backlog_.begin(), backlog_.lower_bound(trim->beforeSeq));
	} else if (auto *silent = std::get_if<a::CloseSilently>(&action)) {
		closeSession(silent->session, false);
	} else if (auto *graceful = std::get_if<a::CloseGracefully>(&action)) {
		closeSession(graceful->session, true);
	} else if (auto *fallBack = std::get_if<a::FallBackToReconnect>(&action)) {
		for (auto &[id, s] : sessions_)
			s->closeSilently();
		sessions_.clear();
		warmUp_.clear();
		finished_ = true;
		publishRecords(true);
		GOAWAY_LOG_WARN("StreamDriver::execute", "no ingest could take the stream: %s",
				fallBack->reason.c_str());
		host_.onFallBack(fallBack->reason);
	} else if (auto *emit = std::get_if<a::EmitRecord>(&action)) {
		records_.hold(emit->record);
		publishRecords(false);
	}
}

void StreamDriver::publishRecords(bool all)
{
	for (const handoff::HandoffRecord &record : records_.takeDue(now(), all)) {
		figures_.countHandoff();
		host_.onHandoffRecord(record);
	}
}

void StreamDriver::sendStored(handoff::SessionId id, handoff::PacketSeq seq)
{
	auto it = backlog_.find(seq);
	auto *s = session(id);
	if (it == backlog_.end() || !s) {
		GOAWAY_LOG_WARN("StreamDriver::sendStored", "packet %llu or session %llu is gone",
				(unsigned long long)seq, (unsigned long long)id);
		return;
	}
	const QueuedPacket &p = it->second;
	const auto at = now();
	if (warmUp_.stop(id)) // media keeps the window open from here
		GOAWAY_LOG_INFO("StreamDriver::sendStored", "session %llu carries media after %llu warm-up messages",
				(unsigned long long)id, (unsigned long long)s->stats().warmUpMessages);
	const uint32_t ts = uint32_t(std::max<int64_t>(0, p.dtsMs));
	auto r = headers_.sendIfPending(*s, id, ts);
	if (r)
		r = s->sendMessage(p.isVideo ? rtmp::MessageType::Video : rtmp::MessageType::Audio, ts, *p.data);
	pathWatch_.noteSent(id, seq, s->bytesGiven()); // a failed send ends the session anyway
	records_.onSend(id, seq, at, bool(r));
	if (!r)
		sessionFailed(id, r.error(), true);
	else
		packetsSent_++;
}

void StreamDriver::closeSession(handoff::SessionId id, bool gracefully)
{
	auto it = sessions_.find(id);
	if (it == sessions_.end()) {
		connector_.cancel(id); // still pre-connecting (e.g. its deadline passed): stop waiting on it
		return;
	}
	auto &s = it->second;
	if (gracefully) // at the stop, what the OS still holds gets time to arrive; not mid-handoff
		s->closeGracefully(stopping_ ? kStopDrainMs : 0);
	else
		s->closeSilently();
	bytesOfClosedSessions_ += s->stats().bytesSent; // after the close: it writes what was corked
	sessions_.erase(it);
	warmUp_.stop(id);
	publishPending_.erase(id);
	headers_.forget(id);
}

void StreamDriver::updateSnapshot()
{
	uint64_t bytesSent = bytesOfClosedSessions_;
	for (auto &[id, session] : sessions_)
		bytesSent += session->stats().bytesSent;
	const auto live = machine_.liveSession();
	figures_.update(machine_.state(), bytesSent, packetsSent_, machine_.backlogBytes(), live,
			live ? session(*live) : nullptr);
}

} // namespace goaway::output
