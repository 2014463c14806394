#include "SessionConnector.hpp"

#include <algorithm>

namespace goaway::obs {

SessionConnector::~SessionConnector()
{
	joinAll();
}

void SessionConnector::start(handoff::SessionId session, rtmp::SessionOptions options)
{
	auto done = std::make_shared<std::atomic<bool>>(false);
	std::thread thread([this, session, options = std::move(options), done] {
		auto connection = std::make_unique<rtmp::RtmpSession>();
		auto result = connection->connect(options);
		inbox_.push(inbox::PreconnectDone{session, std::move(connection), std::move(result)});
		done->store(true);
	});
	workers_.push_back(Worker{std::move(thread), std::move(done)});
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

} // namespace goaway::obs
