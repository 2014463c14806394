#pragma once
// What an RTMP audio / video message body carries (FLV tag body layout, FLV spec E.4.2 / E.4.3,
// with the Enhanced RTMP extended headers). Pure.

#include <cstdint>
#include <span>

namespace goaway::ingest {

enum class Track { Audio, Video };

/** Classification of one audio / video message body. */
struct MediaInfo {
	Track track = Track::Video;
	bool sequenceHeader = false; // codec configuration (AVC/HEVC/AAC sequence start), not a frame
	bool keyframe = false;       // video only: a frame a decoder can start from
	/// A coded frame (what the report counts); false for headers, end of sequence, command frames
	/// and empty bodies.
	bool frame = false;

	/** Classifies the body of a type-8 (audio) or type-9 (video) message. */
	static MediaInfo classify(Track track, std::span<const uint8_t> body);
};

} // namespace goaway::ingest
