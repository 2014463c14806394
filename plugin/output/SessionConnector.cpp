#include "SessionConnector.hpp"

#include "plugin/common/Boundary.hpp"

#include <algorithm>

namespace goaway::output {

SessionConnector::~SessionConnector()
{
	cancelAll();
	joinAll();
}

void SessionConnector::start(handoff::SessionId session, rtmp::SessionOptions options)
{
	auto done = std::make_shared<std::atomic<bool>>(false);
	auto canceller = std::make_shared<rtmp::ConnectCanceller>();
	options.canceller = canceller;
	std::thread thread([this, session, options = std::move(options), done]() noexcept {
		// A thread entry: nothing may escape. A worker that failed unexpectedly still reports,
		// as a failed pre-connect, so the handoff moves on to its next candidate.
		const bool reported = guarded("SessionConnector::worker", [&] {
			auto connection = std::make_unique<rtmp::RtmpSession>();
			auto result = connection->connect(options);
			inbox_.push(inbox::PreconnectDone{session, std::move(connection), std::move(result)});
		});
		if (!reported)
			guarded("SessionConnector::worker", [&] {
				inbox_.push(inbox::PreconnectDone{
					session, std::make_unique<rtmp::RtmpSession>(),
					fail(ErrorCode::Internal, "the pre-connect stopped on an internal error")});
			});
		done->store(true);
	});
	workers_.push_back(Worker{session, std::move(thread), std::move(done), std::move(canceller)});
}

void SessionConnector::cancel(handoff::SessionId session)
{
	for (auto &w : workers_)
		if (w.session == session && !w.done->load())
			w.canceller->cancel();
}

void SessionConnector::cancelAll()
{
	for (auto &w : workers_)
		w.canceller->cancel();
}

void SessionConnector::reap()
{
	auto finished = [](Worker &w) {
		if (!w.done->load())
			return false;
		w.thread.join();
		return true;
	};
	workers_.erase(std::remove_if(workers_.begin(), workers_.end(), finished), workers_.end());
}

void SessionConnector::joinAll()
{
	for (auto &w : workers_)
		if (w.thread.joinable())
			w.thread.join();
	workers_.clear();
}

} // namespace goaway::output
