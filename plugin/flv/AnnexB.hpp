#pragma once
// H.264 / HEVC byte streams (ITU-T H.264 Annex B start codes, as OBS's encoders produce them) and
// the length-prefixed form FLV / ISO 14496-15 samples use.

#include <cstdint>
#include <span>
#include <vector>

namespace goaway::flv {

/** True when the buffer starts with a 3- or 4-byte start code. */
bool isAnnexB(std::span<const uint8_t> data);
/** The NAL units of an Annex-B buffer, without start codes (trailing zero bytes trimmed). */
std::vector<std::span<const uint8_t>> splitAnnexB(std::span<const uint8_t> data);
/**
 * Annex-B → 4-byte big-endian length prefixes (ISO 14496-15 with lengthSizeMinusOne = 3).
 * A buffer that is not Annex-B is assumed to be length-prefixed already and copied as is.
 */
std::vector<uint8_t> annexBToLengthPrefixed(std::span<const uint8_t> data);
/** annexBToLengthPrefixed() appended to `out` (no intermediate buffer: the muxer's per-frame path). */
void appendLengthPrefixed(std::span<const uint8_t> data, std::vector<uint8_t> &out);

} // namespace goaway::flv
