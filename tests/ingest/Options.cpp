#include "Options.hpp"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace goaway::ingest {

namespace {

/// read-rate= bound: 10 Gbit/s, more than loopback carries here; a larger figure is a typo.
constexpr long long kMaxReadRateKbps = 10'000'000;

std::optional<long long> toInt(const std::string &s)
{
	long long v = 0;
	auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
	if (ec != std::errc() || end != s.data() + s.size())
		return std::nullopt;
	return v;
}

std::unexpected<Error> bad(const std::string &what)
{
	return fail(ErrorCode::InvalidArgument, what);
}

/** Splits HOST:PORT where HOST may be [v6]; the port must be 0-65535. */
Result<std::pair<std::string, uint16_t>> hostPort(const std::string &text)
{
	std::string host;
	std::string port;
	if (!text.empty() && text[0] == '[') {
		const auto close = text.find(']');
		if (close == std::string::npos || close + 1 >= text.size() || text[close + 1] != ':')
			return bad("'" + text + "' is not HOST:PORT ([::1]:PORT for IPv6)");
		host = text.substr(1, close - 1);
		port = text.substr(close + 2);
	} else {
		const auto colon = text.rfind(':');
		if (colon == std::string::npos)
			return bad("'" + text + "' is not HOST:PORT");
		host = text.substr(0, colon);
		port = text.substr(colon + 1);
	}
	auto p = toInt(port);
	if (host.empty() || !p || *p < 0 || *p > 65535)
		return bad("'" + text + "' is not HOST:PORT with a port 0-65535");
	return std::pair{host, static_cast<uint16_t>(*p)};
}

std::string hostileNames()
{
	std::string names;
	for (const auto &p : hostileProfiles())
		names += (names.empty() ? "" : ", ") + std::string(p.name);
	return names;
}

} // namespace

Result<void> Options::parseHostile(const std::string &text, std::vector<HostileProfile> &into)
{
	size_t start = 0;
	while (start <= text.size()) {
		const auto comma = text.find(',', start);
		const std::string name =
			text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
		auto profile = parseHostileProfile(name);
		if (!profile)
			return bad("unknown hostile profile '" + name + "' (known: " + hostileNames() + ")");
		if (std::find(into.begin(), into.end(), *profile) == into.end())
			into.push_back(*profile);
		if (comma == std::string::npos)
			break;
		start = comma + 1;
	}
	return {};
}

const char *signalKindName(SignalKind kind)
{
	return kind == SignalKind::GoAway ? "goaway" : "reconnect";
}

const char *tcUrlFormName(TcUrlForm form)
{
	switch (form) {
	case TcUrlForm::None:
		return "none";
	case TcUrlForm::Absolute:
		return "absolute";
	case TcUrlForm::SchemeRelative:
		return "scheme-relative";
	case TcUrlForm::PathRelative:
		return "path-relative";
	}
	return "none";
}

std::optional<TcUrlForm> parseTcUrlForm(const std::string &text)
{
	for (TcUrlForm f : {TcUrlForm::None, TcUrlForm::Absolute, TcUrlForm::SchemeRelative, TcUrlForm::PathRelative})
		if (text == tcUrlFormName(f))
			return f;
	return std::nullopt;
}

Result<int64_t> Options::parseDurationMs(const std::string &text)
{
	std::string number = text;
	double scale = 1000;
	auto ends = [&](const char *suffix) {
		const size_t n = std::strlen(suffix);
		if (number.size() > n && number.compare(number.size() - n, n, suffix) == 0) {
			number.resize(number.size() - n);
			return true;
		}
		return false;
	};
	if (ends("ms"))
		scale = 1;
	else if (ends("s"))
		scale = 1000;
	else if (ends("m"))
		scale = 60000;
	double v = 0;
	auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), v);
	// A year bounds every useful duration; it also keeps NaN, inf and 1e300 out of the int64
	// conversion below (undefined behaviour, found by tests/fuzz).
	constexpr double kMaxDurationMs = 365.0 * 24 * 3600 * 1000;
	if (number.empty() || ec != std::errc() || end != number.data() + number.size() || v < 0 ||
	    !(v * scale <= kMaxDurationMs))
		return bad("'" + text + "' is not a duration (examples: 10s, 500ms, 2m, 1.5)");
	return static_cast<int64_t>(v * scale);
}

