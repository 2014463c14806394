#include "HandoffJson.hpp"

#include <cctype>

namespace goaway::output {

namespace {

nlohmann::json endpointJson(const handoff::Endpoint &e)
{
	return {{"host", e.host}, {"port", e.port}, {"address", e.address}};
}

nlohmann::json sinceEpoch(const std::optional<handoff::TimePoint> &t, handoff::TimePoint epoch)
{
	if (!t)
		return nullptr;
	return handoff::msBetween(epoch, *t);
}

} // namespace

std::string jsonText(const nlohmann::json &j)
{
	return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string stateSlug(handoff::State state)
{
	std::string name = handoff::stateName(state);
	for (auto &c : name)
		c = char(std::tolower(static_cast<unsigned char>(c)));
	return name;
}

nlohmann::json handoffRecordToJson(const handoff::HandoffRecord &r, handoff::TimePoint epoch)
{
	nlohmann::json j = {
		{"id", r.id},
		{"trigger", handoff::triggerName(r.trigger)},
		{"detail", r.triggerDetail},
		{"mode", handoff::modeName(r.mode)},
		{"round", r.round},
		{"from", endpointJson(r.from)},
		{"to", endpointJson(r.to)},
		{"toSource",
		 r.toSource ? nlohmann::json(handoff::targetSourceName(*r.toSource)) : nlohmann::json(nullptr)},
		{"targetsTried", r.targetsTried},
		{"triggeredAtMs", handoff::msBetween(epoch, r.triggeredAt)},
		{"targetReadyAtMs", sinceEpoch(r.targetReadyAt, epoch)},
		{"cutOverAtMs", sinceEpoch(r.cutOverAt, epoch)},
		{"completedAtMs", sinceEpoch(r.completedAt, epoch)},
		{"waitedForKeyframeMs", r.waitedForKeyframeMs},
		{"preconnectMs", r.preconnectMs},
		{"preconnect",
		 {{"tcpMs", r.preconnectTimings.tcpMs},
		  {"tlsMs", r.preconnectTimings.tlsMs},
		  {"handshakeMs", r.preconnectTimings.handshakeMs},
		  {"connectMs", r.preconnectTimings.connectMs},
		  {"createStreamMs", r.preconnectTimings.createStreamMs},
		  {"hotStandby", r.preconnectTimings.hotStandby},
		  {"probeConnection", r.preconnectTimings.probeConnection}}},
		{"heldMs", r.heldMs},
		{"deadAirMs", r.deadAirMs ? nlohmann::json(*r.deadAirMs) : nlohmann::json(nullptr)},
		{"deadAirBasis", handoff::deadAirBasisName(r.deadAirBasis)},
		{"switchGapMs", r.switchGapMs ? nlohmann::json(*r.switchGapMs) : nlohmann::json(nullptr)},
		{"framesOnOldAfterTrigger", r.framesOnOldAfterTrigger},
		{"bytesOnOldAfterTrigger", r.bytesOnOldAfterTrigger},
		{"framesOnNew", r.framesOnNew},
		{"bytesOnNew", r.bytesOnNew},
		{"duplicates", r.duplicates},
		{"framesLost", r.framesLost},
		// Issue 16: whether framesLost is exact ("tcp": at least that many; "assumed": unknown).
		{"duplicatesAtMost", r.duplicatesAtMost},
		{"framesLostKnown", r.framesLostKnown()},
		{"lossBasis",
		 r.lossBasis ? nlohmann::json(handoff::ackSourceName(*r.lossBasis)) : nlohmann::json(nullptr)},
		{"detectionMs", r.detectionMs ? nlohmann::json(*r.detectionMs) : nlohmann::json(nullptr)},
		{"coalescedTriggers", r.coalescedTriggers},
		{"oldLostBeforeCut", r.oldLostBeforeCut},
		{"keyframeWaitExceeded", r.keyframeWaitExceeded},
		{"brokeBeforeMake", r.brokeBeforeMake},
		{"result", handoff::handoffResultName(r.result)},
		{"failureReason", r.failureReason},
	};
	return j;
}

nlohmann::json snapshotToJson(const DriverSnapshot &s)
{
	nlohmann::json sources = nlohmann::json::array();
	for (const auto &c : s.resolverSources)
		sources.push_back({{"source", ingest::candidateSourceName(c.source)},
				   {"usable", c.usable},
				   {"draining", c.draining},
				   {"reason", c.reason}});
	return {{"state", stateSlug(s.state)},
		{"server", s.server},
		{"address", s.peerAddress},
		{"tls", s.tls},
		{"bytesSent", s.bytesSent},
		{"connectTimeMs", s.connectTimeMs},
		{"packetsSent", s.packetsSent},
		{"handoffs", s.handoffs},
		{"backlogBytes", s.backlogBytes},
		{"pathCongested", s.pathCongested},
		{"congestionEpisodes", s.congestionEpisodes},
		{"announced", {{"supportsGoAway", s.announcedGoAway}, {"capsEx", s.announcedCapsEx}}},
		{"serverShowed",
		 {{"capsEx", s.serverCapsEx ? nlohmann::json(*s.serverCapsEx) : nlohmann::json(nullptr)},
		  {"goAways", s.goAwaysReceived},
		  {"reconnectRequests", s.reconnectRequestsReceived}}},
		{"resolverSources", std::move(sources)}};
}

} // namespace goaway::output
