#pragma once
// A synthetic H.264 "encoder" for sender benchmarks: it ignores the picture and emits Annex-B access
// units of exactly bitrate / fps bytes (an IDR every keyint), so an output can be driven at 6 or
// 50 Mbps while the encoder itself costs next to nothing. Registered by the runner process itself.

namespace goaway::runner {

/** Registers "goaway_bench_h264" (settings: bitrate in kbps, keyint_sec). */
void registerSyntheticEncoder();

inline constexpr const char *kSyntheticEncoderId = "goaway_bench_h264";

} // namespace goaway::runner
