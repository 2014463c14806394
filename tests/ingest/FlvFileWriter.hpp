#pragma once
// Minimal FLV file writer (FLV spec E.2-E.4): file header, then tags with their back-pointers.

#include "plugin/common/Result.hpp"

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

namespace goaway::ingest {

class FlvFileWriter {
public:
	/** FLV tag types (FLV spec E.4.1). */
	static constexpr uint8_t kAudioTag = 8;
	static constexpr uint8_t kVideoTag = 9;
	static constexpr uint8_t kScriptTag = 18;

	FlvFileWriter() = default;
	~FlvFileWriter();
	FlvFileWriter(const FlvFileWriter &) = delete;
	FlvFileWriter &operator=(const FlvFileWriter &) = delete;

	/** Creates / truncates `path` and writes the header announcing audio and video. */
	Result<void> open(const std::string &path);
	/** Appends one tag; the body is the RTMP message body unchanged. */
	Result<void> writeTag(uint8_t type, uint32_t timestamp, std::span<const uint8_t> body);
	void close();

	/** The bytes of one tag followed by its PreviousTagSize (exposed for tests). */
	static std::vector<uint8_t> tagBytes(uint8_t type, uint32_t timestamp, std::span<const uint8_t> body);
	/** The 9-byte file header plus PreviousTagSize0. */
	static std::vector<uint8_t> headerBytes();

	const std::string &path() const { return path_; }

private:
	std::FILE *file_ = nullptr;
	std::string path_;
};

} // namespace goaway::ingest
