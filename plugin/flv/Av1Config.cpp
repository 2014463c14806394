#include "Av1Config.hpp"
#include "BitReader.hpp"

#include <optional>

namespace goaway::flv {

namespace {

constexpr uint8_t kObuSequenceHeader = 1;
constexpr uint8_t kObuTemporalDelimiter = 2;

struct Obu {
	uint8_t type = 0;
	size_t headerSize = 0; // header + extension + leb128 size
	size_t payloadSize = 0;
	bool hasSize = false;
};

/** AV1 5.3.1 obu_header + leb128 obu_size at data[0]; nullopt when truncated. */
std::optional<Obu> readObu(std::span<const uint8_t> d)
{
	if (d.empty())
		return std::nullopt;
	Obu obu;
	obu.type = (d[0] >> 3) & 0x0F;
	const bool extension = (d[0] >> 2) & 1;
	obu.hasSize = (d[0] >> 1) & 1;
	size_t pos = extension ? 2 : 1;
	if (pos > d.size())
		return std::nullopt;
	if (!obu.hasSize) {
		obu.headerSize = pos;
		obu.payloadSize = d.size() - pos;
		return obu;
	}
	uint64_t size = 0;
	for (int i = 0; i < 8; ++i) { // leb128 (AV1 4.10.5)
		if (pos >= d.size())
			return std::nullopt;
		uint8_t b = d[pos++];
		size |= uint64_t(b & 0x7F) << (7 * i);
		if (!(b & 0x80))
			break;
	}
	if (size > d.size() - pos)
		return std::nullopt;
	obu.headerSize = pos;
	obu.payloadSize = static_cast<size_t>(size);
	return obu;
}

} // namespace

Result<std::vector<uint8_t>> makeAv1CodecConfigurationRecord(std::span<const uint8_t> extradata)
{
	if (!extradata.empty() && extradata[0] == 0x81)
		return std::vector<uint8_t>(extradata.begin(), extradata.end());
	std::span<const uint8_t> rest = extradata;
	std::optional<Obu> found;
	std::span<const uint8_t> seqObu;
	while (!rest.empty()) {
		auto obu = readObu(rest);
		if (!obu)
			break;
		size_t total = obu->headerSize + obu->payloadSize;
		if (obu->type == kObuSequenceHeader) {
			found = obu;
			seqObu = rest.subspan(0, total);
			break;
		}
		rest = rest.subspan(total);
	}
	if (!found)
		return fail(ErrorCode::InvalidArgument, "AV1 extradata has no sequence header OBU");

	// AV1 5.5.1 sequence_header_obu.
	BitReader r(seqObu.subspan(found->headerSize, found->payloadSize));
	const uint32_t seqProfile = r.bits(3);
	r.bits(1); // still_picture
	const bool reduced = r.flag();
	uint32_t levelIdx0 = 0;
	uint32_t tier0 = 0;
	if (reduced) {
		levelIdx0 = r.bits(5);
	} else {
		bool decoderModelInfo = false;
		uint32_t bufferDelayLength = 0;
		if (r.flag()) { // timing_info_present_flag → timing_info()
			r.bits(32);
			r.bits(32);
			if (r.flag()) // equal_picture_interval
				r.uvlc();
			decoderModelInfo = r.flag();
			if (decoderModelInfo) { // decoder_model_info()
				bufferDelayLength = r.bits(5) + 1;
				r.bits(32);
				r.bits(5);
				r.bits(5);
			}
		}
		const bool initialDisplayDelay = r.flag();
		const uint32_t operatingPoints = r.bits(5) + 1;
		for (uint32_t i = 0; i < operatingPoints; ++i) {
			r.bits(12); // operating_point_idc
			uint32_t level = r.bits(5);
			uint32_t tier = level > 7 ? r.bits(1) : 0;
			if (i == 0) {
				levelIdx0 = level;
				tier0 = tier;
			}
			if (decoderModelInfo && r.flag()) { // decoder_model_present_for_this_op
				r.bits(static_cast<int>(bufferDelayLength));
				r.bits(static_cast<int>(bufferDelayLength));
				r.bits(1);
			}
			if (initialDisplayDelay && r.flag())
				r.bits(4);
		}
	}
	const int widthBits = static_cast<int>(r.bits(4)) + 1;
	const int heightBits = static_cast<int>(r.bits(4)) + 1;
	r.bits(widthBits);
	r.bits(heightBits);
	if (!reduced && r.flag()) { // frame_id_numbers_present_flag
		r.bits(4);
		r.bits(3);
	}
	r.bits(3); // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
	if (!reduced) {
		r.bits(4); // interintra_compound, masked_compound, warped_motion, dual_filter
		const bool orderHint = r.flag();
		if (orderHint)
			r.bits(2);                    // enable_jnt_comp, enable_ref_frame_mvs
		uint32_t forceScreenContentTools = 2; // SELECT_SCREEN_CONTENT_TOOLS
		if (!r.flag())                        // seq_choose_screen_content_tools
			forceScreenContentTools = r.bits(1);
		if (forceScreenContentTools > 0) {
			if (!r.flag()) // seq_choose_integer_mv
				r.bits(1);
		}
		if (orderHint)
			r.bits(3);
	}
	r.bits(3); // enable_superres, enable_cdef, enable_restoration
	// color_config() 5.5.2
	const bool highBitdepth = r.flag();
	bool twelveBit = false;
	if (seqProfile == 2 && highBitdepth)
		twelveBit = r.flag();
	const bool mono = seqProfile == 1 ? false : r.flag();
	uint32_t cp = 2, tc = 2, mc = 2;
	if (r.flag()) { // color_description_present_flag
		cp = r.bits(8);
		tc = r.bits(8);
		mc = r.bits(8);
	}
	uint32_t ssx = 1, ssy = 1, csp = 0;
	if (mono) {
		r.bits(1);
	} else if (cp == 1 && tc == 13 && mc == 0) { // BT.709 primaries, sRGB transfer, identity matrix
		ssx = ssy = 0;
	} else {
		r.bits(1); // color_range
		if (seqProfile == 0) {
			ssx = ssy = 1;
		} else if (seqProfile == 1) {
			ssx = ssy = 0;
		} else if (twelveBit) {
			ssx = r.bits(1);
			ssy = ssx ? r.bits(1) : 0;
		} else {
			ssx = 1;
			ssy = 0;
		}
		if (ssx && ssy)
			csp = r.bits(2);
	}
	if (r.overrun())
		return fail(ErrorCode::InvalidArgument, "AV1 sequence header OBU truncated");

	std::vector<uint8_t> out;
	out.push_back(0x81); // marker 1, version 1
	out.push_back(uint8_t((seqProfile & 7) << 5 | (levelIdx0 & 0x1F)));
	out.push_back(uint8_t(tier0 << 7 | uint32_t(highBitdepth) << 6 | uint32_t(twelveBit) << 5 |
			      uint32_t(mono) << 4 | ssx << 3 | ssy << 2 | (csp & 3)));
	out.push_back(0); // no initial_presentation_delay
	out.insert(out.end(), seqObu.begin(), seqObu.end());
	return out;
}

std::vector<uint8_t> stripTemporalDelimiters(std::span<const uint8_t> tu)
{
	std::vector<uint8_t> out;
	out.reserve(tu.size());
	std::span<const uint8_t> rest = tu;
	while (!rest.empty()) {
		auto obu = readObu(rest);
		if (!obu || !obu->hasSize) {
			out.insert(out.end(), rest.begin(), rest.end());
			break;
		}
		size_t total = obu->headerSize + obu->payloadSize;
		if (obu->type != kObuTemporalDelimiter)
			out.insert(out.end(), rest.begin(), rest.begin() + total);
		rest = rest.subspan(total);
	}
	return out;
}

} // namespace goaway::flv
