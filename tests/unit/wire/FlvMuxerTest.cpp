// Byte vectors written from the FLV spec v10.1 (E.4.2.1 AUDIODATA / AACAUDIODATA, E.4.3.1
// VIDEODATA / AVCVIDEOPACKET), ISO/IEC 14496-15 (avcC, hvcC), the AV1 ISOBMFF binding (av1C) and
// the E-RTMP extended video header.

#include "plugin/flv/AnnexB.hpp"
#include "plugin/flv/Av1Config.hpp"
#include "plugin/flv/FlvMuxer.hpp"
#include "plugin/flv/HevcConfig.hpp"
#include "plugin/rtmp/Amf0.hpp"

#include <gtest/gtest.h>

using namespace goaway;
using namespace goaway::flv;
using Bytes = std::vector<uint8_t>;

namespace {

/** Writes syntax elements MSB-first, to build parameter sets from the spec's syntax tables. */
struct BitWriter {
	Bytes bytes;
	int used = 8;
	void bits(uint32_t value, int count)
	{
		for (int i = count - 1; i >= 0; --i) {
			if (used == 8) {
				bytes.push_back(0);
				used = 0;
			}
			bytes.back() |= uint8_t(((value >> i) & 1) << (7 - used));
			++used;
		}
	}
	void ue(uint32_t v)
	{
		uint32_t x = v + 1;
		int len = 0;
		while ((x >> len) > 1)
			++len;
		bits(0, len);
		bits(x, len + 1);
	}
	void trailing()
	{
		bits(1, 1);
		while (used != 8)
			bits(0, 1);
	}
};

Bytes cat(std::initializer_list<Bytes> parts)
{
	Bytes out;
	for (const auto &p : parts)
		out.insert(out.end(), p.begin(), p.end());
	return out;
}

const Bytes kStart4 = {0, 0, 0, 1};
const Bytes kStart3 = {0, 0, 1};

} // namespace

TEST(AnnexB, SplitsThreeAndFourByteStartCodes)
{
	Bytes in = cat({kStart4, {0x65, 0xAA, 0xBB}, kStart3, {0x06, 0xCC}, kStart4, {0x41, 0x00, 0x01, 0x02}});
	auto nals = splitAnnexB(in);
	ASSERT_EQ(nals.size(), 3u);
	EXPECT_EQ(Bytes(nals[0].begin(), nals[0].end()), (Bytes{0x65, 0xAA, 0xBB}));
	EXPECT_EQ(Bytes(nals[1].begin(), nals[1].end()), (Bytes{0x06, 0xCC}));
	EXPECT_EQ(Bytes(nals[2].begin(), nals[2].end()), (Bytes{0x41, 0x00, 0x01, 0x02}));
	Bytes already = {0, 0, 0, 2, 0x65, 0x11};
	EXPECT_EQ(annexBToLengthPrefixed(already), already);
}

TEST(FlvMuxer, AvcSequenceHeaderBaseline)
{
	Bytes sps = {0x67, 0x42, 0xC0, 0x1E, 0xDA, 0x02, 0x80};
	Bytes pps = {0x68, 0xCE, 0x3C, 0x80};
	FlvMuxer mux(rtmp::VideoCodec::H264);
	auto m = mux.videoSequenceHeader(cat({kStart4, sps, kStart3, pps}));
	ASSERT_TRUE(m);
	EXPECT_EQ(m->type, rtmp::MessageType::Video);
	// FrameType 1 | CodecID 7, AVCPacketType 0, CompositionTime 0, then avcC.
	Bytes expected = cat(
		{{0x17, 0x00, 0, 0, 0}, {0x01, 0x42, 0xC0, 0x1E, 0xFF, 0xE1, 0x00, 0x07}, sps, {0x01, 0x00, 0x04}, pps});
	EXPECT_EQ(m->payload, expected);
}

