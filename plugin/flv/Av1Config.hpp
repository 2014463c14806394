#pragma once
// AV1CodecConfigurationRecord ("av1C", AV1 Codec ISO Media File Format Binding 2.3) and the OBU
// handling the FLV/E-RTMP AV1 payload needs.

#include "../common/Result.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::flv {

/**
 * From extradata holding the sequence header OBU (OBS's AV1 encoders): marker 1, version 1,
 * seq_profile, seq_level_idx[0], seq_tier[0], high_bitdepth, twelve_bit, mono_chrome,
 * chroma_subsampling_x/y, chroma_sample_position, no initial_presentation_delay; then the
 * sequence header OBU itself as configOBUs. A record already (first byte 0x81) is returned
 * unchanged. Errors (InvalidArgument): no sequence header OBU or a truncated one.
 */
Result<std::vector<uint8_t>> makeAv1CodecConfigurationRecord(std::span<const uint8_t> extradata);

/** The OBUs of a temporal unit without temporal delimiter OBUs (av1-isobmff 2.4). OBUs without
 *  obu_has_size_field end the parse and are copied as is. */
std::vector<uint8_t> stripTemporalDelimiters(std::span<const uint8_t> temporalUnit);

} // namespace goaway::flv
