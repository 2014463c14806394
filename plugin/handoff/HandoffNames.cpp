// Names for logs, records and test messages. Never prints a URL (it may carry a stream key).

#include "HandoffActions.hpp"
#include "HandoffRecord.hpp"
#include "HandoffTypes.hpp"

#include <string>
#include <type_traits>

namespace goaway::handoff {

const char *triggerName(Trigger trigger)
{
	switch (trigger) {
	case Trigger::GoAway:
		return "GoAway";
	case Trigger::ReconnectRequest:
		return "ReconnectRequest";
	case Trigger::Manual:
		return "Manual";
	case Trigger::ConnectionLost:
		return "ConnectionLost";
	case Trigger::DeadPath:
		return "DeadPath";
	}
	return "?";
}

const char *ackSourceName(AckSource source)
{
	switch (source) {
	case AckSource::ServerAcks:
		return "server-acks";
	case AckSource::Tcp:
		return "tcp";
	case AckSource::Assumed:
		return "assumed";
	}
	return "?";
}

const char *deadAirBasisName(DeadAirBasis basis)
{
	switch (basis) {
	case DeadAirBasis::Measured:
		return "measured";
	case DeadAirBasis::UpTo:
		return "up-to";
	case DeadAirBasis::AtLeast:
		return "at-least";
	}
	return "?";
}

const char *modeName(HandoffMode mode)
{
	return mode == HandoffMode::MakeBeforeBreak ? "make-before-break" : "break-before-make";
}

const char *stateName(State state)
{
	switch (state) {
	case State::Idle:
		return "Idle";
	case State::Streaming:
		return "Streaming";
	case State::Resolving:
		return "Resolving";
	case State::Preconnecting:
		return "Preconnecting";
	case State::AwaitingCut:
		return "AwaitingCut";
	case State::Reconnecting:
		return "Reconnecting";
	case State::Confirming:
		return "Confirming";
	case State::FellBack:
		return "FellBack";
	}
	return "?";
}

const char *targetSourceName(TargetSource source)
{
	switch (source) {
	case TargetSource::TcUrl:
		return "tcUrl";
	case TargetSource::IngestList:
		return "ingest list";
	case TargetSource::Dns:
		return "re-resolved";
	case TargetSource::Backup:
		return "backup";
	case TargetSource::Configured:
		return "configured";
	}
	return "?";
}

const char *handoffResultName(HandoffResult result)
{
	switch (result) {
	case HandoffResult::Succeeded:
		return "Succeeded";
	case HandoffResult::Failed:
		return "Failed";
	case HandoffResult::FellBack:
		return "FellBack";
	case HandoffResult::Stopped:
		return "Stopped";
	}
	return "?";
}

std::string describe(const Action &action)
{
	return std::visit(
		[](const auto &a) -> std::string {
			using A = std::decay_t<decltype(a)>;
			if constexpr (std::is_same_v<A, action::StateChanged>)
				return std::string("StateChanged ") + stateName(a.from) + "->" + stateName(a.to);
			else if constexpr (std::is_same_v<A, action::ResolveTargets>)
				return "ResolveTargets #" + std::to_string(a.requestId) + " " + triggerName(a.trigger) +
				       (a.tcUrl ? " (tcUrl)" : "");
			else if constexpr (std::is_same_v<A, action::Preconnect>)
				return "Preconnect " + std::to_string(a.session) + " " + a.target.host + ":" +
				       std::to_string(a.target.port);
			else if constexpr (std::is_same_v<A, action::Publish>)
				return "Publish " + std::to_string(a.session);
			else if constexpr (std::is_same_v<A, action::SendHeaders>)
				return "SendHeaders " + std::to_string(a.session);
			else if constexpr (std::is_same_v<A, action::SendPacket>)
				return "SendPacket " + std::to_string(a.session) + " #" + std::to_string(a.seq);
			else if constexpr (std::is_same_v<A, action::ReplayBacklog>)
				return "ReplayBacklog " + std::to_string(a.session) + " from #" +
				       std::to_string(a.fromSeq);
			else if constexpr (std::is_same_v<A, action::TrimBacklog>)
				return "TrimBacklog before #" + std::to_string(a.beforeSeq);
			else if constexpr (std::is_same_v<A, action::CloseSilently>)
				return "CloseSilently " + std::to_string(a.session);
			else if constexpr (std::is_same_v<A, action::CloseGracefully>)
				return "CloseGracefully " + std::to_string(a.session);
			else if constexpr (std::is_same_v<A, action::FallBackToReconnect>)
				return "FallBackToReconnect: " + a.reason;
			else
				return std::string("EmitRecord #") + std::to_string(a.record.id) + " " +
				       handoffResultName(a.record.result);
		},
		action);
}

} // namespace goaway::handoff
