#include "HeaderSchedule.hpp"

namespace goaway::output {

Result<void> HeaderSchedule::sendIfPending(rtmp::RtmpSession &rtmp, handoff::SessionId session, uint32_t ts)
{
	if (!pending_.erase(session))
		return {};
	Result<void> r = rtmp.sendMessage(rtmp::MessageType::DataAmf0, ts, headers_.metadata);
	if (r && !headers_.videoHeader.empty())
		r = rtmp.sendMessage(rtmp::MessageType::Video, ts, headers_.videoHeader);
	if (r && !headers_.audioHeader.empty())
		r = rtmp.sendMessage(rtmp::MessageType::Audio, ts, headers_.audioHeader);
	return r;
}

} // namespace goaway::output
