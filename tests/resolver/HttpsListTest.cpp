// The ingest list over real TLS on loopback: a throwaway self-signed certificate (made with the
// openssl tool for 127.0.0.1 only) shows that peer and host name verification are on, that a
// trusted CA makes it work, and that https never follows a redirect to plain http.
#include "TestSupport.hpp"

#include "plugin/ingest/IngestListClient.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

using namespace goaway;
using namespace goaway::ingest;
using namespace std::chrono_literals;
using goaway::test::ListServer;

namespace {

bool run(const std::vector<std::string> &args)
{
	std::vector<const char *> argv;
	for (const auto &a : args)
		argv.push_back(a.c_str());
	argv.push_back(nullptr);
	pid_t pid = -1;
	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, const_cast<char **>(argv.data()), environ);
	posix_spawn_file_actions_destroy(&actions);
	if (rc != 0)
		return false;
	int status = 0;
	waitpid(pid, &status, 0);
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

} // namespace

class HttpsList : public ::testing::Test {
protected:
	static void SetUpTestSuite()
	{
		char pattern[] = "/tmp/goaway-https-test.XXXXXX";
		ASSERT_NE(mkdtemp(pattern), nullptr);
		dir_ = pattern;
		cert_ = dir_ + "/cert.pem";
		key_ = dir_ + "/key.pem";
		ASSERT_TRUE(run({GOAWAY_TEST_OPENSSL, "req", "-x509", "-newkey", "ec", "-pkeyopt",
				 "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key_, "-out", cert_, "-days", "2",
				 "-subj", "/CN=goaway-test", "-addext", "subjectAltName=IP:127.0.0.1"}))
			<< "the openssl tool could not make a test certificate";
	}
	static void TearDownTestSuite() { std::filesystem::remove_all(dir_); }

	void SetUp() override
	{
		tls_ = std::make_unique<ListServer>(std::vector<std::string>{"--tls-cert", cert_, "--tls-key", key_});
	}

	static inline std::string dir_, cert_, key_;
	std::unique_ptr<ListServer> tls_;
	const std::string list_ = "/generic?targets=127.0.0.2:1935";
};

TEST_F(HttpsList, UntrustedCertificateIsRefused)
{
	IngestListClient client; // the system CA store does not know the throwaway certificate
	auto body = client.fetchBody(tls_->url(list_, "https"), 3s);
	ASSERT_FALSE(body);
	EXPECT_EQ(body.error().code, ErrorCode::TlsVerification) << body.error().message;
	EXPECT_NE(body.error().message.find("self-signed"), std::string::npos) << body.error().message;
}

TEST_F(HttpsList, TrustedCertificateVerifies)
{
	IngestListClient::Options options;
	options.caFile = cert_;
	IngestListClient client(options);
	auto list = client.fetch(tls_->url(list_, "https"), IngestListParseOptions{}, 3s);
	ASSERT_TRUE(list) << list.error().message;
	EXPECT_EQ(list->entries.at(0).url.tcUrl(), "rtmp://127.0.0.2:1935/app");
}

TEST_F(HttpsList, HostNameIsVerified)
{
	IngestListClient::Options options;
	options.caFile = cert_; // trusted, but issued for 127.0.0.1 only
	IngestListClient client(options);
	auto body = client.fetchBody(tls_->url(list_, "https", "localhost"), 3s);
	ASSERT_FALSE(body);
	EXPECT_EQ(body.error().code, ErrorCode::TlsVerification) << body.error().message;
	EXPECT_NE(body.error().message.find("'localhost'"), std::string::npos) << body.error().message;
}

TEST_F(HttpsList, NeverFollowsARedirectToPlainHttp)
{
	ListServer plain;
	IngestListClient::Options options;
	options.caFile = cert_;
	IngestListClient client(options);
	auto body = client.fetchBody(tls_->url("/redirect?to=" + plain.url("/generic"), "https"), 3s);
	ASSERT_FALSE(body);
	EXPECT_NE(body.error().message.find("redirected away from https"), std::string::npos) << body.error().message;
	EXPECT_TRUE(plain.waitForLine("HIT", 300ms).empty()); // the plain server was never asked
}
