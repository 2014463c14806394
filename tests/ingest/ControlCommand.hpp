#pragma once
// One control line: a verb and key=value arguments ("goaway stream=abc body=empty csid=3").

#include <map>
#include <optional>
#include <string>

namespace goaway::ingest {

struct ControlCommand {
	std::string verb;
	std::map<std::string, std::string> args;
	std::string error; // set when the line could not be parsed

	static ControlCommand parse(const std::string &line);
	std::optional<std::string> get(const std::string &key) const;
	/** The integer argument `key`, `fallback` when absent; nullopt when present but not a number. */
	std::optional<long long> integer(const std::string &key, long long fallback) const;
};

} // namespace goaway::ingest
