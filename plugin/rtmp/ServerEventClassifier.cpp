#include "ServerEventClassifier.hpp"
#include "Command.hpp"
#include "../common/Log.hpp"

namespace goaway::rtmp {

namespace {

uint32_t readU32(const std::vector<uint8_t> &p, size_t at)
{
	return (uint32_t(p[at]) << 24) | (uint32_t(p[at + 1]) << 16) | (uint32_t(p[at + 2]) << 8) | p[at + 3];
}

constexpr const char *kWhere = "ServerEventClassifier::classify";

} // namespace

std::optional<ServerEvent> ServerEventClassifier::classify(const Message &message)
{
	const auto &p = message.payload;
	switch (message.messageType()) {
	case MessageType::GoAway:
		// facebookarchive/rtmp-go-away: no payload defined; any body on any chunk stream counts.
		return GoAwayEvent{message.chunkStreamId, p.size()};
	case MessageType::SetChunkSize:
		if (p.size() < 4)
			break;
		return SetChunkSizeEvent{readU32(p, 0) & 0x7FFFFFFFu};
	case MessageType::WindowAckSize:
		if (p.size() < 4)
			break;
		return WindowAckSizeEvent{readU32(p, 0)};
	case MessageType::SetPeerBandwidth:
		if (p.size() < 4)
			break;
		return SetPeerBandwidthEvent{readU32(p, 0), p.size() > 4 ? p[4] : uint8_t(2)};
	case MessageType::Acknowledgement:
		if (p.size() < 4)
			break;
		return AcknowledgementEvent{readU32(p, 0)};
	case MessageType::UserControl: {
		if (p.size() < 2)
			break;
		uint16_t event = static_cast<uint16_t>((p[0] << 8) | p[1]);
		uint32_t value = p.size() >= 6 ? readU32(p, 2) : 0;
		if (event == static_cast<uint16_t>(UserControlEvent::PingRequest))
			return PingEvent{value};
		return UserControlEventReceived{event, value};
	}
	case MessageType::CommandAmf0:
	case MessageType::CommandAmf3: {
		auto command = parseCommand(message);
		if (!command) {
			GOAWAY_LOG_WARN(kWhere, "ignoring a malformed command message: %s",
					command.error().message.c_str());
			return std::nullopt;
		}
		if (command->name == "_result" || command->name == "_error") {
			return CommandResultEvent{command->name == "_error", command->transactionId,
						  command->commandObject, command->arguments};
		}
		if (command->name == "onStatus") {
			const amf0::Value *info = command->info();
			std::string code = info ? info->getString("code") : std::string();
			std::string description = info ? info->getString("description") : std::string();
			// E-RTMP v2 "Reconnect Request".
			if (code == "NetConnection.Connect.ReconnectRequest") {
				ReconnectRequestEvent event{description, std::nullopt};
				if (info && info->get("tcUrl") && info->get("tcUrl")->isString())
					event.tcUrl = info->get("tcUrl")->string;
				return event;
			}
			return StatusEvent{info ? info->getString("level") : std::string(), code, description};
		}
		return OtherCommandEvent{command->name};
	}
	case MessageType::Audio:
	case MessageType::Video:
	case MessageType::DataAmf0:
	case MessageType::DataAmf3:
	case MessageType::SharedObjectAmf0:
	case MessageType::SharedObjectAmf3:
	case MessageType::Aggregate:
	case MessageType::Abort:
		return std::nullopt;
	default:
		if (!loggedUnknown_.test(message.type)) {
			loggedUnknown_.set(message.type);
			GOAWAY_LOG_INFO(kWhere, "ignoring message type %u (logged once per type)",
					unsigned(message.type));
		}
		return std::nullopt;
	}
	GOAWAY_LOG_WARN(kWhere, "ignoring a truncated control message of type %u", unsigned(message.type));
	return std::nullopt;
}

} // namespace goaway::rtmp
