#include "FlvFileWriter.hpp"

#include <cerrno>
#include <cstring>

namespace goaway::ingest {

FlvFileWriter::~FlvFileWriter()
{
	close();
}

std::vector<uint8_t> FlvFileWriter::headerBytes()
{
	// "FLV", version 1, flags audio (4) | video (1), header size 9, PreviousTagSize0 = 0.
	return {'F', 'L', 'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0};
}

std::vector<uint8_t> FlvFileWriter::tagBytes(uint8_t type, uint32_t timestamp, std::span<const uint8_t> body)
{
	std::vector<uint8_t> out;
	const uint32_t size = static_cast<uint32_t>(body.size());
	out.reserve(11 + body.size() + 4);
	out.push_back(type);
	out.push_back(static_cast<uint8_t>(size >> 16));
	out.push_back(static_cast<uint8_t>(size >> 8));
	out.push_back(static_cast<uint8_t>(size));
	// Lower 24 bits, then the extension byte holding bits 24-31 (FLV spec E.4.1).
	out.push_back(static_cast<uint8_t>(timestamp >> 16));
	out.push_back(static_cast<uint8_t>(timestamp >> 8));
	out.push_back(static_cast<uint8_t>(timestamp));
	out.push_back(static_cast<uint8_t>(timestamp >> 24));
	out.insert(out.end(), {0, 0, 0}); // stream id, always 0
	out.insert(out.end(), body.begin(), body.end());
	const uint32_t previous = 11 + size;
	for (int shift = 24; shift >= 0; shift -= 8)
		out.push_back(static_cast<uint8_t>(previous >> shift));
	return out;
}

Result<void> FlvFileWriter::open(const std::string &path)
{
	close();
	file_ = std::fopen(path.c_str(), "wb");
	if (!file_)
		return fail(ErrorCode::Io, "cannot create " + path + ": " + std::strerror(errno));
	path_ = path;
	const auto header = headerBytes();
	if (std::fwrite(header.data(), 1, header.size(), file_) != header.size())
		return fail(ErrorCode::Io, "cannot write " + path);
	return {};
}

Result<void> FlvFileWriter::writeTag(uint8_t type, uint32_t timestamp, std::span<const uint8_t> body)
{
	if (!file_)
		return fail(ErrorCode::Internal, "FLV file is not open");
	const auto tag = tagBytes(type, timestamp, body);
	if (std::fwrite(tag.data(), 1, tag.size(), file_) != tag.size())
		return fail(ErrorCode::Io, "cannot write " + path_);
	return {};
}

void FlvFileWriter::close()
{
	if (file_) {
		std::fclose(file_);
		file_ = nullptr;
	}
}

} // namespace goaway::ingest
