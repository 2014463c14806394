#pragma once
// A cancellation flag that poll() can wait on: resolution work (curl, probes, DNS) must stop at
// once when IngestResolver is destroyed or superseded, without sleeping.

#include <atomic>

namespace goaway::ingest {

/** Set once, observed by any number of waiters; `fd()` becomes readable when cancelled. */
class CancelToken {
public:
	CancelToken();
	~CancelToken();
	CancelToken(const CancelToken &) = delete;
	CancelToken &operator=(const CancelToken &) = delete;

	void cancel();
	bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
	/** An eventfd that polls readable after cancel(); -1 if the kernel refused one (then callers
	 *  fall back to checking cancelled() between bounded waits). */
	int fd() const { return fd_; }

private:
	std::atomic<bool> cancelled_{false};
	int fd_ = -1;
};

} // namespace goaway::ingest