TEST(FlvMuxer, AvcSequenceHeaderHighProfileHasChromaAndBitDepth)
{
	// seq_parameter_set_id ue(0)='1', chroma_format_idc ue(1)='010', luma ue(0)='1', chroma ue(0)='1' → 0xAC.
	Bytes sps = {0x67, 0x64, 0x00, 0x1F, 0xAC, 0xD9, 0x40};
	Bytes pps = {0x68, 0xEB, 0xE3, 0xCB};
	auto m = FlvMuxer(rtmp::VideoCodec::H264).videoSequenceHeader(cat({kStart4, sps, kStart4, pps}));
	ASSERT_TRUE(m);
	Bytes expected = cat({{0x17, 0x00, 0, 0, 0},
			      {0x01, 0x64, 0x00, 0x1F, 0xFF, 0xE1, 0x00, 0x07},
			      sps,
			      {0x01, 0x00, 0x04},
			      pps,
			      {0xFD, 0xF8, 0xF8, 0x00}});
	EXPECT_EQ(m->payload, expected);
	EXPECT_FALSE(FlvMuxer(rtmp::VideoCodec::H264).videoSequenceHeader(cat({kStart4, pps})));
}

TEST(FlvMuxer, AvcFramesAreLengthPrefixedWithCompositionTime)
{
	FlvMuxer mux(rtmp::VideoCodec::H264);
	Bytes data = cat({kStart4, {0x65, 0xAA, 0xBB}, kStart3, {0x06, 0xCC}});
	auto key = mux.videoFrame({data, 80, 40, true});
	EXPECT_EQ(key.timestampMs, 40u);
	EXPECT_EQ(key.payload,
		  (Bytes{0x17, 0x01, 0x00, 0x00, 0x28, 0, 0, 0, 3, 0x65, 0xAA, 0xBB, 0, 0, 0, 2, 0x06, 0xCC}));
	Bytes inter = cat({kStart4, {0x41, 0x9A}});
	auto p = mux.videoFrame({inter, 100, 100, false});
	EXPECT_EQ(p.payload, (Bytes{0x27, 0x01, 0, 0, 0, 0, 0, 0, 2, 0x41, 0x9A}));
	auto longCto = mux.videoFrame({inter, 70000 + 1000, 1000, false});
	EXPECT_EQ(Bytes(longCto.payload.begin() + 2, longCto.payload.begin() + 5), (Bytes{0x01, 0x11, 0x70}));
}

TEST(FlvMuxer, Aac)
{
	Bytes asc = {0x11, 0x90}; // AAC-LC, 48 kHz, stereo
	auto header = FlvMuxer::audioSequenceHeader(asc);
	EXPECT_EQ(header.type, rtmp::MessageType::Audio);
	EXPECT_EQ(header.payload, (Bytes{0xAF, 0x00, 0x11, 0x90}));
	Bytes frame = {0x21, 0x10, 0x04};
	auto m = FlvMuxer::audioFrame({frame, 21, 21, true});
	EXPECT_EQ(m.timestampMs, 21u);
	EXPECT_EQ(m.payload, (Bytes{0xAF, 0x01, 0x21, 0x10, 0x04}));
}

