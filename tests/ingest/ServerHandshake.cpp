#include "ServerHandshake.hpp"

#include <algorithm>
#include <string>

namespace goaway::ingest {

namespace {

constexpr size_t kSignatureSize = 1536; // C1/S1/C2/S2 size (RTMP spec 5.2.3)
constexpr uint8_t kRtmpVersion = 3;     // plain RTMP (RTMP spec 5.2.2)

} // namespace

Result<size_t> ServerHandshake::feed(std::span<const uint8_t> in, std::vector<uint8_t> &reply)
{
	size_t used = 0;
	if (state_ == State::WaitC0C1) {
		const size_t want = 1 + kSignatureSize - buffer_.size();
		const size_t n = std::min(want, in.size());
		buffer_.insert(buffer_.end(), in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
		used += n;
		if (!buffer_.empty() && buffer_[0] != kRtmpVersion)
			return fail(ErrorCode::Protocol, "handshake: C0 asks for RTMP version " +
								 std::to_string(buffer_[0]) +
								 " (only 3, plain RTMP, is served)");
		if (buffer_.size() < 1 + kSignatureSize)
			return used;
		reply.push_back(kRtmpVersion);
		// S1: time (4 bytes, zero), version bytes (4 bytes, zero: plain handshake), then filler.
		const size_t s1 = reply.size();
		reply.resize(s1 + kSignatureSize, 0);
		uint32_t x = 0x2545F491u;
		for (size_t i = 8; i < kSignatureSize; ++i) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			reply[s1 + i] = static_cast<uint8_t>(x);
		}
		// S2: C1 echoed.
		reply.insert(reply.end(), buffer_.begin() + 1, buffer_.end());
		buffer_.clear();
		state_ = State::WaitC2;
	}
	if (state_ == State::WaitC2) {
		const size_t want = kSignatureSize - buffer_.size();
		const size_t n = std::min(want, in.size() - used);
		// C2's content is not checked: FFmpeg and librtmp each fill it differently.
		buffer_.insert(buffer_.end(), in.begin() + static_cast<std::ptrdiff_t>(used),
			       in.begin() + static_cast<std::ptrdiff_t>(used + n));
		used += n;
		if (buffer_.size() == kSignatureSize) {
			buffer_ = {};
			state_ = State::Done;
		}
	}
	return used;
}

} // namespace goaway::ingest
