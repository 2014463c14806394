// goaway-publish: publish an FLV file in real time through the project's RtmpSession, handing off
// on Go Away / ReconnectRequest. See PublishOptions::helpText().

#include "FlvFileReader.hpp"
#include "Publisher.hpp"
#include "PublishOptions.hpp"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

using namespace goaway::publish;

namespace {

void onSignal(int)
{
	Publisher::requestStop();
}

} // namespace

int main(int argc, char **argv)
{
	std::signal(SIGPIPE, SIG_IGN); // a closed peer is an error value, not a process kill
	std::signal(SIGINT, onSignal);
	std::signal(SIGTERM, onSignal);
	auto options = PublishOptions::parse(argc, argv);
	if (!options) {
		std::fprintf(stderr, "goaway-publish: %s\n", options.error().message.c_str());
		return 2;
	}
	if (options->help) {
		std::fputs(PublishOptions::helpText().c_str(), stdout);
		return 0;
	}
	auto tags = FlvFileReader::readAll(options->input);
	if (!tags) {
		std::fprintf(stderr, "goaway-publish: %s\n", tags.error().message.c_str());
		return 1;
	}
	Publisher publisher(*options, std::move(*tags));
	auto result = publisher.run();
	std::string json = publisher.summary().dump(2);
	std::cout << json << std::endl;
	if (!options->summaryFile.empty())
		std::ofstream(options->summaryFile) << json << '\n';
	if (!result)
		std::fprintf(stderr, "goaway-publish: %s\n", result.error().message.c_str());
	return result ? 0 : 1;
}
