#pragma once
// HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 8.3.3.1, "hvcC") from HEVC parameter sets.

#include "../common/Result.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::flv {

/**
 * From Annex-B extradata with VPS (32), SPS (33) and PPS (34) NAL units (OBS's HEVC encoders):
 * general profile/tier/level, compatibility and constraint flags from the SPS
 * profile_tier_level, chroma_format_idc and bit depths from the SPS, lengthSizeMinusOne 3,
 * one array per NAL type (array_completeness 1). A record already (first byte 1) is returned
 * unchanged. Errors (InvalidArgument): a parameter set is missing or truncated.
 */
Result<std::vector<uint8_t>> makeHevcDecoderConfigurationRecord(std::span<const uint8_t> extradata);

} // namespace goaway::flv
