#pragma once
// What every new session must receive before media (Go Away spec: "re-send @setDataFrame
// onMetaData and the audio/video sequence headers"): FLV tag bodies ready to send.

#include <cstdint>
#include <vector>

namespace goaway::output {

struct StreamHeaders {
	std::vector<uint8_t> metadata;    // @setDataFrame onMetaData (data message, type 18)
	std::vector<uint8_t> videoHeader; // AVC / HEVC / AV1 sequence start (video message, type 9); empty: no video
	std::vector<uint8_t> audioHeader; // AAC AudioSpecificConfig (audio message, type 8); empty: no audio
};

} // namespace goaway::output
