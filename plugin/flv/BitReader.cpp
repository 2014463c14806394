#include "BitReader.hpp"

namespace goaway::flv {

uint32_t BitReader::bits(int count)
{
	uint32_t value = 0;
	for (int i = 0; i < count; ++i) {
		size_t byte = pos_ >> 3;
		uint32_t bit = 0;
		if (byte < bytes_.size())
			bit = (bytes_[byte] >> (7 - (pos_ & 7))) & 1u;
		else
			overrun_ = true;
		value = (value << 1) | bit;
		++pos_;
	}
	return value;
}

void BitReader::skip(size_t count)
{
	pos_ += count;
	if ((pos_ + 7) / 8 > bytes_.size())
		overrun_ = true;
}

uint32_t BitReader::ue()
{
	int zeros = 0;
	while (bits(1) == 0) {
		if (overrun_ || ++zeros > 31) {
			overrun_ = true;
			return 0;
		}
	}
	if (zeros == 0)
		return 0;
	return ((1u << zeros) - 1) + bits(zeros);
}

uint32_t BitReader::uvlc()
{
	int leadingZeros = 0;
	while (bits(1) == 0) {
		if (overrun_ || ++leadingZeros >= 32) {
			overrun_ = true;
			return 0;
		}
	}
	if (leadingZeros == 0)
		return 0;
	return bits(leadingZeros) + ((1u << leadingZeros) - 1);
}

std::vector<uint8_t> unescapeRbsp(std::span<const uint8_t> nal)
{
	std::vector<uint8_t> out;
	out.reserve(nal.size());
	int zeros = 0;
	for (uint8_t b : nal) {
		if (zeros >= 2 && b == 0x03) {
			zeros = 0;
			continue;
		}
		zeros = b == 0 ? zeros + 1 : 0;
		out.push_back(b);
	}
	return out;
}

} // namespace goaway::flv
