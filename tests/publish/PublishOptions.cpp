#include "PublishOptions.hpp"

#include <charconv>
#include <cstdlib>

namespace goaway::publish {

namespace {

Result<double> number(const std::string &flag, const std::string &text)
{
	char *end = nullptr;
	double v = std::strtod(text.c_str(), &end);
	if (text.empty() || *end != '\0' || v < 0)
		return fail(ErrorCode::InvalidArgument, flag + " needs a non-negative number, got '" + text + "'");
	return v;
}

} // namespace

std::string PublishOptions::helpText()
{
	return R"(usage: goaway-publish [options] INPUT.flv rtmp[s]://host[:port]/app/stream

Publishes an FLV file in real time (paced by its timestamps, like ffmpeg -re -c copy) through the
project's Go Away-aware RTMP session. On RTMP Go Away or an E-RTMP ReconnectRequest it hands off at
the next video keyframe (audio-only: the next audio frame): Go Away closes the old connection
silently (no FCUnpublish/deleteStream), ReconnectRequest gracefully; the new connection re-sends
onMetaData and the sequence headers, then the keyframe; timestamps continue.
Prints a JSON summary on stdout (the stream key never appears in it).

options:
  --loop N                 play the file N times (default 1)
  --duration S             stop after S seconds of media
  --mode M                 break-before-make (default): close, then connect at the keyframe;
                           make-before-break: connect + createStream as soon as the signal
                           arrives, publish on it at the keyframe
  --no-wait-start          send media right after publish, without waiting for Publish.Start
  --no-goaway              do not announce supportsGoAway in connect
  --address IP             connect to this address (default: every address of the host in turn)
  --bind IP                local address to bind
  --connect-timeout-ms MS  per TCP connect attempt (default 5000)
  --io-timeout-ms MS       TLS / RTMP handshake, command answers, sends (default 5000)
  --speed X                pacing factor, 0 = as fast as possible (default 1)
  --allow-self-signed      RTMPS: accept a self-signed certificate (TESTS ONLY)
  --summary PATH           also write the JSON summary to PATH
  --help                   this text
exit status: 0 streamed to the end, 1 failed (the summary says why), 2 bad usage
)";
}

Result<PublishOptions> PublishOptions::parse(int argc, const char *const *argv)
{
	PublishOptions o;
	std::string positional[2];
	int positionals = 0;
	for (int i = 1; i < argc; ++i) {
		std::string arg = argv[i];
		auto value = [&](const char *flag) -> Result<std::string> {
			if (i + 1 >= argc)
				return fail(ErrorCode::InvalidArgument, std::string(flag) + " needs a value");
			return std::string(argv[++i]);
		};
		auto numberOf = [&](const char *flag) -> Result<double> {
			auto v = value(flag);
			if (!v)
				return std::unexpected(v.error());
			return number(flag, *v);
		};
		if (arg == "--help" || arg == "-h") {
			o.help = true;
		} else if (arg == "--loop") {
			auto v = numberOf("--loop");
			if (!v || *v < 1)
				return fail(ErrorCode::InvalidArgument, "--loop needs a number >= 1");
			o.loops = static_cast<int>(*v);
		} else if (arg == "--duration") {
			auto v = numberOf("--duration");
			if (!v)
				return std::unexpected(v.error());
			o.durationSeconds = *v;
		} else if (arg == "--mode") {
			auto v = value("--mode");
			if (!v)
				return std::unexpected(v.error());
			if (*v == "break-before-make")
				o.mode = HandoffMode::BreakBeforeMake;
			else if (*v == "make-before-break")
				o.mode = HandoffMode::MakeBeforeBreak;
			else
				return fail(ErrorCode::InvalidArgument,
					    "--mode is break-before-make or make-before-break, got '" + *v + "'");
		} else if (arg == "--no-wait-start") {
			o.waitForPublishStart = false;
		} else if (arg == "--no-goaway") {
			o.announceGoAway = false;
		} else if (arg == "--allow-self-signed") {
			o.allowSelfSigned = true;
		} else if (arg == "--address" || arg == "--bind" || arg == "--summary") {
			auto v = value(arg.c_str());
			if (!v)
				return std::unexpected(v.error());
			(arg == "--address" ? o.address : arg == "--bind" ? o.bindAddress : o.summaryFile) = *v;
		} else if (arg == "--connect-timeout-ms" || arg == "--io-timeout-ms") {
			auto v = numberOf(arg.c_str());
			if (!v || *v < 1)
				return fail(ErrorCode::InvalidArgument, arg + " needs a number of milliseconds >= 1");
			(arg == "--connect-timeout-ms" ? o.connectTimeoutMs : o.ioTimeoutMs) = static_cast<int>(*v);
		} else if (arg == "--speed") {
			auto v = numberOf("--speed");
			if (!v)
				return std::unexpected(v.error());
			o.speed = *v;
		} else if (!arg.empty() && arg[0] == '-') {
			return fail(ErrorCode::InvalidArgument, "unknown option " + arg + " (see --help)");
		} else {
			if (positionals >= 2)
				return fail(ErrorCode::InvalidArgument, "too many arguments (see --help)");
			positional[positionals++] = arg;
		}
	}
	if (o.help)
		return o;
	if (positionals != 2)
		return fail(ErrorCode::InvalidArgument, "expected INPUT.flv and an rtmp[s]:// URL (see --help)");
	o.input = positional[0];
	o.url = positional[1];
	return o;
}

} // namespace goaway::publish