Result<NodeOptions> Options::parseNode(const std::string &text, size_t index)
{
	NodeOptions node;
	node.name = "n" + std::to_string(index);
	size_t start = 0;
	std::vector<std::string> parts;
	while (true) {
		const auto comma = text.find(',', start);
		parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
		if (comma == std::string::npos)
			break;
		start = comma + 1;
	}
	auto hp = hostPort(parts[0]);
	if (!hp)
		return std::unexpected(hp.error());
	node.host = hp->first;
	node.port = hp->second;
	for (size_t i = 1; i < parts.size(); ++i) {
		const std::string &opt = parts[i];
		const auto eq = opt.find('=');
		const std::string key = opt.substr(0, eq);
		const std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
		auto number = [&]() -> Result<int> {
			auto ms = parseDurationMs(value.empty() ? "x" : value + (toInt(value) ? "ms" : ""));
			if (!ms)
				return bad("--listen option " + key + " needs milliseconds, e.g. " + key + "=200");
			return static_cast<int>(*ms);
		};
		if (key == "name" && !value.empty()) {
			node.name = value;
		} else if (key == "latency") {
			auto v = number();
			if (!v)
				return std::unexpected(v.error());
			node.latencyMs = *v;
		} else if (key == "refuse") {
			node.refuse = true;
		} else if (key == "hang") {
			node.hang = true;
		} else if (key == "reject-publish") {
			node.rejectPublish = true;
		} else if (key == "drop-mid-gop") {
			auto v = number();
			if (!v)
				return std::unexpected(v.error());
			node.dropMidGopMs = *v;
		} else if (key == "drop-after-signal") {
			auto v = number();
			if (!v)
				return std::unexpected(v.error());
			node.dropAfterSignalMs = *v;
		} else if (key == "reset-after" || key == "stall-after" || key == "stall-hold") {
			auto ms = parseDurationMs(value.empty() ? "x" : value);
			if (!ms)
				return bad("--listen option " + key + " needs a duration, e.g. " + key + "=5s");
			if (key == "reset-after")
				node.resetAfterMs = *ms;
			else if (key == "stall-after")
				node.stallAfterMs = *ms;
			else
				node.stallHoldMs = *ms;
		} else if (key == "faults") {
			auto n = toInt(value);
			if (!n || *n < 1 || *n > 1000000)
				return bad("--listen option faults= takes a positive number of faults, e.g. faults=3");
			node.faultLimit = static_cast<int>(*n);
		} else if (key == "ack") {
			if (value != "on" && value != "off")
				return bad("--listen option ack= takes on or off");
			node.ack = value == "on";
		} else if (key == "read-rate") {
			auto n = toInt(value);
			if (!n || *n < 1 || *n > kMaxReadRateKbps)
				return bad("--listen option read-rate= takes kbit/s from 1 to " +
					   std::to_string(kMaxReadRateKbps) + ", e.g. read-rate=800");
			node.readRateKbps = static_cast<int>(*n);
		} else if (key == "hostile") {
			if (auto r = parseHostile(value, node.hostile); !r)
				return std::unexpected(r.error());
		} else {
			return bad(
				"unknown --listen option '" + opt +
				"' (known: name=, latency=, refuse, hang, reject-publish, drop-mid-gop=, "
				"drop-after-signal=, reset-after=, stall-after=, stall-hold=, faults=, ack=, read-rate=, "
				"hostile=)");
		}
	}
	return node;
}

