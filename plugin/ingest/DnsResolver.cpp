#include "DnsResolver.hpp"

#include "../common/Constants.hpp"
#include "../common/Log.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

namespace goaway::ingest {

namespace {

// One getaddrinfo_a request. glibc keeps writing into it until the lookup ends, so a request
// given up at the deadline cannot be freed while glibc still runs it: it is parked in
// `abandoned()` and reaped by a later call.
struct Lookup {
	std::string host;
	std::size_t index = 0; // into the caller's host list
	addrinfo hints{};
	gaicb cb{};
};

std::mutex &abandonedMutex()
{
	static std::mutex m;
	return m;
}

std::vector<std::unique_ptr<Lookup>> &abandoned()
{
	static std::vector<std::unique_ptr<Lookup>> list;
	return list;
}

void release(std::unique_ptr<Lookup> lookup)
{
	if (lookup->cb.ar_result)
		freeaddrinfo(lookup->cb.ar_result);
	lookup->cb.ar_result = nullptr;
}

void reapAbandoned()
{
	std::lock_guard lock(abandonedMutex());
	auto &list = abandoned();
	for (auto it = list.begin(); it != list.end();) {
		if (gai_error(&(*it)->cb) != EAI_INPROGRESS) {
			release(std::move(*it));
			it = list.erase(it);
		} else {
			++it;
		}
	}
}

bool isNumeric(const std::string &host)
{
	in6_addr v6{};
	in_addr v4{};
	return inet_pton(AF_INET, host.c_str(), &v4) == 1 || inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

std::string numeric(const sockaddr *sa, socklen_t len)
{
	char text[INET6_ADDRSTRLEN] = {};
	if (getnameinfo(sa, len, text, sizeof(text), nullptr, 0, NI_NUMERICHOST) != 0)
		return {};
	return text;
}

} // namespace

std::string DnsResolver::canonicalAddress(std::string_view address)
{
	std::string text(address);
	in6_addr v6{};
	in_addr v4{};
	char out[INET6_ADDRSTRLEN] = {};
	if (inet_pton(AF_INET, text.c_str(), &v4) == 1 && inet_ntop(AF_INET, &v4, out, sizeof(out)))
		return out;
	if (inet_pton(AF_INET6, text.c_str(), &v6) == 1 && inet_ntop(AF_INET6, &v6, out, sizeof(out)))
		return out;
	return text;
}

std::vector<std::string> DnsResolver::preferOthers(std::vector<std::string> addresses, std::string_view draining)
{
	if (draining.empty())
		return addresses;
	const std::string target = canonicalAddress(draining);
	std::stable_partition(addresses.begin(), addresses.end(),
			      [&](const std::string &a) { return canonicalAddress(a) != target; });
	return addresses;
}

std::vector<Result<std::vector<std::string>>> DnsResolver::resolveAll(const std::vector<std::string> &hosts,
								      std::chrono::steady_clock::time_point deadline,
								      const CancelToken *cancel)
{
	reapAbandoned();
	std::vector<Result<std::vector<std::string>>> results(hosts.size(), fail(ErrorCode::Internal, "not resolved"));
	std::vector<std::unique_ptr<Lookup>> lookups;
	std::vector<gaicb *> list;
	for (std::size_t i = 0; i < hosts.size(); ++i) {
		const std::string &host = hosts[i];
		// A numeric host needs no lookup, and must not fail just because the deadline passed.
		if (isNumeric(host)) {
			results[i] = std::vector<std::string>{canonicalAddress(host)};
			continue;
		}
		auto lookup = std::make_unique<Lookup>();
		lookup->host = host;
		lookup->hints.ai_family = AF_UNSPEC; // all A and AAAA records
		lookup->hints.ai_socktype = SOCK_STREAM;
		lookup->hints.ai_flags = 0; // no AI_ADDRCONFIG: a loopback-only namespace must still get ::1
		lookup->cb.ar_name = lookup->host.c_str();
		lookup->cb.ar_request = &lookup->hints;
		lookup->index = i;
		list.push_back(&lookup->cb);
		lookups.push_back(std::move(lookup));
	}
	if (list.empty())
		return results;
	if (int rc = getaddrinfo_a(GAI_NOWAIT, list.data(), static_cast<int>(list.size()), nullptr); rc != 0) {
		for (const auto &lookup : lookups)
			results[lookup->index] = fail(ErrorCode::Resolver,
						      std::string("DNS lookup could not start: ") + gai_strerror(rc));
		return results;
	}

	// gai_suspend offers no descriptor to poll with the cancel token: wait in short slices.
	auto pendingCount = [&] {
		return std::count_if(list.begin(), list.end(),
				     [](gaicb *cb) { return gai_error(cb) == EAI_INPROGRESS; });
	};
	while (pendingCount() > 0) {
		const auto now = std::chrono::steady_clock::now();
		if (now >= deadline || (cancel && cancel->cancelled()))
			break;
		const auto slice = std::min<std::chrono::nanoseconds>(deadline - now, constants::kDnsPollSlice);
		timespec ts{static_cast<time_t>(slice.count() / 1000000000),
			    static_cast<long>(slice.count() % 1000000000)};
		std::vector<const gaicb *> waiting(list.begin(), list.end());
		gai_suspend(waiting.data(), static_cast<int>(waiting.size()), &ts);
	}

	for (auto &lookup : lookups) {
		const std::size_t i = lookup->index;
		int rc = gai_error(&lookup->cb);
		if (rc == EAI_INPROGRESS) {
			const int cancelled = gai_cancel(&lookup->cb);
			rc = cancelled == EAI_ALLDONE    ? gai_error(&lookup->cb)
			     : cancelled == EAI_CANCELED ? EAI_CANCELED
							 : rc;
		}
		if (rc == EAI_INPROGRESS || rc == EAI_CANCELED) {
			results[i] = fail(cancel && cancel->cancelled() ? ErrorCode::Resolver : ErrorCode::Timeout,
					  "DNS lookup of " + lookup->host + " did not finish in time");
			if (rc == EAI_INPROGRESS) {
				std::lock_guard lock(abandonedMutex());
				abandoned().push_back(std::move(lookup));
			}
			continue;
		}
		if (rc != 0) {
			results[i] = fail(ErrorCode::Resolver,
					  "DNS lookup of " + lookup->host + " failed: " + gai_strerror(rc));
			release(std::move(lookup));
			continue;
		}
		std::vector<std::string> addresses;
		for (addrinfo *ai = lookup->cb.ar_result; ai; ai = ai->ai_next) {
			std::string text = numeric(ai->ai_addr, ai->ai_addrlen);
			if (!text.empty() && std::find(addresses.begin(), addresses.end(), text) == addresses.end() &&
			    addresses.size() < constants::kMaxAddressesPerHost)
				addresses.push_back(std::move(text));
		}
		release(std::move(lookup));
		if (addresses.empty())
			results[i] = fail(ErrorCode::Resolver, "DNS lookup of " + hosts[i] + " returned no address");
		else
			results[i] = std::move(addresses);
	}
	return results;
}

Result<std::vector<std::string>>
DnsResolver::resolve(const std::string &host, std::chrono::steady_clock::time_point deadline, const CancelToken *cancel)
{
	return resolveAll({host}, deadline, cancel).front();
}

} // namespace goaway::ingest
