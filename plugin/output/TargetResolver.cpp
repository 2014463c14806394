#include "TargetResolver.hpp"

#include "plugin/common/Log.hpp"

#include <utility>
#include <vector>

namespace goaway::output {

namespace {

handoff::TargetSource toTargetSource(ingest::CandidateSource source)
{
	switch (source) {
	case ingest::CandidateSource::TcUrl:
		return handoff::TargetSource::TcUrl;
	case ingest::CandidateSource::IngestList:
		return handoff::TargetSource::IngestList;
	case ingest::CandidateSource::Dns:
		return handoff::TargetSource::Dns;
	case ingest::CandidateSource::Backup:
		return handoff::TargetSource::Backup;
	case ingest::CandidateSource::Configured:
		break;
	}
	return handoff::TargetSource::Configured;
}

} // namespace

TargetResolver::TargetResolver(ingest::ResolveRequest base, std::string serverUrl, std::string streamKey,
			       std::string bindAddress, DriverInbox &inbox)
	: base_(std::move(base)),
	  serverUrl_(std::move(serverUrl)),
	  streamKey_(std::move(streamKey)),
	  bindAddress_(std::move(bindAddress)),
	  inbox_(inbox)
{
}

void TargetResolver::resolve(const handoff::action::ResolveTargets &request, std::string currentTcUrl)
{
	if (!resolver_)
		resolver_ = std::make_unique<ingest::IngestResolver>();
	ingest::ResolveRequest r = base_;
	r.currentTcUrl = std::move(currentTcUrl);
	r.drainingAddress = request.avoidAddress;
	r.drainingPort = request.current.port;
	r.reconnectTcUrl = request.tcUrl;
	r.configuredUrl = serverUrl_;
	r.streamKey = streamKey_;
	// A probe socket is not bound: with a bind address the session connects itself.
	r.keepBestConnection = bindAddress_.empty();
	const uint64_t machineRequest = request.requestId;
	DriverInbox *inbox = &inbox_;
	resolver_->resolve(std::move(r), [inbox, machineRequest, order = base_.order](ingest::Resolution resolution) {
		std::vector<handoff::Target> targets;
		for (const auto &c : resolution.candidates)
			targets.push_back(handoff::Target{c.url, c.host, c.port, c.address, toTargetSource(c.source)});
		for (const auto &f : resolution.failures)
			GOAWAY_LOG_INFO("TargetResolver::resolve", "%s gave no target: %s",
					ingest::candidateSourceName(f.source), f.reason.c_str());
		auto connection = resolution.candidates.empty() ? nullptr : resolution.candidates.front().connection;
		inbox->push(inbox::CandidatesReady{machineRequest, std::move(targets),
						   ingest::contributions(resolution, order), std::move(connection)});
	});
}

} // namespace goaway::output
