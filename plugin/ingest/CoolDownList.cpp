#include "CoolDownList.hpp"

#include "DnsResolver.hpp"

#include <algorithm>

namespace goaway::ingest {

void CoolDownList::prune(TimePoint now)
{
	std::erase_if(until_, [&](const auto &entry) { return entry.second <= now; });
}

void CoolDownList::add(std::string_view address, uint16_t port, TimePoint now, std::chrono::milliseconds coolDown)
{
	if (address.empty() || coolDown.count() <= 0)
		return;
	std::lock_guard lock(mutex_);
	auto &end = until_[Key{DnsResolver::canonicalAddress(address), port}];
	end = std::max(end, now + coolDown);
}

bool CoolDownList::contains(std::string_view address, uint16_t port, TimePoint now)
{
	return remaining(address, port, now).count() > 0;
}

std::chrono::milliseconds CoolDownList::remaining(std::string_view address, uint16_t port, TimePoint now)
{
	std::lock_guard lock(mutex_);
	prune(now);
	auto it = until_.find(Key{DnsResolver::canonicalAddress(address), port});
	if (it == until_.end())
		return std::chrono::milliseconds(0);
	return std::chrono::ceil<std::chrono::milliseconds>(it->second - now);
}

std::size_t CoolDownList::size(TimePoint now)
{
	std::lock_guard lock(mutex_);
	prune(now);
	return until_.size();
}

} // namespace goaway::ingest
