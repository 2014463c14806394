#include "LiveFigures.hpp"

namespace goaway::output {

LiveFigures::LiveFigures(const rtmp::SessionOptions &announced)
{
	snapshot_.announcedGoAway = announced.supportsGoAway;
	snapshot_.announcedCapsEx = announced.capsEx;
}

DriverSnapshot LiveFigures::read() const
{
	std::lock_guard lock(mutex_);
	return snapshot_;
}

void LiveFigures::setConnectTime(double ms)
{
	std::lock_guard lock(mutex_);
	snapshot_.connectTimeMs = static_cast<int>(ms);
}

void LiveFigures::countHandoff()
{
	std::lock_guard lock(mutex_);
	snapshot_.handoffs++;
}

void LiveFigures::countSignal(Signal signal)
{
	std::lock_guard lock(mutex_);
	(signal == Signal::GoAway ? snapshot_.goAwaysReceived : snapshot_.reconnectRequestsReceived)++;
}

void LiveFigures::setPathCongested(bool congested)
{
	std::lock_guard lock(mutex_);
	if (congested && !snapshot_.pathCongested)
		snapshot_.congestionEpisodes++;
	snapshot_.pathCongested = congested;
}

void LiveFigures::setResolverSources(std::vector<ingest::SourceContribution> sources)
{
	std::lock_guard lock(mutex_);
	snapshot_.resolverSources = std::move(sources);
}

void LiveFigures::update(handoff::State state, uint64_t bytesSent, uint64_t packetsSent, uint64_t backlogBytes,
			 std::optional<handoff::SessionId> liveId, const rtmp::RtmpSession *live)
{
	std::lock_guard lock(mutex_);
	snapshot_.state = state;
	snapshot_.bytesSent = bytesSent;
	snapshot_.packetsSent = packetsSent;
	snapshot_.backlogBytes = backlogBytes;
	if (live && describedSession_ != liveId) {
		describedSession_ = liveId;
		snapshot_.server = live->url().hostPort();
		snapshot_.peerAddress = live->stats().peerAddress;
		snapshot_.tls = live->url().tls;
		snapshot_.serverCapsEx = live->stats().serverCapsEx;
	}
}

} // namespace goaway::output
