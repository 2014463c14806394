#pragma once
// The send thread's side of plugin/ingest: turns the handoff machine's ResolveTargets into an
// IngestResolver request and posts what it finds to the driver's inbox as handoff targets
// (CandidatesReady, answered with the machine's request id).

#include "DriverInbox.hpp"
#include "plugin/handoff/HandoffActions.hpp"
#include "plugin/ingest/IngestResolver.hpp"

#include <memory>
#include <string>

namespace goaway::output {

/** One resolver per stream, created on first use; its answers arrive on the resolver's threads
 *  and only go through the inbox. */
class TargetResolver {
public:
	/** `base`: ingest list URL, source order, probing and deadline from the settings; `serverUrl`
	 *  and `streamKey` of the stream (the key goes to the ingest list request, never to a log). */
	/** `bindAddress`: the sessions' local address (empty: any); with one, no probe connection is
	 *  kept for a session to take. */
	TargetResolver(ingest::ResolveRequest base, std::string serverUrl, std::string streamKey,
		       std::string bindAddress, DriverInbox &inbox);

	/** Starts one resolution; `currentTcUrl` is the tcUrl of the session media goes to. */
	void resolve(const handoff::action::ResolveTargets &request, std::string currentTcUrl);
	/** Abandons every resolution in flight (the send thread ends). */
	void reset() { resolver_.reset(); }

private:
	ingest::ResolveRequest base_;
	std::string serverUrl_;
	std::string streamKey_;
	std::string bindAddress_;
	DriverInbox &inbox_;
	std::unique_ptr<ingest::IngestResolver> resolver_;
};

} // namespace goaway::output
