#include "HevcConfig.hpp"
#include "AnnexB.hpp"
#include "BitReader.hpp"

#include <array>

namespace goaway::flv {

namespace {

constexpr uint8_t kNalVps = 32;
constexpr uint8_t kNalSps = 33;
constexpr uint8_t kNalPps = 34;

void put16(std::vector<uint8_t> &out, size_t v)
{
	out.push_back(uint8_t(v >> 8));
	out.push_back(uint8_t(v));
}

} // namespace

Result<std::vector<uint8_t>> makeHevcDecoderConfigurationRecord(std::span<const uint8_t> extradata)
{
	if (!extradata.empty() && extradata[0] == 1)
		return std::vector<uint8_t>(extradata.begin(), extradata.end());
	std::array<std::vector<std::span<const uint8_t>>, 3> sets; // VPS, SPS, PPS
	for (auto nal : splitAnnexB(extradata)) {
		if (nal.size() < 2)
			continue;
		uint8_t type = (nal[0] >> 1) & 0x3F;
		if (type >= kNalVps && type <= kNalPps)
			sets[type - kNalVps].push_back(nal);
	}
	if (sets[0].empty() || sets[1].empty() || sets[2].empty())
		return fail(ErrorCode::InvalidArgument, "HEVC extradata lacks a VPS, SPS or PPS");

	// HEVC 7.3.2.2.1 seq_parameter_set_rbsp, after the 2-byte NAL unit header.
	auto rbsp = unescapeRbsp(sets[1][0].subspan(2));
	if (rbsp.size() < 13)
		return fail(ErrorCode::InvalidArgument, "HEVC SPS truncated");
	BitReader r(rbsp);
	r.bits(4); // sps_video_parameter_set_id
	const uint32_t maxSubLayersMinus1 = r.bits(3);
	const uint32_t temporalIdNesting = r.bits(1);
	// profile_tier_level(1, maxSubLayersMinus1), 7.3.3: the general part is 12 whole bytes,
	// copied as they are: profile_space/tier/profile_idc, 32 compatibility flags, 48 constraint
	// flags, level_idc.
	const std::span<const uint8_t> general(rbsp.data() + 1, 12);
	r.skip(96);
	bool subProfile[8] = {}, subLevel[8] = {};
	for (uint32_t i = 0; i < maxSubLayersMinus1; ++i) {
		subProfile[i] = r.flag();
		subLevel[i] = r.flag();
	}
	if (maxSubLayersMinus1 > 0)
		r.skip(2 * (8 - maxSubLayersMinus1)); // reserved_zero_2bits
	for (uint32_t i = 0; i < maxSubLayersMinus1; ++i) {
		if (subProfile[i])
			r.skip(88);
		if (subLevel[i])
			r.skip(8);
	}
	r.ue(); // sps_seq_parameter_set_id
	const uint32_t chromaFormat = r.ue();
	if (chromaFormat == 3)
		r.bits(1); // separate_colour_plane_flag
	r.ue();            // pic_width_in_luma_samples
	r.ue();            // pic_height_in_luma_samples
	if (r.flag()) {    // conformance_window_flag
		r.ue();
		r.ue();
		r.ue();
		r.ue();
	}
	const uint32_t lumaDepthMinus8 = r.ue();
	const uint32_t chromaDepthMinus8 = r.ue();
	if (r.overrun())
		return fail(ErrorCode::InvalidArgument, "HEVC SPS truncated");

	std::vector<uint8_t> out;
	out.push_back(1); // configurationVersion
	out.insert(out.end(), general.begin(), general.end());
	out.push_back(0xF0); // reserved '1111' + min_spatial_segmentation_idc (12 bits) = 0
	out.push_back(0x00);
	out.push_back(0xFC); // reserved '111111' + parallelismType 0 (unknown)
	out.push_back(uint8_t(0xFC | (chromaFormat & 3)));
	out.push_back(uint8_t(0xF8 | (lumaDepthMinus8 & 7)));
	out.push_back(uint8_t(0xF8 | (chromaDepthMinus8 & 7)));
	put16(out, 0); // avgFrameRate: unspecified
	// constantFrameRate 0 (2 bits), numTemporalLayers (3), temporalIdNested (1), lengthSizeMinusOne 3 (2)
	out.push_back(uint8_t(((maxSubLayersMinus1 + 1) & 7) << 3 | (temporalIdNesting & 1) << 2 | 3));
	out.push_back(3); // numOfArrays
	for (size_t i = 0; i < sets.size(); ++i) {
		out.push_back(uint8_t(0x80 | (kNalVps + i))); // array_completeness 1, reserved 0, NAL_unit_type
		put16(out, sets[i].size());
		for (auto nal : sets[i]) {
			put16(out, nal.size());
			out.insert(out.end(), nal.begin(), nal.end());
		}
	}
	return out;
}

} // namespace goaway::flv
