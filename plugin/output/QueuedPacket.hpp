#pragma once
// An encoder packet on its way from libobs' encoder thread to the send thread. Plain C++ (no OBS
// headers) so the queue and its drop policy are unit-tested without libobs.

#include <cstdint>
#include <memory>
#include <vector>

namespace goaway::output {

/** Video packet priorities, as libobs' OBS_NAL_PRIORITY_* (obs-avc.h): disposable frames
 *  (b-frames) are 0, keyframes 3. The drop policy only compares them. */
enum class PacketPriority : int { Disposable = 0, Low = 1, High = 2, Highest = 3 };

struct QueuedPacket {
	bool isVideo = false;
	bool keyframe = false;
	PacketPriority priority = PacketPriority::Highest;
	int64_t dtsUsec = 0;    // decode time in microseconds (libobs' dts_usec, monotonic per output)
	int64_t sysDtsUsec = 0; // system-clock decode time (libobs' sys_dts_usec): stop(ts) compares it
	int64_t dtsMs = 0;      // FLV/RTMP timestamp
	int32_t ctsMs = 0;      // composition offset pts - dts (H.264/HEVC b-frames)
	size_t track = 0;       // audio track index
	std::shared_ptr<const std::vector<uint8_t>> data;

	size_t size() const { return data ? data->size() : 0; }
};

} // namespace goaway::output
