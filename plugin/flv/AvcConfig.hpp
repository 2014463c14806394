#pragma once
// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1) from H.264 parameter sets.

#include "../common/Result.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::flv {

/**
 * Builds the record from Annex-B extradata holding SPS (type 7) and PPS (type 8) NAL units,
 * as OBS's H.264 encoders give it: version 1, profile / compatibility / level from the first SPS,
 * lengthSizeMinusOne 3, every SPS and PPS; for the High profiles (100, 110, 122, 144) also
 * chroma_format and bit depths read from the SPS, and no SPS extensions.
 * Extradata that already is a record (first byte 1) is returned unchanged.
 * Errors (InvalidArgument): no SPS or no PPS, SPS too short.
 */
Result<std::vector<uint8_t>> makeAvcDecoderConfigurationRecord(std::span<const uint8_t> extradata);

} // namespace goaway::flv