Result<Options> Options::parse(int argc, const char *const *argv)
{
	Options o;
	for (int i = 1; i < argc; ++i) {
		const std::string flag = argv[i];
		auto value = [&]() -> Result<std::string> {
			if (i + 1 >= argc)
				return bad(flag + " needs a value (see --help)");
			return std::string(argv[++i]);
		};
		auto v = (flag == "--help" || flag == "-h" || flag == "--signal-all" ||
			  flag == "--refuse-second-publisher" || flag == "--show-stream-names" || flag == "--verbose" ||
			  flag == "-v")
				 ? Result<std::string>(std::string())
				 : value();
		if (!v)
			return std::unexpected(v.error());
		const std::string &arg = *v;
		if (flag == "--help" || flag == "-h") {
			o.help = true;
		} else if (flag == "--listen") {
			auto node = parseNode(arg, o.nodes.size());
			if (!node)
				return std::unexpected(node.error());
			o.nodes.push_back(*node);
		} else if (flag == "--control") {
			auto hp = hostPort(arg);
			if (!hp)
				return std::unexpected(hp.error());
			// The control endpoint has no authentication: loopback only.
			if (hp->first != "127.0.0.1" && hp->first != "::1" && hp->first != "localhost")
				return bad("--control must listen on 127.0.0.1 or ::1 (it has no authentication)");
			o.controlHost = hp->first == "localhost" ? "127.0.0.1" : hp->first;
			o.controlPort = hp->second;
		} else if (flag == "--ready-file") {
			o.readyFile = arg;
		} else if (flag == "--report") {
			o.reportFile = arg;
		} else if (flag == "--media-log") {
			o.mediaLog = arg;
		} else if (flag == "--flv-dir") {
			o.flvDir = arg;
		} else if (flag == "--duration") {
			auto ms = parseDurationMs(arg);
			if (!ms)
				return std::unexpected(ms.error());
			o.durationSeconds = static_cast<double>(*ms) / 1000.0;
		} else if (flag == "--signal") {
			if (arg == "goaway")
				o.signal = SignalKind::GoAway;
			else if (arg == "reconnect")
				o.signal = SignalKind::Reconnect;
			else
				return bad("--signal takes goaway or reconnect");
		} else if (flag == "--mode") {
			if (arg == "signal")
				o.mode = SignalMode::Signal;
			else if (arg == "close")
				o.mode = SignalMode::Close;
			else if (arg == "auto")
				o.mode = SignalMode::Auto;
			else if (arg == "reset")
				o.mode = SignalMode::Reset;
			else if (arg == "stall")
				o.mode = SignalMode::Stall;
			else
				return bad("--mode takes signal, close, auto, reset or stall");
		} else if (flag == "--goaway-every" || flag == "--signal-every") {
			auto ms = parseDurationMs(arg);
			if (!ms || *ms <= 0)
				return bad(flag + " needs a positive duration such as 10s");
			o.signalEveryMs = *ms;
		} else if (flag == "--signal-count") {
			auto n = toInt(arg);
			if (!n || *n < 1)
				return bad("--signal-count takes a positive number of scheduled rounds");
			o.signalCount = *n;
		} else if (flag == "--goaway-body") {
			if (arg != "empty" && arg != "4bytes")
				return bad("--goaway-body takes empty or 4bytes");
			o.goAwayEmptyBody = arg == "empty";
		} else if (flag == "--goaway-csid") {
			auto n = toInt(arg);
			if (!n || *n < 2 || *n > 65599)
				return bad("--goaway-csid takes a chunk stream id 2-65599");
			o.goAwayChunkStreamId = static_cast<uint32_t>(*n);
		} else if (flag == "--reconnect-tcurl") {
			auto form = parseTcUrlForm(arg);
			if (!form)
				return bad("--reconnect-tcurl takes none, absolute, scheme-relative or path-relative");
			o.reconnectTcUrl = *form;
		} else if (flag == "--signal-all") {
			o.signalAll = true;
		} else if (flag == "--refuse-second-publisher") {
			o.refuseSecondPublisher = true;
		} else if (flag == "--latency-ms") {
			auto n = toInt(arg);
			if (!n || *n < 0 || *n > 60000)
				return bad("--latency-ms takes 0-60000");
			o.latencyMs = static_cast<int>(*n);
		} else if (flag == "--chunk-size") {
			auto n = toInt(arg);
			if (!n || *n < 128 || *n > 65536)
				return bad("--chunk-size takes 128-65536");
			o.chunkSize = static_cast<uint32_t>(*n);
		} else if (flag == "--max-chunk-size") {
			auto n = toInt(arg);
			if (!n || *n < 128 || *n > 0x7FFFFFFF)
				return bad("--max-chunk-size takes 128-2147483647");
			o.maxIncomingChunkSize = static_cast<uint32_t>(*n);
		} else if (flag == "--hostile") {
			if (auto r = parseHostile(arg, o.hostile); !r)
				return std::unexpected(r.error());
		} else if (flag == "--show-stream-names") {
			o.showStreamNames = true;
		} else if (flag == "--verbose" || flag == "-v") {
			o.verbose = true;
		} else {
			return bad("unknown flag '" + flag + "' (see --help)");
		}
	}
	if (o.nodes.empty() && !o.help) {
		auto node = parseNode("127.0.0.1:1935", 0);
		o.nodes.push_back(*node);
	}
	for (auto &node : o.nodes) {
		if (node.latencyMs < 0)
			node.latencyMs = o.latencyMs;
		for (HostileProfile p : o.hostile)
			if (std::find(node.hostile.begin(), node.hostile.end(), p) == node.hostile.end())
				node.hostile.push_back(p);
	}
	return o;
}

