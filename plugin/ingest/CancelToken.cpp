#include "CancelToken.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>

namespace goaway::ingest {

CancelToken::CancelToken() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

CancelToken::~CancelToken()
{
	if (fd_ >= 0)
		close(fd_);
}

void CancelToken::cancel()
{
	if (cancelled_.exchange(true, std::memory_order_acq_rel))
		return;
	if (fd_ >= 0) {
		uint64_t one = 1;
		// A full counter cannot happen (written once); nothing useful to do on error.
		[[maybe_unused]] ssize_t n = write(fd_, &one, sizeof(one));
	}
}

} // namespace goaway::ingest
