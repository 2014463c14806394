// libFuzzer target: AMF0 decoding of command / data bodies from outside. Whatever decodes must
// encode again and decode to the same number of values (the encoder and decoder agree).
#include "plugin/rtmp/Amf0.hpp"

#include <cstdint>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	using namespace goaway;
	auto values = amf0::decodeAll(std::span<const uint8_t>(data, size));
	if (!values)
		return 0;
	for (const auto &v : *values) {
		(void)v.get("code");
		(void)v.getString("tcUrl");
	}
	const std::vector<uint8_t> again = amf0::encodeAll(*values);
	auto back = amf0::decodeAll(again);
	if (!back || back->size() != values->size())
		std::abort();
	return 0;
}
