#pragma once
// Runs pre-connects (TCP, TLS, handshake, connect, createStream) on worker threads so the send
// thread keeps streaming on the old session meanwhile. Each finished session is posted to the
// inbox and from then on belongs to the send thread (a session is used by one thread at a time).

#include "DriverInbox.hpp"
#include "plugin/rtmp/RtmpSession.hpp"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace goaway::output {

class SessionConnector {
public:
	explicit SessionConnector(DriverInbox &inbox) : inbox_(inbox) {}
	/** Cancels and joins every worker. */
	~SessionConnector();

	void start(handoff::SessionId session, rtmp::SessionOptions options);
	/** Aborts that session's pre-connect, if it is still running (its result arrives as an error). */
	void cancel(handoff::SessionId session);
	/** Aborts every running pre-connect: a node that never answers must not hold up a stop. */
	void cancelAll();
	/** Joins the workers that have finished (cheap; call from the send loop). */
	void reap();
	/** Joins every worker (each is bounded by its connect and I/O timeouts, or by a cancel). */
	void joinAll();

private:
	struct Worker {
		handoff::SessionId session;
		std::thread thread;
		std::shared_ptr<std::atomic<bool>> done;
		std::shared_ptr<rtmp::ConnectCanceller> canceller;
	};
	DriverInbox &inbox_;
	std::vector<Worker> workers_;
};

} // namespace goaway::output
