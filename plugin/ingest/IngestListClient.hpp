#pragma once
// Fetches an HTTP ingest list with libcurl, safely: TLS verification, connect and total
// timeouts, a body size cap, bounded redirects, a user agent naming the plugin, cancellation,
// and a cache that honours Cache-Control max-age.

#include "CancelToken.hpp"
#include "IngestListParser.hpp"
#include "../common/Constants.hpp"
#include "../common/Result.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace goaway::ingest {

class IngestListClient {
public:
	using Clock = std::function<std::chrono::steady_clock::time_point()>;

	struct Options {
		std::chrono::milliseconds connectTimeout = constants::kIngestListConnectTimeout;
		std::chrono::milliseconds totalTimeout = constants::kIngestListTotalTimeout;
		std::size_t maxBytes = constants::kIngestListMaxBytes;
		long maxRedirects = constants::kIngestListMaxRedirects;
		/** Plain http is accepted for loopback hosts always, elsewhere only when set: an
		 *  unauthenticated list could send the stream (and a templated key) anywhere. */
		bool allowPlainHttp = false;
		/** CA bundle path for tests; empty = the system store. */
		std::string caFile;
		/** Injected for tests of the cache; steady_clock::now by default. */
		Clock clock;
	};

	/** The body and how long it may be reused. */
	struct Fetched {
		std::string body;
		std::chrono::seconds maxAge{0};
		bool fromCache = false;
	};

	IngestListClient();
	explicit IngestListClient(Options options);

	/** GET `url` within min(timeout, totalTimeout). Any failure (HTTP status >= 400, timeout,
	 *  TLS, too large, too many redirects, cancelled) is an ErrorCode::Resolver or Timeout with
	 *  a sentence. Served from the cache while its max-age lasts. Thread-safe. */
	Result<Fetched> fetchBody(const std::string &url, std::chrono::milliseconds timeout,
				  const CancelToken *cancel = nullptr);

	/** fetchBody + parseIngestList. */
	Result<ParsedIngestList> fetch(const std::string &url, const IngestListParseOptions &parse,
				       std::chrono::milliseconds timeout, const CancelToken *cancel = nullptr);

	void clearCache();

	/** "obs-rtmp-goaway/<version>". */
	static std::string userAgent();
	/** Cache-Control value -> seconds to cache (0 for no-store/no-cache/absent), capped. */
	static std::chrono::seconds parseMaxAge(std::string_view cacheControl);

private:
	struct CacheEntry {
		std::string body;
		std::chrono::steady_clock::time_point expires;
		std::chrono::seconds maxAge;
	};

	Result<Fetched> transfer(const std::string &url, std::chrono::milliseconds timeout, const CancelToken *cancel);

	Options options_;
	std::mutex mutex_;
	std::map<std::string, CacheEntry> cache_;
};

} // namespace goaway::ingest
