#include "IngestListClient.hpp"

#include "../common/Boundary.hpp"
#include "../common/Log.hpp"

#include <curl/curl.h>
#include <poll.h>

#include <algorithm>
#include <cctype>
#include <memory>

#ifndef GOAWAY_VERSION_STRING
#define GOAWAY_VERSION_STRING "0.0.0"
#endif

namespace goaway::ingest {

namespace {

// curl_multi_poll waits at most this long per call; the cancel eventfd wakes it earlier.
constexpr int kCurlPollSliceMs = 200;

std::string lower(std::string_view s)
{
	std::string out(s);
	std::transform(out.begin(), out.end(), out.begin(),
		       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
	return out;
}

struct UrlParts {
	std::string scheme;
	std::string host;
};

UrlParts splitUrl(std::string_view url)
{
	UrlParts parts;
	auto sep = url.find("://");
	if (sep == std::string_view::npos)
		return parts;
	parts.scheme = lower(url.substr(0, sep));
	std::string_view rest = url.substr(sep + 3);
	rest = rest.substr(0, rest.find_first_of("/?#"));
	if (auto at = rest.rfind('@'); at != std::string_view::npos)
		rest = rest.substr(at + 1);
	if (!rest.empty() && rest.front() == '[')
		parts.host = lower(rest.substr(1, rest.find(']') - 1));
	else
		parts.host = lower(rest.substr(0, rest.find(':')));
	return parts;
}

bool isLoopbackHost(const std::string &host)
{
	return host == "localhost" || host == "::1" || host.starts_with("127.");
}

struct Transfer {
	std::string body;
	std::size_t maxBytes = 0;
	bool tooLarge = false;
	std::string cacheControl;
};

size_t onBody(char *data, size_t size, size_t count, void *user) noexcept
{
	// A libcurl callback: returning 0 aborts the transfer (CURLE_WRITE_ERROR), also on an exception.
	return guarded("IngestListClient::onBody", size_t(0), [&] {
		auto *t = static_cast<Transfer *>(user);
		const size_t n = size * count;
		if (t->body.size() + n > t->maxBytes) {
			t->tooLarge = true;
			return size_t(0); // stop reading a body we would not accept anyway
		}
		t->body.append(data, n);
		return n;
	});
}

/// Cache-Control kept per response: real ones are a few dozen bytes.
constexpr size_t kMaxCacheControlBytes = 1024;

size_t onHeaderUnguarded(char *data, size_t size, size_t count, void *user)
{
	auto *t = static_cast<Transfer *>(user);
	const size_t n = size * count;
	std::string_view line(data, n);
	if (line.starts_with("HTTP/")) {
		t->cacheControl.clear(); // a new response (after a redirect): only the last one counts
	} else if (line.size() > 14 && lower(line.substr(0, 14)) == "cache-control:") {
		std::string_view value = line.substr(14);
		while (!value.empty() && (value.back() == '\r' || value.back() == '\n'))
			value.remove_suffix(1);
		// Only max-age is read from it; a server repeating the header cannot grow it without bound.
		if (t->cacheControl.size() + value.size() < kMaxCacheControlBytes) {
			if (!t->cacheControl.empty())
				t->cacheControl += ",";
			t->cacheControl += std::string(value);
		}
	}
	return n;
}

size_t onHeader(char *data, size_t size, size_t count, void *user) noexcept
{
	return guarded("IngestListClient::onHeader", size_t(0),
		       [&] { return onHeaderUnguarded(data, size, count, user); });
}

void globalInit()
{
	static std::once_flag once;
	std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyDeleter {
	void operator()(CURL *c) const { curl_easy_cleanup(c); }
};
struct MultiDeleter {
	void operator()(CURLM *m) const { curl_multi_cleanup(m); }
};

} // namespace

IngestListClient::IngestListClient() : IngestListClient(Options{}) {}

IngestListClient::IngestListClient(Options options) : options_(std::move(options))
{
	if (!options_.clock)
		options_.clock = [] {
			return std::chrono::steady_clock::now();
		};
	globalInit();
}

std::string IngestListClient::userAgent()
{
	return std::string("obs-rtmp-goaway/") + GOAWAY_VERSION_STRING;
}

std::chrono::seconds IngestListClient::parseMaxAge(std::string_view cacheControl)
{
	const std::string value = lower(cacheControl);
	// RFC 9111 5.2.2: no-store and no-cache forbid reuse without revalidation; we never revalidate.
	if (value.find("no-store") != std::string::npos || value.find("no-cache") != std::string::npos)
		return std::chrono::seconds(0);
	auto pos = value.find("max-age");
	if (pos == std::string::npos)
		return std::chrono::seconds(0);
	pos = value.find_first_not_of(" \t", pos + 7);
	if (pos == std::string::npos || value[pos] != '=')
		return std::chrono::seconds(0);
	pos = value.find_first_not_of(" \t\"", pos + 1);
	long long seconds = 0;
	bool digits = false;
	for (; pos < value.size() && std::isdigit(static_cast<unsigned char>(value[pos])); ++pos) {
		digits = true;
		seconds = std::min<long long>(seconds * 10 + (value[pos] - '0'),
					      constants::kIngestListMaxCacheAge.count());
	}
	if (!digits)
		return std::chrono::seconds(0);
	return std::chrono::seconds(std::min<long long>(seconds, constants::kIngestListMaxCacheAge.count()));
}

void IngestListClient::clearCache()
{
	std::lock_guard lock(mutex_);
	cache_.clear();
}

Result<IngestListClient::Fetched> IngestListClient::fetchBody(const std::string &url, std::chrono::milliseconds timeout,
							      const CancelToken *cancel)
{
	{
		std::lock_guard lock(mutex_);
		auto it = cache_.find(url);
		if (it != cache_.end()) {
			if (options_.clock() < it->second.expires)
				return Fetched{it->second.body, it->second.maxAge, true};
			cache_.erase(it);
		}
	}
	auto fetched = transfer(url, timeout, cancel);
	if (fetched && fetched->maxAge.count() > 0) {
		std::lock_guard lock(mutex_);
		cache_[url] = CacheEntry{fetched->body, options_.clock() + fetched->maxAge, fetched->maxAge};
	}
	return fetched;
}

Result<ParsedIngestList> IngestListClient::fetch(const std::string &url, const IngestListParseOptions &parse,
						 std::chrono::milliseconds timeout, const CancelToken *cancel)
{
	auto fetched = fetchBody(url, timeout, cancel);
	if (!fetched)
		return std::unexpected(fetched.error());
	auto list = parseIngestList(fetched->body, parse);
	if (!list) {
		// A cached body that does not parse (e.g. options changed) must not stick around.
		std::lock_guard lock(mutex_);
		cache_.erase(url);
	}
	return list;
}

Result<IngestListClient::Fetched> IngestListClient::transfer(const std::string &url, std::chrono::milliseconds timeout,
							     const CancelToken *cancel)
{
	const UrlParts parts = splitUrl(url);
	const bool https = parts.scheme == "https";
	if (!https && parts.scheme != "http")
		return fail(ErrorCode::InvalidArgument,
			    "ingest list URL must be https:// (got '" + parts.scheme.substr(0, 16) + "')");
	if (parts.host.empty())
		return fail(ErrorCode::InvalidArgument, "ingest list URL has no host");
	if (!https && !options_.allowPlainHttp && !isLoopbackHost(parts.host))
		return fail(ErrorCode::InvalidArgument,
			    "ingest list URL must be https:// (plain http is only allowed when enabled)");

	std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
	std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
	if (!easy || !multi)
		return fail(ErrorCode::Internal, "libcurl could not create a transfer");

	const auto total = std::min(timeout, options_.totalTimeout);
	const auto connect = std::min(total, options_.connectTimeout);
	Transfer t;
	t.maxBytes = options_.maxBytes;
	char errorBuffer[CURL_ERROR_SIZE] = {};
	const std::string ua = userAgent();
	// Never leave https once there; plain http redirects only when plain http is allowed at all.
	const char *protocols = https ? "https" : "http,https";

	CURL *e = easy.get();
	curl_easy_setopt(e, CURLOPT_URL, url.c_str());
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, options_.maxRedirects);
	curl_easy_setopt(e, CURLOPT_USERAGENT, ua.c_str());
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::max<long long>(1, connect.count())));
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(std::max<long long>(1, total.count())));
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (!options_.caFile.empty())
		curl_easy_setopt(e, CURLOPT_CAINFO, options_.caFile.c_str());
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options_.maxBytes));
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onBody);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, onHeader);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errorBuffer);
	curl_multi_add_handle(multi.get(), e);

	// The multi interface lets the cancel eventfd interrupt the transfer at once.
	int running = 1;
	bool cancelled = false;
	while (running) {
		if (curl_multi_perform(multi.get(), &running) != CURLM_OK)
			break;
		if (!running)
			break;
		if (cancel && cancel->cancelled()) {
			cancelled = true;
			break;
		}
		curl_waitfd extra{};
		unsigned extraCount = 0;
		if (cancel && cancel->fd() >= 0) {
			extra.fd = cancel->fd();
			extra.events = CURL_WAIT_POLLIN;
			extraCount = 1;
		}
		curl_multi_poll(multi.get(), extraCount ? &extra : nullptr, extraCount, kCurlPollSliceMs, nullptr);
	}
	CURLcode code = CURLE_OK;
	bool done = false;
	int pending = 0;
	while (CURLMsg *msg = curl_multi_info_read(multi.get(), &pending)) {
		if (msg->msg == CURLMSG_DONE) {
			code = msg->data.result;
			done = true;
		}
	}
	curl_multi_remove_handle(multi.get(), e);
	if (cancelled)
		return fail(ErrorCode::Resolver, "ingest list fetch cancelled");
	if (!done)
		return fail(ErrorCode::Internal, "ingest list transfer did not complete");

	if (t.tooLarge || code == CURLE_FILESIZE_EXCEEDED)
		return fail(ErrorCode::Resolver,
			    "ingest list answer is larger than " + std::to_string(options_.maxBytes) + " bytes");
	if (code == CURLE_OPERATION_TIMEDOUT)
		return fail(ErrorCode::Timeout,
			    "ingest list gave no complete answer within " + std::to_string(total.count()) + " ms");
	if (code == CURLE_TOO_MANY_REDIRECTS)
		return fail(ErrorCode::Resolver,
			    "ingest list redirected more than " + std::to_string(options_.maxRedirects) + " times");
	if (code == CURLE_UNSUPPORTED_PROTOCOL)
		return fail(ErrorCode::Resolver,
			    https ? "ingest list redirected away from https (refused)"
				  : "ingest list redirected to a scheme other than http/https (refused)");
	if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE)
		return fail(ErrorCode::TlsVerification,
			    std::string("ingest list TLS verification failed: ") + errorBuffer);
	if (code != CURLE_OK)
		return fail(ErrorCode::Resolver, std::string("ingest list fetch failed: ") +
							 (errorBuffer[0] ? errorBuffer : curl_easy_strerror(code)));

	long status = 0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (status != 200)
		return fail(ErrorCode::Resolver, "ingest list answered HTTP " + std::to_string(status));
	char *effective = nullptr;
	curl_easy_getinfo(e, CURLINFO_EFFECTIVE_URL, &effective);
	if (effective) {
		const UrlParts last = splitUrl(effective);
		if (last.scheme == "http" && !options_.allowPlainHttp && !isLoopbackHost(last.host))
			return fail(ErrorCode::Resolver, "ingest list redirected to plain http on a non-loopback host");
	}
	Fetched out;
	out.body = std::move(t.body);
	out.maxAge = parseMaxAge(t.cacheControl);
	GOAWAY_LOG_DEBUG("fetched ingest list: %zu bytes, cache %llds", out.body.size(),
			 static_cast<long long>(out.maxAge.count()));
	return out;
}

} // namespace goaway::ingest
