#pragma once
// A small FLV file reader (FLV spec v10.1 E.2 header, E.3 body, E.4 tags) for goaway-publish.
// The tag bodies are exactly the RTMP message bodies a publisher sends.

#include "plugin/common/Result.hpp"
#include "plugin/rtmp/VideoCodec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace goaway::publish {

struct FlvTag {
	uint8_t type = 0; // 8 audio, 9 video, 18 script data
	uint32_t timestampMs = 0;
	std::vector<uint8_t> data;

	bool isVideo() const { return type == 9; }
	bool isAudio() const { return type == 8; }
	bool isScript() const { return type == 18; }
	/** AVC sequence header or E-RTMP SequenceStart. */
	bool isVideoSequenceHeader() const;
	/** AVC end of sequence / E-RTMP SequenceEnd (FFmpeg writes one at the end of a file). */
	bool isVideoEndOfSequence() const;
	/** A coded key frame (not a sequence header). */
	bool isVideoKeyframe() const;
	/** AAC AudioSpecificConfig. */
	bool isAudioSequenceHeader() const;
	/** The codec of a video tag (H.264 for legacy CodecID 7, else from the E-RTMP FourCC). */
	rtmp::VideoCodec videoCodec() const;
};

class FlvFileReader {
public:
	/** Reads every tag of the file. Errors: Io (cannot open), Protocol (not FLV, truncated header). A
	 *  truncated last tag is dropped. */
	static Result<std::vector<FlvTag>> readAll(const std::string &path);
};

} // namespace goaway::publish