TEST(FlvMuxer, MetadataIsSetDataFrameOnMetaData)
{
	StreamMetadata md;
	md.width = 1280;
	md.height = 720;
	md.frameRate = 30;
	md.videoBitrateKbps = 2500;
	md.audioBitrateKbps = 160;
	auto m = FlvMuxer::metadata(md);
	EXPECT_EQ(m.type, rtmp::MessageType::DataAmf0);
	Bytes prefix = {0x02, 0x00, 0x0D, '@',  's', 'e', 't', 'D', 'a', 't', 'a', 'F', 'r', 'a', 'm',
			'e',  0x02, 0x00, 0x0A, 'o', 'n', 'M', 'e', 't', 'a', 'D', 'a', 't', 'a', 0x08};
	ASSERT_GT(m.payload.size(), prefix.size());
	EXPECT_EQ(Bytes(m.payload.begin(), m.payload.begin() + prefix.size()), prefix);
	auto values = amf0::decodeAll(m.payload);
	ASSERT_TRUE(values);
	ASSERT_EQ(values->size(), 3u);
	const auto &array = (*values)[2];
	EXPECT_EQ(array.get("width")->number, 1280);
	EXPECT_EQ(array.get("height")->number, 720);
	EXPECT_EQ(array.get("videocodecid")->number, 7);
	EXPECT_EQ(array.get("audiocodecid")->number, 10);
	EXPECT_EQ(array.get("framerate")->number, 30);
	EXPECT_TRUE(array.get("stereo")->boolean);

	md.videoCodec = rtmp::VideoCodec::Hevc;
	auto hevc = amf0::decodeAll(FlvMuxer::metadata(md).payload);
	ASSERT_TRUE(hevc);
	EXPECT_EQ((*hevc)[2].get("videocodecid")->number, double(0x68766331)); // 'hvc1'
}

namespace {

/** HEVC VPS/SPS/PPS from the syntax tables (Main profile, level 3.1, 4:2:0, 8-bit, 1280x720). */
struct HevcSets {
	Bytes vps = {0x40, 0x01, 0x0C, 0x01, 0xFF, 0xFF};
	Bytes sps;
	Bytes pps = {0x44, 0x01, 0xC1, 0x72};
	HevcSets()
	{
		BitWriter w;
		w.bits(0x4201, 16); // nal_unit_type 33, layer 0, tid 1
		w.bits(0, 4);       // sps_video_parameter_set_id
		w.bits(0, 3);       // sps_max_sub_layers_minus1
		w.bits(1, 1);       // sps_temporal_id_nesting_flag
		w.bits(0x01, 8);    // profile_space 0, tier 0, profile_idc 1
		w.bits(0x60000000, 32);
		w.bits(0x9000, 16); // progressive + frame_only, rest 0 (48 bits)
		w.bits(0, 32);
		w.bits(93, 8); // level 3.1
		w.ue(0);       // sps_seq_parameter_set_id
		w.ue(1);       // chroma_format_idc 4:2:0
		w.ue(1280);
		w.ue(720);
		w.bits(0, 1); // conformance_window_flag
		w.ue(0);      // bit_depth_luma_minus8
		w.ue(0);      // bit_depth_chroma_minus8
		w.trailing();
		sps = w.bytes;
	}
};

} // namespace

TEST(FlvMuxer, HevcSequenceStartCarriesHvcC)
{
	HevcSets s;
	FlvMuxer mux(rtmp::VideoCodec::Hevc);
	auto m = mux.videoSequenceHeader(cat({kStart4, s.vps, kStart4, s.sps, kStart4, s.pps}));
	ASSERT_TRUE(m);
	Bytes expected = cat({{0x90, 'h', 'v', 'c', '1'}, // IsExHeader | FrameType 1 | SequenceStart
			      {0x01, 0x01, 0x60, 0x00, 0x00, 0x00, 0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 93},
			      {0xF0, 0x00, 0xFC, 0xFD, 0xF8, 0xF8, 0x00, 0x00},
			      {0x0F}, // constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1, length 4
			      {0x03},
			      {0xA0, 0x00, 0x01, 0x00, uint8_t(s.vps.size())},
			      s.vps,
			      {0xA1, 0x00, 0x01, 0x00, uint8_t(s.sps.size())},
			      s.sps,
			      {0xA2, 0x00, 0x01, 0x00, uint8_t(s.pps.size())},
			      s.pps});
	EXPECT_EQ(m->payload, expected);
	EXPECT_FALSE(mux.videoSequenceHeader(cat({kStart4, s.sps, kStart4, s.pps})));
}

