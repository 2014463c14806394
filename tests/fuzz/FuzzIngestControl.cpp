// libFuzzer target: goaway-ingest's control lines and command line (what a test sends it).
// Input: a control line, then NUL-separated argv words for Options::parse.
#include "tests/ingest/ControlCommand.hpp"
#include "tests/ingest/Options.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	using namespace goaway::ingest;
	const std::string_view text(reinterpret_cast<const char *>(data), size);
	const size_t nl = text.find('\n');
	const std::string line(text.substr(0, nl));
	const ControlCommand cmd = ControlCommand::parse(line);
	if (cmd.error.empty()) {
		for (const auto &[key, value] : cmd.args) {
			(void)cmd.get(key);
			(void)cmd.integer(key, 0);
		}
		(void)parseTcUrlForm(cmd.verb);
		(void)Options::parseDurationMs(cmd.verb);
		(void)Options::parseNode(cmd.verb, 0);
	}
	if (nl == std::string_view::npos)
		return 0;
	std::vector<std::string> words{"goaway-ingest"};
	std::string_view rest = text.substr(nl + 1);
	while (!rest.empty()) {
		const size_t z = rest.find('\0');
		words.emplace_back(rest.substr(0, z));
		rest = z == std::string_view::npos ? std::string_view{} : rest.substr(z + 1);
	}
	std::vector<const char *> argv;
	for (const auto &w : words)
		argv.push_back(w.c_str());
	argv.push_back(nullptr);
	(void)Options::parse(static_cast<int>(words.size()), argv.data());
	return 0;
}
