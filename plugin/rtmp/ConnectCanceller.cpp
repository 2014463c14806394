#include "ConnectCanceller.hpp"

#include <sys/socket.h>

namespace goaway::rtmp {

void ConnectCanceller::cancel()
{
	std::lock_guard lock(mutex_);
	cancelled_ = true;
	// Under the lock: the connecting thread cannot close (and the kernel reuse) fd_ meanwhile.
	if (fd_ >= 0)
		::shutdown(fd_, SHUT_RDWR);
}

bool ConnectCanceller::cancelled() const
{
	std::lock_guard lock(mutex_);
	return cancelled_;
}

bool ConnectCanceller::attach(int fd)
{
	std::lock_guard lock(mutex_);
	if (cancelled_)
		return false;
	fd_ = fd;
	return true;
}

void ConnectCanceller::detach(int fd)
{
	std::lock_guard lock(mutex_);
	if (fd_ == fd)
		fd_ = -1;
}

} // namespace goaway::rtmp
