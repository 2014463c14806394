#include "HotStandby.hpp"

#include <algorithm>

namespace goaway::output {

bool HotStandby::shouldConnect(handoff::TimePoint now, bool streamingWithoutHandoff) const
{
	return phase_ == Phase::Waiting && streamingWithoutHandoff && (!notBefore_ || now >= *notBefore_);
}

handoff::SessionId HotStandby::beginConnect(std::string url)
{
	phase_ = Phase::Connecting;
	id_ = nextId_++;
	url_ = std::move(url);
	address_.clear();
	return id_;
}

bool HotStandby::connected(handoff::SessionId id, std::string address)
{
	if (phase_ != Phase::Connecting || id != id_)
		return false;
	phase_ = Phase::Ready;
	address_ = std::move(address);
	backoff_ = std::chrono::milliseconds(0);
	return true;
}

void HotStandby::failed(handoff::SessionId id, handoff::TimePoint now)
{
	if ((phase_ != Phase::Connecting && phase_ != Phase::Ready) || id != id_)
		return;
	phase_ = Phase::Waiting;
	id_ = 0;
	backoff_ = backoff_.count() == 0 ? kRetryFirst : std::min(backoff_ * 2, kRetryMax);
	notBefore_ = now + backoff_;
}

std::optional<handoff::SessionId> HotStandby::take(const handoff::Target &target, handoff::TimePoint now)
{
	if (phase_ != Phase::Ready || target.url != url_ || (!target.address.empty() && target.address != address_))
		return std::nullopt;
	const handoff::SessionId id = id_;
	phase_ = Phase::Waiting;
	id_ = 0;
	notBefore_ = now + kAfterUse;
	return id;
}

std::optional<handoff::SessionId> HotStandby::current() const
{
	if (phase_ == Phase::Connecting || phase_ == Phase::Ready)
		return id_;
	return std::nullopt;
}

} // namespace goaway::output
