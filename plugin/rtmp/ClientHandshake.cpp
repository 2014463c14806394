#include "ClientHandshake.hpp"

#include <algorithm>
#include <string>

namespace goaway::rtmp {

ClientHandshake::ClientHandshake(std::span<const uint8_t, kRandomSize> random, uint32_t timeMs)
{
	hello_.reserve(1 + kSignatureSize);
	hello_.push_back(kVersion);
	for (int shift = 24; shift >= 0; shift -= 8)
		hello_.push_back(static_cast<uint8_t>(timeMs >> shift));
	hello_.insert(hello_.end(), 4, 0); // "zero" field: a plain (non-digest) handshake
	hello_.insert(hello_.end(), random.begin(), random.end());
	received_.reserve(kServerBytes);
}

Result<bool> ClientHandshake::feed(std::span<const uint8_t> bytes)
{
	const bool hadVersion = !received_.empty();
	received_.insert(received_.end(), bytes.begin(), bytes.end());
	if (!hadVersion && !received_.empty() && received_[0] != kVersion)
		return fail(ErrorCode::Protocol, "the server answered the RTMP handshake with version " +
							 std::to_string(received_[0]) +
							 " (expected 3): it is not a plain RTMP server");
	return done();
}

std::span<const uint8_t> ClientHandshake::c2() const
{
	if (!done())
		return {};
	return std::span<const uint8_t>(received_).subspan(1, kSignatureSize);
}

std::span<const uint8_t> ClientHandshake::leftover() const
{
	if (!done())
		return {};
	return std::span<const uint8_t>(received_).subspan(kServerBytes);
}

} // namespace goaway::rtmp
