#pragma once
// Lets another thread abort a blocking RtmpSession::connect(). Every step of a connect (TCP connect,
// TLS and RTMP handshakes, waiting for command answers) waits on the one socket, and shutdown(2)
// on that socket wakes all of them at once with an error: no step has to poll a flag. Used when the
// output stops, or OBS exits, while a pre-connect to a node that never answers is under way.

#include <mutex>

namespace goaway::rtmp {

class ConnectCanceller {
public:
	/** Any thread, idempotent: shuts the attached socket down; later attach() calls refuse. */
	void cancel();
	bool cancelled() const;

	/** The connecting thread: `fd` is the socket to shut down on cancel(). False (and nothing is
	 *  attached) when cancel() came first. */
	bool attach(int fd);
	/** The connecting thread, before `fd` is closed or handed on: a cancel no longer touches it
	 *  (the number could be reused by an unrelated socket). */
	void detach(int fd);

	/** Detaches a socket when the scope ends, whatever the way out, unless keep() hands it on
	 *  still attached. Declare it after the socket's owner: it then runs before the socket closes. */
	class Detach {
	public:
		Detach(ConnectCanceller *canceller, int fd) : canceller_(canceller), fd_(fd) {}
		~Detach()
		{
			if (canceller_)
				canceller_->detach(fd_);
		}
		Detach(const Detach &) = delete;
		Detach &operator=(const Detach &) = delete;
		void keep() { canceller_ = nullptr; }

	private:
		ConnectCanceller *canceller_;
		int fd_;
	};

private:
	mutable std::mutex mutex_;
	int fd_ = -1;
	bool cancelled_ = false;
};

} // namespace goaway::rtmp
