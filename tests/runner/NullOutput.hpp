#pragma once
// An output that takes encoded packets and discards them: the baseline of the sender benchmark
// (process CPU with a real output minus process CPU with this one = what the output costs).

namespace goaway::runner {

/** Registers "goaway_bench_null_output". */
void registerNullOutput();

inline constexpr const char *kNullOutputId = "goaway_bench_null_output";

} // namespace goaway::runner
