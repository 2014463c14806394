#pragma once
// Events that reach the send thread from other threads (pre-connect workers, the resolver,
// proc handlers, stop). Pushing wakes the send thread through the packet queue.

#include "PacketQueue.hpp"
#include "plugin/common/Result.hpp"
#include "plugin/handoff/HandoffTypes.hpp"
#include "plugin/ingest/Candidate.hpp"
#include "plugin/rtmp/RtmpSession.hpp"

#include <memory>
#include <mutex>
#include <variant>
#include <vector>

namespace goaway::output {

namespace inbox {

struct PreconnectDone {
	handoff::SessionId session = 0;
	std::unique_ptr<rtmp::RtmpSession> connection; // connected (or closed after a failure)
	Result<rtmp::ConnectTimings> result;
};

struct CandidatesReady {
	uint64_t requestId = 0; // the machine's ResolveTargets id
	std::vector<handoff::Target> targets;
	std::vector<ingest::SourceContribution> sources; // what each source gave (for the dock)
	/** The best target's probe connection, still open (targets.front(); null when none). */
	std::shared_ptr<rtmp::UniqueFd> probeConnection;
};

struct ManualHandoff {};

} // namespace inbox

using InboxEvent = std::variant<inbox::PreconnectDone, inbox::CandidatesReady, inbox::ManualHandoff>;

class DriverInbox {
public:
	explicit DriverInbox(PacketQueue &wakeup) : wakeup_(wakeup) {}

	void push(InboxEvent event)
	{
		{
			std::lock_guard lock(mutex_);
			events_.push_back(std::move(event));
		}
		wakeup_.wake();
	}

	std::vector<InboxEvent> take()
	{
		std::lock_guard lock(mutex_);
		return std::exchange(events_, {});
	}

private:
	PacketQueue &wakeup_;
	std::mutex mutex_;
	std::vector<InboxEvent> events_;
};

} // namespace goaway::output
