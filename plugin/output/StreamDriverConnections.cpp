// StreamDriver: connections made before a pre-connect asks for them — the resolver's probe of
// the best target (issue 16, item 4: its TCP connection becomes the session's) — and connected
// sessions joining the stream, from a pre-connect worker or from the optional hot standby (issue 16, item 3; HotStandby.hpp): a session kept connected to the live
// ingest outside the handoff machine, which a handoff's pre-connect to the same target takes
// instead of connecting. A file of its own to keep StreamDriver.cpp readable.

#include "StreamDriver.hpp"

#include "plugin/common/Log.hpp"

namespace goaway::output {

namespace {

/// A probe connection older than this is not used: the resolver's answer is acted on at once
/// (a pre-connect to the best target follows it in the same turn), so an older one belongs to
/// a handoff that went another way, and a server may close idle connections.
constexpr auto kProbeConnectionMaxAge = std::chrono::seconds(2);

} // namespace

void StreamDriver::startResolve(const handoff::action::ResolveTargets &request)
{
	std::string current = config_.serverUrl;
	if (auto last = records_.lastSendSession())
		if (auto *s = session(*last))
			current = s->url().tcUrl();
	resolver_.resolve(request, std::move(current));
}

void StreamDriver::keepProbeConnection(inbox::CandidatesReady &ready)
{
	probeConnection_.reset(); // an unused earlier one closes
	if (!ready.probeConnection || ready.targets.empty())
		return;
	const auto &best = ready.targets.front();
	probeConnection_ = ProbeConnection{best.url, best.address, std::move(ready.probeConnection), now()};
}

std::shared_ptr<rtmp::UniqueFd> StreamDriver::takeProbeConnection(const handoff::Target &target)
{
	if (!probeConnection_ || probeConnection_->url != target.url || probeConnection_->address != target.address ||
	    now() - probeConnection_->at > kProbeConnectionMaxAge) {
		return nullptr;
	}
	auto socket = std::move(probeConnection_->socket);
	probeConnection_.reset();
	return socket;
}

void StreamDriver::keepStandby()
{
	if (standbySession_) {
		bool drop = false;
		std::string why;
		for (auto &event : standbySession_->poll()) { // answers pings; a standby hears no media
			if (auto *closed = std::get_if<rtmp::ClosedEvent>(&event)) {
				drop = true;
				why = closed->reason.message;
			} else if (std::holds_alternative<rtmp::GoAwayEvent>(event) ||
				   std::holds_alternative<rtmp::ReconnectRequestEvent>(event)) {
				drop = true; // the node drains: a standby there would be no help
				why = "the server asked it to go (" + rtmp::describe(event) + ")";
			}
		}
		if (drop || !standbySession_->isOpen()) {
			GOAWAY_LOG_INFO("StreamDriver::keepStandby", "hot standby to %s dropped: %s",
					standbySession_->url().hostPort().c_str(),
					why.empty() ? "closed" : why.c_str());
			standbySession_->closeSilently();
			standbySession_.reset();
			if (const auto id = standby_.current())
				standby_.failed(*id, now());
		}
		return;
	}
	const auto live = machine_.liveSession();
	rtmp::RtmpSession *s = live ? session(*live) : nullptr;
	if (!s || stopRequested_ || !standby_.shouldConnect(now(), machine_.state() == handoff::State::Streaming))
		return;
	rtmp::SessionOptions options = config_.session;
	options.url = s->url().tcUrl();
	options.streamKey = config_.streamKey; // the key goes only with a publish, which a standby never sends
	const handoff::SessionId id = standby_.beginConnect(options.url);
	GOAWAY_LOG_INFO("StreamDriver::keepStandby", "connecting a hot standby to %s", s->url().hostPort().c_str());
	connector_.start(id, std::move(options));
}

bool StreamDriver::standbyConnected(inbox::PreconnectDone &done)
{
	if (!standby_.isStandby(done.session))
		return false;
	if (!done.result) {
		GOAWAY_LOG_WARN("StreamDriver::standbyConnected", "hot standby not connected: %s",
				done.result.error().message.c_str());
		done.connection->closeSilently();
		standby_.failed(done.session, now());
	} else if (finished_ ||
		   !standby_.connected(done.session, rtmp::addressOfPeer(done.connection->stats().peerAddress))) {
		done.connection->closeSilently();
	} else {
		GOAWAY_LOG_INFO("StreamDriver::standbyConnected", "hot standby ready at %s",
				done.connection->url().hostPort().c_str());
		standbySession_ = std::move(done.connection);
		standbyTimings_ = *done.result;
	}
	return true;
}

bool StreamDriver::takeStandby(const handoff::action::Preconnect &pre)
{
	if (!standbySession_)
		return false;
	if (!standby_.take(pre.target, now()))
		return false;
	const handoff::SessionId id = pre.session;
	GOAWAY_LOG_INFO("StreamDriver::takeStandby", "session %llu is the hot standby to %s", (unsigned long long)id,
			standbySession_->url().hostPort().c_str());
	const auto info = adoptSession(id, std::move(standbySession_), standbyTimings_, true);
	defer([this, id, info] { return machine_.onPreconnectSucceeded(id, info, now()); });
	return true;
}

handoff::ConnectInfo StreamDriver::adoptSession(handoff::SessionId id, std::unique_ptr<rtmp::RtmpSession> session,
						const rtmp::ConnectTimings &t, bool hotStandby)
{
	handoff::ConnectInfo info;
	info.address = rtmp::addressOfPeer(session->stats().peerAddress);
	info.timings = {int64_t(t.tcpMs),          int64_t(t.tlsMs), int64_t(t.handshakeMs), int64_t(t.connectMs),
			int64_t(t.createStreamMs), hotStandby,       t.probeConnection};
	session->setCorked(true);
	sessions_[id] = std::move(session);
	warmUp_.start(id, std::chrono::milliseconds(int64_t(t.createStreamMs)), now());
	return info;
}

void StreamDriver::dropStandby(const char *why)
{
	const auto id = standby_.current();
	if (!id)
		return;
	GOAWAY_LOG_INFO("StreamDriver::dropStandby", "hot standby closed: %s", why);
	if (standbySession_) {
		standbySession_->closeSilently();
		standbySession_.reset();
	} else {
		connector_.cancel(*id); // its result arrives as an error and is dropped
	}
	standby_.failed(*id, now());
}

void StreamDriver::closeStandby()
{
	standby_.stop();
	if (standbySession_) {
		standbySession_->closeSilently(); // never published: nothing to unpublish
		standbySession_.reset();
	}
}

} // namespace goaway::output
