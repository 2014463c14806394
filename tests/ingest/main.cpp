// goaway-ingest: see Options::helpText() and README.md.

#include "IngestServer.hpp"
#include "Options.hpp"
#include "plugin/common/Log.hpp"

#include <csignal>
#include <cstdio>

namespace {

void onStopSignal(int)
{
	goaway::ingest::IngestServer::requestStop();
}

} // namespace

int main(int argc, char **argv)
{
	auto options = goaway::ingest::Options::parse(argc, argv);
	if (!options) {
		std::fprintf(stderr, "goaway-ingest: %s\n", options.error().message.c_str());
		return 2;
	}
	if (options->help) {
		std::fputs(goaway::ingest::Options::helpText().c_str(), stdout);
		return 0;
	}
	if (options->verbose)
		goaway::setLogLevel(goaway::LogLevel::Debug);
	struct sigaction action {};
	action.sa_handler = onStopSignal;
	sigemptyset(&action.sa_mask);
	sigaction(SIGINT, &action, nullptr);
	sigaction(SIGTERM, &action, nullptr);
	std::signal(SIGPIPE, SIG_IGN);

	goaway::ingest::IngestServer server(std::move(*options));
	if (auto started = server.start(); !started) {
		std::fprintf(stderr, "goaway-ingest: %s\n", started.error().message.c_str());
		return 1;
	}
	return server.run();
}
