#pragma once
// Host name -> all A and AAAA addresses, with a deadline and cancellation (glibc getaddrinfo_a:
// a plain getaddrinfo cannot be interrupted and would hold a handoff past its deadline).

#include "CancelToken.hpp"
#include "../common/Result.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace goaway::ingest {

class DnsResolver {
public:
	/** Resolves every host at once. Each result is the numeric addresses in getaddrinfo's
	 *  (RFC 6724) order without duplicates, at most kMaxAddressesPerHost, or an error
	 *  (ErrorCode::Resolver, or Timeout when the deadline passed first). Never blocks past
	 *  `deadline` or a cancel. */
	std::vector<Result<std::vector<std::string>>> resolveAll(const std::vector<std::string> &hosts,
								 std::chrono::steady_clock::time_point deadline,
								 const CancelToken *cancel = nullptr);

	Result<std::vector<std::string>> resolve(const std::string &host,
						 std::chrono::steady_clock::time_point deadline,
						 const CancelToken *cancel = nullptr);

	/** Stable reorder: addresses other than `draining` first (go-away-protocol.md section 3:
	 *  "prefer an address other than the draining server's"), the draining one last. */
	static std::vector<std::string> preferOthers(std::vector<std::string> addresses, std::string_view draining);

	/** Canonical numeric form ("::1", "127.0.0.1") so addresses compare equal; input unchanged
	 *  when it is not a numeric address. */
	static std::string canonicalAddress(std::string_view address);
};

} // namespace goaway::ingest
