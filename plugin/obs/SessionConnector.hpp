#pragma once
// Runs pre-connects (TCP, TLS, handshake, connect, createStream) on worker threads so the send
// thread keeps streaming on the old session meanwhile. Each finished session is posted to the
// inbox and from then on belongs to the send thread (a session is used by one thread at a time).

#include "DriverInbox.hpp"
#include "plugin/rtmp/RtmpSession.hpp"

#include <mutex>
#include <thread>
#include <vector>

namespace goaway::obs {

class SessionConnector {
public:
	explicit SessionConnector(DriverInbox &inbox) : inbox_(inbox) {}
	/** Joins every worker (each is bounded by the session's connect and I/O timeouts). */
	~SessionConnector();

	void start(handoff::SessionId session, rtmp::SessionOptions options);
	/** Joins the workers that have finished (cheap; call from the send loop). */
	void reap();
	void joinAll();

private:
	struct Worker {
		std::thread thread;
		std::shared_ptr<std::atomic<bool>> done;
	};
	DriverInbox &inbox_;
	std::vector<Worker> workers_;
};

} // namespace goaway::obs
