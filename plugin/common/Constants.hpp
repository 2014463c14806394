#pragma once
// Named constants with the reason for each value. One section per layer; add to your own section.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace goaway::constants {

using namespace std::chrono_literals;

// ---- plugin/rtmp: the wire ----------------------------------------------------------------

/// RTMP spec 5.4.1: the chunk size both sides use until a Set Chunk Size message says otherwise.
inline constexpr uint32_t kDefaultChunkSize = 128;
/// Our outgoing chunk size: 4096 keeps per-chunk header overhead under 0.3% at any bitrate
/// while staying far below what every server accepts (OBS and FFmpeg use the same value).
inline constexpr uint32_t kOutgoingChunkSize = 4096;
/// Largest chunk size we accept from a peer. The spec allows up to 2^31-1, but a peer that
/// announces more than this is broken or hostile; 16 MiB covers any real media message.
inline constexpr uint32_t kMaxIncomingChunkSize = 16u * 1024 * 1024;
/// Largest message we reassemble (24-bit length field allows 16 MiB); bounded memory per peer.
inline constexpr uint32_t kMaxMessageLength = 16u * 1024 * 1024;
/// Deepest AMF0 nesting we decode; real command objects nest 2-3 deep, fuzzed input nests forever.
inline constexpr int kMaxAmfDepth = 32;

} // namespace goaway::constants
