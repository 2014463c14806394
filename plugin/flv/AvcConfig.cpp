#include "AvcConfig.hpp"
#include "AnnexB.hpp"
#include "BitReader.hpp"

namespace goaway::flv {

namespace {

void put16(std::vector<uint8_t> &out, size_t v)
{
	out.push_back(uint8_t(v >> 8));
	out.push_back(uint8_t(v));
}

bool isHighProfile(uint8_t profile)
{
	return profile == 100 || profile == 110 || profile == 122 || profile == 144;
}

} // namespace

Result<std::vector<uint8_t>> makeAvcDecoderConfigurationRecord(std::span<const uint8_t> extradata)
{
	if (!extradata.empty() && extradata[0] == 1)
		return std::vector<uint8_t>(extradata.begin(), extradata.end());
	std::vector<std::span<const uint8_t>> sps, pps;
	for (auto nal : splitAnnexB(extradata)) {
		uint8_t type = nal[0] & 0x1F;
		if (type == 7)
			sps.push_back(nal);
		else if (type == 8)
			pps.push_back(nal);
	}
	if (sps.empty() || pps.empty())
		return fail(ErrorCode::InvalidArgument, "H.264 extradata has no SPS or no PPS");
	if (sps[0].size() < 4)
		return fail(ErrorCode::InvalidArgument, "H.264 SPS too short");
	const uint8_t profile = sps[0][1];
	std::vector<uint8_t> out;
	out.push_back(1);                                              // configurationVersion
	out.push_back(profile);                                        // AVCProfileIndication
	out.push_back(sps[0][2]);                                      // profile_compatibility
	out.push_back(sps[0][3]);                                      // AVCLevelIndication
	out.push_back(0xFC | 3);                                       // reserved '111111' + lengthSizeMinusOne = 3
	out.push_back(0xE0 | static_cast<uint8_t>(sps.size() & 0x1F)); // reserved '111' + numOfSequenceParameterSets
	for (auto s : sps) {
		put16(out, s.size());
		out.insert(out.end(), s.begin(), s.end());
	}
	out.push_back(static_cast<uint8_t>(pps.size()));
	for (auto p : pps) {
		put16(out, p.size());
		out.insert(out.end(), p.begin(), p.end());
	}
	if (isHighProfile(profile)) {
		// H.264 7.3.2.1.1: seq_parameter_set_id, chroma_format_idc, [separate_colour_plane],
		// bit_depth_luma_minus8, bit_depth_chroma_minus8.
		auto rbsp = unescapeRbsp(sps[0].subspan(4));
		BitReader r(rbsp);
		r.ue(); // seq_parameter_set_id
		uint32_t chroma = r.ue();
		if (chroma == 3)
			r.bits(1);
		uint32_t lumaDepth = r.ue();
		uint32_t chromaDepth = r.ue();
		if (r.overrun())
			return fail(ErrorCode::InvalidArgument, "H.264 SPS truncated");
		out.push_back(0xFC | static_cast<uint8_t>(chroma & 3));
		out.push_back(0xF8 | static_cast<uint8_t>(lumaDepth & 7));
		out.push_back(0xF8 | static_cast<uint8_t>(chromaDepth & 7));
		out.push_back(0); // numOfSequenceParameterSetExt
	}
	return out;
}

} // namespace goaway::flv
