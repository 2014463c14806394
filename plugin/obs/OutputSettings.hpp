#pragma once
// The output's settings: keys, defaults, properties (locale strings) and the DriverConfig they
// produce together with the stream service's URL and key.

#include "plugin/output/StreamDriver.hpp"

#include <obs-module.h>

namespace goaway::obs {

namespace setting {
inline constexpr const char *kServer = "server"; // used when no service is attached
inline constexpr const char *kKey = "key";
inline constexpr const char *kHandoffMode = "handoff_mode"; // "make-before-break" / "break-before-make"
inline constexpr const char *kPublishEarly = "publish_early";
/// supportsGoAway in connect (default on); off: E-RTMP ReconnectRequest only (capsEx stays announced).
inline constexpr const char *kAnnounceGoAway = "announce_goaway";
inline constexpr const char *kMaxKeyframeWaitMs = "max_keyframe_wait_ms";
inline constexpr const char *kDeadPathWindowMs = "dead_path_window_ms"; // issue 16
inline constexpr const char *kHotStandby = "hot_standby";               // issue 16: off by default
inline constexpr const char *kResolver = "resolver"; // "dns" / "ingest-list" / "off"
inline constexpr const char *kIngestListUrl = "ingest_list_url";
/// The streamer's backup ingest URLs, one per line (tried after another node of the current host).
inline constexpr const char *kBackupUrls = "backup_urls";
inline constexpr const char *kAllowDowngrade = "allow_rtmps_downgrade";
inline constexpr const char *kDropThresholdMs = "drop_threshold_ms";
inline constexpr const char *kPFrameDropThresholdMs = "pframe_drop_threshold_ms";
inline constexpr const char *kBindIp = "bind_ip";
inline constexpr const char *kConnectTimeoutMs = "connect_timeout_ms";
inline constexpr const char *kTlsAllowSelfSigned = "tls_allow_self_signed"; // tests only
} // namespace setting

void outputDefaults(obs_data_t *settings);
obs_properties_t *outputProperties();

/** Builds the driver configuration; the service (if any) supplies URL and key. Errors are
 *  sentences for the streamer (InvalidArgument). */
Result<output::DriverConfig> makeDriverConfig(obs_data_t *settings, obs_service_t *service, rtmp::VideoCodec codec,
					      bool audioOnly);

output::PacketQueue::Thresholds queueThresholds(obs_data_t *settings);

} // namespace goaway::obs