std::string Options::helpText()
{
	return R"(goaway-ingest: an RTMP test ingest that can ask publishers to move (RTMP Go Away,
E-RTMP ReconnectRequest), stitches their publishes into one stream and reports what arrived.

Usage: goaway-ingest [--listen HOST:PORT[,OPTION...]]... [flags]

Nodes
  --listen HOST:PORT[,opt]  a listening node (repeatable; port 0 = ephemeral; [::1]:PORT for IPv6).
                            Default: 127.0.0.1:1935. Options, comma-separated:
                              name=NAME           node name in the report (default n0, n1, ...)
                              latency=MS          add MS to each direction (RTT grows by 2 x MS)
                              refuse              close every connection right after accept
                              hang                accept, then never read or answer
                              reject-publish      answer publish with NetStream.Publish.BadName
                              drop-mid-gop=MS     drop a publisher MS after its publish, at a non-key frame
                              drop-after-signal=MS drop a publisher MS after a signal, at a non-key frame
                              reset-after=DUR     TCP RST to a publisher at its first non-key video frame
                                                  DUR after its publish (no signal)
                              stall-after=DUR     stop reading and answering DUR after a publish (no signal)
                              stall-hold=DUR      reset a stalled connection after DUR (default: never)
                              faults=N            at most N faults (resets, stalls) on this node
                              ack=on|off          honour the client's Window Acknowledgement Size (default on)
                              read-rate=KBIT      read each connection at most KBIT kbit/s (a congested
                                                  path: the client's queue grows, acks still come)
                              hostile=PROFILE     this node misbehaves (repeatable; see --hostile)
  --latency-ms N            default latency=N for every node
  --refuse-second-publisher reject a publish of a name already live (nginx-rtmp's "Already publishing");
                            default: allow it and stitch both into one stream
  --chunk-size N            outgoing chunk size announced after connect (default 4096)
  --max-chunk-size N        largest Set Chunk Size accepted from a client (default 16777216)
  --hostile PROFILE[,...]   every node misbehaves (repeatable; README.md "Hostile profiles"):
                            handshake-trickle, handshake-garbage, connect-result-mistyped,
                            connect-error-utf8, createstream-bad, publish-status-utf8,
                            mistyped-onstatus, midstream-utf8, flood-control, huge-length,
                            deep-amf, goaway-then-garbage, stall-mid-stream

Signals
  --signal goaway|reconnect  what to send (default goaway)
  --mode signal|close|auto|reset|stall
                             signal; or close the connection instead (a server facing a client without
                             support); auto = signal clients that announced support, close the others;
                             reset = TCP RST, stall = stop reading and answering (no signal at all)
  --goaway-every DURATION    signal every publisher on a schedule (10s, 500ms, 2m)
  --signal-count N           stop the schedule after N rounds (default: no limit)
  --goaway-body empty|4bytes body of the type-32 message (default 4bytes)
  --goaway-csid N            chunk stream id of the type-32 message (default 2)
  --reconnect-tcurl none|absolute|scheme-relative|path-relative
                             tcUrl of the ReconnectRequest, pointing at the next node (default absolute)
  --signal-all               also signal clients that did not announce support (supportsGoAway for
                             goaway, capsEx bit 0x01 for reconnect)

Control and output
  --control HOST:PORT        loopback TCP line protocol (see README.md): goaway, reconnect, close,
                             reset, stall, report, stats, wait, quit
  --ready-file PATH          JSON with the bound nodes and control port, written once all listen
  --report PATH              JSON report written at exit (a one-line summary goes to stdout)
  --flv-dir DIR              write each stitched stream as DIR/<stream id>.flv
  --media-log PATH           one line per audio/video message: arrival ms, connection, track (v/a),
                             timestamp sent, timestamp in the stitched stream (-1: duplicate), bytes
  --duration DURATION        stop by itself after this long (SIGINT / SIGTERM also stop it cleanly)
  --show-stream-names        put stream names in the report and file names verbatim (default: redacted,
                             since a stream name is a stream key)
  --verbose, -v              debug logging
  --help, -h                 this text
)";
}

} // namespace goaway::ingest
