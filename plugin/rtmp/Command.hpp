#pragma once
// AMF0 command messages (RTMP spec 7.1.1 / 7.2): name, transaction id, command object, arguments.

#include "Amf0.hpp"
#include "RtmpMessage.hpp"
#include "../common/Result.hpp"

#include <string>
#include <vector>

namespace goaway::rtmp {

/** A command such as connect, createStream, publish, _result, _error or onStatus. */
struct Command {
	std::string name;
	double transactionId = 0;
	amf0::Value commandObject; // Null when absent
	std::vector<amf0::Value> arguments;

	/** For onStatus / _result / _error: the first argument that is an object (the info object),
	 *  or nullptr. */
	const amf0::Value *info() const;
};

/** Parses the body of a type-20 (AMF0 command) message. Type 17 (AMF3 command) bodies are
 *  accepted when they start with the 0x00 AMF0 switch byte, as FFmpeg sends them. */
Result<Command> parseCommand(const Message &message);

/** Encodes `command` into a type-20 message on the given chunk stream / message stream. */
Message makeCommandMessage(const Command &command, uint32_t streamId = 0,
			   uint32_t chunkStreamId = chunk_stream::kCommand);

/** Parses the body of a data message (type 18, or type 15 with the 0x00 AMF0 switch byte) into
 *  its values, e.g. "@setDataFrame", "onMetaData", {metadata}. */
Result<std::vector<amf0::Value>> parseData(const Message &message);

/** Encodes `values` into a type-18 (AMF0 data) message. */
Message makeDataMessage(const std::vector<amf0::Value> &values, uint32_t streamId = 0,
			uint32_t chunkStreamId = chunk_stream::kData);

} // namespace goaway::rtmp
