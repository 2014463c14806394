#include "ServerEventClassifier.hpp"
#include "Command.hpp"
#include "../common/Log.hpp"
#include "../common/OutsideText.hpp"

namespace goaway::rtmp {

namespace {

uint32_t readU32(const std::vector<uint8_t> &p, size_t at)
{
	return (uint32_t(p[at]) << 24) | (uint32_t(p[at + 1]) << 16) | (uint32_t(p[at + 2]) << 8) | p[at + 3];
}

constexpr const char *kWhere = "ServerEventClassifier::classify";

/** The text boundary for AMF: every string and property name a server sent, made valid, printable
 *  and bounded (plugin/common/OutsideText.hpp). The tree's depth is already bounded by the decoder. */
void cleanTree(amf0::Value &v)
{
	if (!v.string.empty())
		v.string = text::untrusted(v.string);
	for (auto &[name, value] : v.properties) {
		name = text::untrusted(name);
		cleanTree(value);
	}
	for (auto &item : v.items)
		cleanTree(item);
}

/** E-RTMP v2: tcUrl says where to reconnect. One that is not clean text (invalid UTF-8, control
 *  characters, longer than any real URL) is refused whole, never cut or repaired: a repaired URL
 *  would be another place. The handoff then goes where it would without a tcUrl. */
std::optional<std::string> acceptTcUrl(const amf0::Value *info)
{
	const amf0::Value *tcUrl = info ? info->get("tcUrl") : nullptr;
	if (!tcUrl || !tcUrl->isString())
		return std::nullopt;
	if (!text::isClean(tcUrl->string, text::kMaxOutsideUrlBytes)) {
		GOAWAY_LOG_WARN(kWhere, "ignoring a ReconnectRequest tcUrl that is not a valid URL (%zu bytes: %s)",
				tcUrl->string.size(), text::untrusted(tcUrl->string, 96).c_str());
		return std::nullopt;
	}
	return tcUrl->string;
}

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
		// tcUrl is judged on its raw bytes, before the text boundary below rewrites them.
		std::optional<std::string> tcUrl;
		if (command->name == "onStatus")
			tcUrl = acceptTcUrl(command->info());
		command->name = text::untrusted(command->name);
		cleanTree(command->commandObject);
		for (auto &argument : command->arguments)
			cleanTree(argument);
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
				return ReconnectRequestEvent{description, std::move(tcUrl)};
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
