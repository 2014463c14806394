#include "ConnectCommand.hpp"

namespace goaway::rtmp {

amf0::Value buildConnectObject(const ConnectParams &params)
{
	using amf0::Value;
	Value object = Value::makeObject();
	object.set("app", Value::makeString(params.app));
	object.set("type", Value::makeString("nonprivate"));
	if (params.supportsGoAway)
		object.set("supportsGoAway", Value::makeBoolean(true));
	object.set("flashVer", Value::makeString(params.flashVer));
	object.set("tcUrl", Value::makeString(params.tcUrl));
	if (params.capsEx != 0)
		object.set("capsEx", Value::makeNumber(params.capsEx));
	if (needsEnhancedRtmp(params.codec)) {
		// E-RTMP v1 "fourCcList" (legacy) and v2 "videoFourCcInfoMap": announce the codec we send.
		std::string cc(fourCc(params.codec));
		object.set("fourCcList", Value::makeStrictArray({Value::makeString(cc)}));
		Value map = Value::makeObject();
		map.set(cc, Value::makeNumber(fourcc_info::kCanEncode));
		object.set("videoFourCcInfoMap", std::move(map));
	}
	return object;
}

std::vector<uint8_t> buildConnectBody(const ConnectParams &params)
{
	return amf0::encodeAll({amf0::Value::makeString("connect"), amf0::Value::makeNumber(params.transactionId),
				buildConnectObject(params)});
}

} // namespace goaway::rtmp
