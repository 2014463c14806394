#include "ServerEvent.hpp"

#include <cstdio>

namespace goaway::rtmp {

namespace {

bool contains(const std::string &s, const char *needle)
{
	return s.find(needle) != std::string::npos;
}

const amf0::Value *firstObject(const std::vector<amf0::Value> &arguments)
{
	for (const auto &v : arguments) {
		if (v.isObject())
			return &v;
	}
	return nullptr;
}

} // namespace

bool StatusEvent::isError() const
{
	return level == "error" || contains(code, "Rejected") || contains(code, "BadName") ||
	       contains(code, "Failed") || contains(code, "Error") || contains(code, "Denied");
}

std::string CommandResultEvent::code() const
{
	const amf0::Value *info = firstObject(arguments);
	return info ? info->getString("code") : std::string();
}

std::string CommandResultEvent::description() const
{
	const amf0::Value *info = firstObject(arguments);
	return info ? info->getString("description") : std::string();
}

std::optional<uint32_t> CommandResultEvent::capsEx() const
{
	auto valid = [](const amf0::Value *object) -> std::optional<uint32_t> {
		const amf0::Value *v = object && object->isObject() ? object->get("capsEx") : nullptr;
		if (!v || !v->isNumber() || !(v->number >= 0) || v->number > kMaxCapsEx ||
		    v->number != static_cast<double>(static_cast<uint32_t>(v->number)))
			return std::nullopt; // NaN fails `>= 0`
		return static_cast<uint32_t>(v->number);
	};
	if (auto fromProperties = valid(&commandObject))
		return fromProperties;
	return valid(firstObject(arguments));
}

std::string describe(const ServerEvent &event)
{
	struct Visitor {
		std::string operator()(const GoAwayEvent &e) const
		{
			return "GoAway (csid " + std::to_string(e.chunkStreamId) + ", " + std::to_string(e.bodySize) +
			       "-byte body)";
		}
		std::string operator()(const ReconnectRequestEvent &e) const
		{
			return "ReconnectRequest" + (e.tcUrl ? " tcUrl=" + *e.tcUrl : std::string(" (no tcUrl)"));
		}
		std::string operator()(const StatusEvent &e) const { return "onStatus " + e.code; }
		std::string operator()(const CommandResultEvent &e) const
		{
			// %.0f, not a cast to an integer: a server may send any double (a cast of 1e300 is UB).
			char txn[64];
			std::snprintf(txn, sizeof(txn), "%.0f", e.transactionId);
			return std::string(e.isError ? "_error" : "_result") + " txn " + txn;
		}
		std::string operator()(const OtherCommandEvent &e) const { return "command " + e.name; }
		std::string operator()(const PingEvent &) const { return "PingRequest"; }
		std::string operator()(const SetChunkSizeEvent &e) const
		{
			return "SetChunkSize " + std::to_string(e.size);
		}
		std::string operator()(const WindowAckSizeEvent &e) const
		{
			return "WindowAckSize " + std::to_string(e.size);
		}
		std::string operator()(const SetPeerBandwidthEvent &e) const
		{
			return "SetPeerBandwidth " + std::to_string(e.size);
		}
		std::string operator()(const AcknowledgementEvent &e) const
		{
			return "Acknowledgement " + std::to_string(e.sequenceNumber);
		}
		std::string operator()(const UserControlEventReceived &e) const
		{
			return "UserControl " + std::to_string(e.event);
		}
		std::string operator()(const ClosedEvent &e) const { return "Closed: " + e.reason.message; }
	};
	return std::visit(Visitor{}, event);
}

} // namespace goaway::rtmp