TEST(FlvMuxer, HevcFramesUseCodedFramesOrCodedFramesX)
{
	FlvMuxer mux(rtmp::VideoCodec::Hevc);
	Bytes data = cat({kStart4, {0x26, 0x01, 0xAF}});
	auto x = mux.videoFrame({data, 40, 40, true});
	EXPECT_EQ(x.payload, (Bytes{0x93, 'h', 'v', 'c', '1', 0, 0, 0, 3, 0x26, 0x01, 0xAF}));
	auto c = mux.videoFrame({data, 80, 40, false});
	EXPECT_EQ(c.payload, (Bytes{0xA1, 'h', 'v', 'c', '1', 0, 0, 0x28, 0, 0, 0, 3, 0x26, 0x01, 0xAF}));
}

namespace {

/** An AV1 sequence header OBU (AV1 spec 5.5), profile 0, level 8 (4.0), 1280x720, 8-bit 4:2:0. */
Bytes av1SequenceHeaderObu()
{
	BitWriter w;
	w.bits(0, 3); // seq_profile
	w.bits(0, 1); // still_picture
	w.bits(0, 1); // reduced_still_picture_header
	w.bits(0, 1); // timing_info_present_flag
	w.bits(0, 1); // initial_display_delay_present_flag
	w.bits(0, 5); // operating_points_cnt_minus_1
	w.bits(0, 12);
	w.bits(8, 5);  // seq_level_idx[0]
	w.bits(0, 1);  // seq_tier[0] (level > 7)
	w.bits(10, 4); // frame_width_bits_minus_1
	w.bits(10, 4);
	w.bits(1279, 11);
	w.bits(719, 11);
	w.bits(0, 1);      // frame_id_numbers_present_flag
	w.bits(0b011, 3);  // 128x128 sb, filter_intra, intra_edge
	w.bits(0b0010, 4); // interintra, masked, warped, dual_filter
	w.bits(1, 1);      // enable_order_hint
	w.bits(0b01, 2);   // jnt_comp, ref_frame_mvs
	w.bits(1, 1);      // seq_choose_screen_content_tools
	w.bits(1, 1);      // seq_choose_integer_mv
	w.bits(6, 3);      // order_hint_bits_minus_1
	w.bits(0b011, 3);  // superres, cdef, restoration
	w.bits(0, 1);      // high_bitdepth
	w.bits(0, 1);      // mono_chrome
	w.bits(0, 1);      // color_description_present_flag
	w.bits(0, 1);      // color_range
	w.bits(0, 2);      // chroma_sample_position
	w.bits(0, 1);      // film_grain_params_present
	w.trailing();
	Bytes obu = {0x0A, uint8_t(w.bytes.size())}; // type 1, has_size_field
	obu.insert(obu.end(), w.bytes.begin(), w.bytes.end());
	return obu;
}

} // namespace

TEST(FlvMuxer, Av1SequenceStartCarriesAv1C)
{
	Bytes obu = av1SequenceHeaderObu();
	FlvMuxer mux(rtmp::VideoCodec::Av1);
	Bytes td = {0x12, 0x00}; // temporal delimiter OBU first, as some encoders emit it
	auto m = mux.videoSequenceHeader(cat({td, obu}));
	ASSERT_TRUE(m);
	Bytes expected = cat({{0x90, 'a', 'v', '0', '1'}, {0x81, 0x08, 0x0C, 0x00}, obu});
	EXPECT_EQ(m->payload, expected);
	EXPECT_FALSE(mux.videoSequenceHeader(td));
}

TEST(FlvMuxer, Av1FramesDropTemporalDelimiters)
{
	FlvMuxer mux(rtmp::VideoCodec::Av1);
	Bytes frame = {0x32, 0x03, 0x10, 0x20, 0x30}; // OBU_FRAME with a 3-byte payload
	auto m = mux.videoFrame({cat({{0x12, 0x00}, frame}), 80, 40, false});
	EXPECT_EQ(m.timestampMs, 40u);
	EXPECT_EQ(m.payload, cat({{0xA1, 'a', 'v', '0', '1'}, frame}));
}
