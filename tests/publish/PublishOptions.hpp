#pragma once
// goaway-publish command line.

#include "plugin/common/Result.hpp"

#include <string>

namespace goaway::publish {

enum class HandoffMode { BreakBeforeMake, MakeBeforeBreak };

struct PublishOptions {
	std::string input;          // FLV file
	std::string url;            // rtmp[s]://host[:port]/app/key
	int loops = 1;              // play the file this many times, timestamps continuing
	double durationSeconds = 0; // stop after this much media (0 = the whole file × loops)
	HandoffMode mode = HandoffMode::BreakBeforeMake;
	bool waitForPublishStart = true;
	bool allowSelfSigned = false;
	std::string address; // connect to this numeric address first
	std::string bindAddress;
	int connectTimeoutMs = 5000;
	int ioTimeoutMs = 5000;
	bool announceGoAway = true;
	double speed = 1.0; // pacing factor (2 = twice real time); 0 = no pacing
	std::string summaryFile;
	bool help = false;

	static Result<PublishOptions> parse(int argc, const char *const *argv);
	static std::string helpText();
};

} // namespace goaway::publish
