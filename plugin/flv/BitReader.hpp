#pragma once
// Reads bits MSB-first from an RBSP (H.264 / HEVC parameter sets after emulation prevention
// removal, AV1 OBU payloads). Reading past the end yields zeros and sets overrun().

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace goaway::flv {

class BitReader {
public:
	explicit BitReader(std::span<const uint8_t> bytes) : bytes_(bytes) {}

	uint32_t bits(int count);
	bool flag() { return bits(1) != 0; }
	void skip(size_t count);
	/** Exp-Golomb ue(v) (H.264 9.1). */
	uint32_t ue();
	/** AV1 uvlc() (AV1 spec 4.10.3). */
	uint32_t uvlc();
	size_t position() const { return pos_; }
	bool overrun() const { return overrun_; }

private:
	std::span<const uint8_t> bytes_;
	size_t pos_ = 0;
	bool overrun_ = false;
};

/** Removes emulation prevention bytes (00 00 03 → 00 00), H.264 7.4.1 / HEVC 7.4.2. */
std::vector<uint8_t> unescapeRbsp(std::span<const uint8_t> nal);

} // namespace goaway::flv
