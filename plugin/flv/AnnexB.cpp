#include "AnnexB.hpp"

#include <algorithm>
#include <cstring>

namespace goaway::flv {

namespace {

/** Position of the next 00 00 01 at or after `from`, or size. Jumps from zero byte to zero byte
 *  with memchr (vectorised by the C library): every byte of every video frame passes here, so a
 *  byte-at-a-time loop cost the sender CPU in proportion to the bitrate. */
size_t findStartCode(std::span<const uint8_t> d, size_t from)
{
	if (d.size() < 3)
		return d.size();
	const uint8_t *const base = d.data();
	const uint8_t *const last = base + d.size() - 2; // a start code must begin before this
	for (const uint8_t *p = base + from; p < last;) {
		p = static_cast<const uint8_t *>(std::memchr(p, 0, size_t(last - p)));
		if (!p)
			break;
		if (p[1] == 0 && p[2] == 1)
			return size_t(p - base);
		++p;
	}
	return d.size();
}

void putU32(std::vector<uint8_t> &out, uint32_t n)
{
	const uint8_t bytes[] = {uint8_t(n >> 24), uint8_t(n >> 16), uint8_t(n >> 8), uint8_t(n)};
	out.insert(out.end(), std::begin(bytes), std::end(bytes));
}

/** Calls f(nal) for each NAL unit of an Annex-B buffer (the splitAnnexB rules), allocating nothing. */
template<typename F> void forEachNal(std::span<const uint8_t> d, F &&f)
{
	size_t start = findStartCode(d, 0);
	while (start < d.size()) {
		size_t begin = start + 3;
		size_t next = findStartCode(d, begin);
		size_t end = next;
		while (end > begin && d[end - 1] == 0) // a 4-byte start code's leading zero / trailing_zero_8bits
			--end;
		if (end > begin)
			f(d.subspan(begin, end - begin));
		start = next;
	}
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
	forEachNal(d, [&](std::span<const uint8_t> nal) { out.push_back(nal); });
	return out;
}

std::vector<uint8_t> annexBToLengthPrefixed(std::span<const uint8_t> data)
{
	std::vector<uint8_t> out;
	appendLengthPrefixed(data, out);
	return out;
}

void appendLengthPrefixed(std::span<const uint8_t> data, std::vector<uint8_t> &out)
{
	if (!isAnnexB(data)) {
		out.insert(out.end(), data.begin(), data.end());
		return;
	}
	// A 4-byte prefix replaces each start code of 3 or 4 bytes: at most one extra byte per NAL,
	// and frames carry a handful of NALs; the slack avoids a reallocation in the common case.
	constexpr size_t kPrefixSlack = 16;
	const size_t need = out.size() + data.size() + kPrefixSlack;
	if (need > out.capacity())
		out.reserve(std::max(need, out.capacity() * 2));
	forEachNal(data, [&](std::span<const uint8_t> nal) {
		putU32(out, static_cast<uint32_t>(nal.size()));
		out.insert(out.end(), nal.begin(), nal.end());
	});
}

} // namespace goaway::flv
