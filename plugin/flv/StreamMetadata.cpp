#include "StreamMetadata.hpp"
#include "../rtmp/Amf0.hpp"

namespace goaway::flv {

namespace {

double fourCcNumber(std::string_view cc)
{
	return static_cast<double>((uint32_t(uint8_t(cc[0])) << 24) | (uint32_t(uint8_t(cc[1])) << 16) |
				   (uint32_t(uint8_t(cc[2])) << 8) | uint32_t(uint8_t(cc[3])));
}

constexpr double kFlvCodecAvc = 7;  // FLV spec E.4.3.1 CodecID 7 = AVC
constexpr double kFlvSoundAac = 10; // FLV spec E.4.2.1 SoundFormat 10 = AAC

} // namespace

std::vector<uint8_t> makeMetadataBody(const StreamMetadata &m)
{
	using amf0::Value;
	Value array = Value::makeEcmaArray();
	array.set("duration", Value::makeNumber(0));
	array.set("fileSize", Value::makeNumber(0));
	if (m.hasVideo) {
		array.set("width", Value::makeNumber(m.width));
		array.set("height", Value::makeNumber(m.height));
		array.set("videocodecid", Value::makeNumber(m.videoCodec == rtmp::VideoCodec::H264
								    ? kFlvCodecAvc
								    : fourCcNumber(rtmp::fourCc(m.videoCodec))));
		array.set("videodatarate", Value::makeNumber(m.videoBitrateKbps));
		array.set("framerate", Value::makeNumber(m.frameRate));
	}
	if (m.hasAudio) {
		array.set("audiocodecid", Value::makeNumber(kFlvSoundAac));
		array.set("audiodatarate", Value::makeNumber(m.audioBitrateKbps));
		array.set("audiosamplerate", Value::makeNumber(m.audioSampleRate));
		array.set("audiosamplesize", Value::makeNumber(16));
		array.set("audiochannels", Value::makeNumber(m.audioChannels));
		array.set("stereo", Value::makeBoolean(m.audioChannels == 2));
	}
	array.set("encoder", Value::makeString(m.encoder));
	return amf0::encodeAll({Value::makeString("@setDataFrame"), Value::makeString("onMetaData"), array});
}

} // namespace goaway::flv
