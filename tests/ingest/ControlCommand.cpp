#include "ControlCommand.hpp"

#include <charconv>
#include <sstream>

namespace goaway::ingest {

ControlCommand ControlCommand::parse(const std::string &line)
{
	ControlCommand c;
	std::istringstream words(line);
	std::string word;
	words >> c.verb;
	while (words >> word) {
		const auto eq = word.find('=');
		if (eq == std::string::npos || eq == 0) {
			c.error = "argument '" + word + "' is not key=value";
			return c;
		}
		c.args[word.substr(0, eq)] = word.substr(eq + 1);
	}
	return c;
}

std::optional<std::string> ControlCommand::get(const std::string &key) const
{
	auto it = args.find(key);
	if (it == args.end())
		return std::nullopt;
	return it->second;
}

std::optional<long long> ControlCommand::integer(const std::string &key, long long fallback) const
{
	auto v = get(key);
	if (!v)
		return fallback;
	long long n = 0;
	auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
	if (ec != std::errc() || end != v->data() + v->size())
		return std::nullopt;
	return n;
}

} // namespace goaway::ingest
