#pragma once
// Synthetic sources for goaway-stream: a moving test pattern whose every frame differs, and a tone.
// Registered as source types of the runner process itself (no module needed).

#include <cstdint>

namespace goaway::runner {

/** Registers "goaway_test_pattern" (async video, BGRA) and "goaway_test_tone" (440 Hz stereo). */
void registerSyntheticSources();

inline constexpr const char *kPatternSourceId = "goaway_test_pattern";
inline constexpr const char *kToneSourceId = "goaway_test_tone";

} // namespace goaway::runner
