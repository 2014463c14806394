#include "StreamName.hpp"

#include <cstdint>
#include <cstdio>

namespace goaway::ingest {

std::string StreamName::strip(const std::string &name)
{
	return name.substr(0, name.find('?'));
}

std::string StreamName::redact(const std::string &name)
{
	return name.empty() ? std::string() : "****(" + id(name) + ")";
}

std::string StreamName::id(const std::string &name)
{
	uint32_t h = 2166136261u; // FNV-1a offset basis
	for (unsigned char c : name) {
		h ^= c;
		h *= 16777619u; // FNV prime
	}
	char out[16];
	std::snprintf(out, sizeof(out), "s%08x", h);
	return out;
}

} // namespace goaway::ingest
