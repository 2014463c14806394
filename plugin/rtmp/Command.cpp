#include "Command.hpp"

namespace goaway::rtmp {

namespace {

// AMF3 command / data bodies (types 17 and 15) begin with a format selector byte; 0x00 means the
// rest is plain AMF0 (RTMP spec 7.1.1), which is what FFmpeg and librtmp put there.
Result<std::span<const uint8_t>> amf0Body(const Message &message)
{
	std::span<const uint8_t> body(message.payload);
	const auto type = message.messageType();
	if (type == MessageType::CommandAmf3 || type == MessageType::DataAmf3) {
		if (body.empty() || body[0] != 0x00)
			return fail(ErrorCode::Protocol, "AMF3-encoded command bodies are not supported");
		body = body.subspan(1);
	} else if (type != MessageType::CommandAmf0 && type != MessageType::DataAmf0) {
		return fail(ErrorCode::Protocol,
			    "not a command or data message (type " + std::to_string(message.type) + ")");
	}
	return body;
}

} // namespace

const amf0::Value *Command::info() const
{
	for (const amf0::Value &argument : arguments)
		if (argument.isObject())
			return &argument;
	return nullptr;
}

Result<Command> parseCommand(const Message &message)
{
	auto body = amf0Body(message);
	if (!body)
		return std::unexpected(body.error());
	auto values = amf0::decodeAll(*body);
	if (!values)
		return std::unexpected(values.error());
	if (values->empty() || !(*values)[0].isString())
		return fail(ErrorCode::Protocol, "command message does not start with a command name");
	Command command;
	command.name = (*values)[0].string;
	// RTMP spec 7.1.1: name, transaction id, command object, then optional arguments. Some
	// servers omit trailing parts of onStatus; absent parts read as 0 / null.
	if (values->size() > 1) {
		if (!(*values)[1].isNumber())
			return fail(ErrorCode::Protocol,
				    "command '" + command.name + "' has no numeric transaction id");
		command.transactionId = (*values)[1].number;
	}
	if (values->size() > 2)
		command.commandObject = std::move((*values)[2]);
	for (size_t i = 3; i < values->size(); ++i)
		command.arguments.push_back(std::move((*values)[i]));
	return command;
}

Message makeCommandMessage(const Command &command, uint32_t streamId, uint32_t chunkStreamId)
{
	Message m;
	m.type = static_cast<uint8_t>(MessageType::CommandAmf0);
	m.streamId = streamId;
	m.chunkStreamId = chunkStreamId;
	amf0::encode(amf0::Value::makeString(command.name), m.payload);
	amf0::encode(amf0::Value::makeNumber(command.transactionId), m.payload);
	amf0::encode(command.commandObject, m.payload);
	for (const amf0::Value &argument : command.arguments)
		amf0::encode(argument, m.payload);
	return m;
}

Result<std::vector<amf0::Value>> parseData(const Message &message)
{
	auto body = amf0Body(message);
	if (!body)
		return std::unexpected(body.error());
	return amf0::decodeAll(*body);
}

Message makeDataMessage(const std::vector<amf0::Value> &values, uint32_t streamId, uint32_t chunkStreamId)
{
	Message m;
	m.type = static_cast<uint8_t>(MessageType::DataAmf0);
	m.streamId = streamId;
	m.chunkStreamId = chunkStreamId;
	m.payload = amf0::encodeAll(values);
	return m;
}

} // namespace goaway::rtmp
