#pragma once
// The `connect` command a Go Away-aware publisher sends (RTMP spec 7.2.1.1 plus the Go Away and
// E-RTMP v2 fields). Pure: the session sends the bytes right behind the handshake.s C2.

#include "Amf0.hpp"
#include "VideoCodec.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace goaway::rtmp {

/** E-RTMP v2 capsEx flag bits (connect command object). */
namespace caps_ex {
inline constexpr int kReconnect = 0x01;
inline constexpr int kMultitrack = 0x02;
inline constexpr int kModEx = 0x04;
inline constexpr int kTimestampNanoOffset = 0x08;
} // namespace caps_ex

/** E-RTMP FourCC info map flags. */
namespace fourcc_info {
inline constexpr int kCanDecode = 0x01;
inline constexpr int kCanEncode = 0x02;
inline constexpr int kCanForward = 0x04;
} // namespace fourcc_info

struct ConnectParams {
	std::string app;
	std::string tcUrl;
	std::string flashVer = "FMLE/3.0 (compatible; obs-rtmp-goaway)";
	VideoCodec codec = VideoCodec::H264;
	bool supportsGoAway = true;       // facebookarchive/rtmp-go-away
	int capsEx = caps_ex::kReconnect; // E-RTMP v2: we act on ReconnectRequest
	double transactionId = 1;         // RTMP spec 7.2.1.1: always 1 for connect
};

/**
 * The command object, in this order: app, type "nonprivate", supportsGoAway (AMF0 boolean, after
 * `type` as the reference client writes it), flashVer, tcUrl, capsEx (number); then, for HEVC/AV1
 * only, fourCcList (strict array) and videoFourCcInfoMap ({fourcc: CanEncode}).
 */
amf0::Value buildConnectObject(const ConnectParams &params);

/** The whole type-20 body: "connect", transaction id, command object. */
std::vector<uint8_t> buildConnectBody(const ConnectParams &params);

} // namespace goaway::rtmp
