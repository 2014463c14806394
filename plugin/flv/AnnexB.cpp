#include "AnnexB.hpp"

namespace goaway::flv {

namespace {

/** Position of the next 00 00 01 at or after `from`, or size. */
size_t findStartCode(std::span<const uint8_t> d, size_t from)
{
	for (size_t i = from; i + 2 < d.size(); ++i) {
		if (d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1)
			return i;
	}
	return d.size();
}

} // namespace

bool isAnnexB(std::span<const uint8_t> d)
{
	return (d.size() >= 3 && d[0] == 0 && d[1] == 0 && d[2] == 1) ||
	       (d.size() >= 4 && d[0] == 0 && d[1] == 0 && d[2] == 0 && d[3] == 1);
}

std::vector<std::span<const uint8_t>> splitAnnexB(std::span<const uint8_t> d)
{
	std::vector<std::span<const uint8_t>> out;
	size_t start = findStartCode(d, 0);
	while (start < d.size()) {
		size_t begin = start + 3;
		size_t next = findStartCode(d, begin);
		size_t end = next;
		while (end > begin && d[end - 1] == 0) // a 4-byte start code's leading zero / trailing_zero_8bits
			--end;
		if (end > begin)
			out.push_back(d.subspan(begin, end - begin));
		start = next;
	}
	return out;
}

std::vector<uint8_t> annexBToLengthPrefixed(std::span<const uint8_t> data)
{
	if (!isAnnexB(data))
		return std::vector<uint8_t>(data.begin(), data.end());
	std::vector<uint8_t> out;
	out.reserve(data.size() + 16);
	for (auto nal : splitAnnexB(data)) {
		uint32_t n = static_cast<uint32_t>(nal.size());
		out.push_back(uint8_t(n >> 24));
		out.push_back(uint8_t(n >> 16));
		out.push_back(uint8_t(n >> 8));
		out.push_back(uint8_t(n));
		out.insert(out.end(), nal.begin(), nal.end());
	}
	return out;
}

} // namespace goaway::flv
