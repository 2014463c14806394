#include "OutputSettings.hpp"

#include "plugin/common/Constants.hpp"
#include "plugin/ingest/IngestUrl.hpp"
#include "plugin/rtmp/RtmpUrl.hpp"

#include <obs.hpp>

namespace goaway::obs {

namespace {

/// OBS's stock rtmp_output defaults (its properties "drop_threshold_ms" / "pframe_drop_threshold_ms").
constexpr int kDefaultDropThresholdMs = 700;
constexpr int kDefaultPFrameDropThresholdMs = 900;
/// TCP connect budget per address: OBS's stock output gives up after a similar time.
constexpr int kDefaultConnectTimeoutMs = 10000;

} // namespace

void outputDefaults(obs_data_t *settings)
{
	obs_data_set_default_string(settings, setting::kHandoffMode, "make-before-break");
	obs_data_set_default_bool(settings, setting::kPublishEarly, false);
	obs_data_set_default_bool(settings, setting::kAnnounceGoAway, true);
	obs_data_set_default_int(settings, setting::kMaxKeyframeWaitMs,
				 std::chrono::milliseconds(constants::kHandoffMaxKeyframeWait).count());
	obs_data_set_default_int(settings, setting::kDeadPathWindowMs,
				 handoff::DeadPathDetector::kDefaultWindow.count());
	obs_data_set_default_bool(settings, setting::kHotStandby, false); // costs an idle connection
	obs_data_set_default_string(settings, setting::kResolver, "dns");
	obs_data_set_default_bool(settings, setting::kAllowDowngrade, false);
	obs_data_set_default_int(settings, setting::kDropThresholdMs, kDefaultDropThresholdMs);
	obs_data_set_default_int(settings, setting::kPFrameDropThresholdMs, kDefaultPFrameDropThresholdMs);
	obs_data_set_default_int(settings, setting::kConnectTimeoutMs, kDefaultConnectTimeoutMs);
	obs_data_set_default_bool(settings, setting::kTlsAllowSelfSigned, false);
}

obs_properties_t *outputProperties()
{
	obs_properties_t *props = obs_properties_create();
	obs_properties_add_text(props, setting::kServer, obs_module_text("Settings.Server"), OBS_TEXT_DEFAULT);
	obs_properties_add_text(props, setting::kKey, obs_module_text("Settings.Key"), OBS_TEXT_PASSWORD);
	obs_property_t *mode = obs_properties_add_list(props, setting::kHandoffMode,
						       obs_module_text("Settings.HandoffMode"), OBS_COMBO_TYPE_LIST,
						       OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(mode, obs_module_text("Settings.HandoffMode.MakeBeforeBreak"),
				     "make-before-break");
	obs_property_list_add_string(mode, obs_module_text("Settings.HandoffMode.BreakBeforeMake"),
				     "break-before-make");
	obs_properties_add_bool(props, setting::kPublishEarly, obs_module_text("Settings.PublishEarly"));
	obs_properties_add_bool(props, setting::kAnnounceGoAway, obs_module_text("Settings.AnnounceGoAway"));
	obs_properties_add_int(props, setting::kMaxKeyframeWaitMs, obs_module_text("Settings.MaxKeyframeWait"), 500,
			       60000, 500);
	obs_properties_add_int(props, setting::kDeadPathWindowMs, obs_module_text("Settings.DeadPathWindow"),
			       int(handoff::DeadPathDetector::kMinWindow.count()),
			       int(handoff::DeadPathDetector::kMaxWindow.count()), 100);
	obs_property_t *standby =
		obs_properties_add_bool(props, setting::kHotStandby, obs_module_text("Settings.HotStandby"));
	obs_property_set_long_description(standby, obs_module_text("Settings.HotStandby.Tooltip"));
	obs_property_t *resolver = obs_properties_add_list(props, setting::kResolver,
							   obs_module_text("Settings.Resolver"), OBS_COMBO_TYPE_LIST,
							   OBS_COMBO_FORMAT_STRING);
	obs_property_list_add_string(resolver, obs_module_text("Settings.Resolver.Dns"), "dns");
	obs_property_list_add_string(resolver, obs_module_text("Settings.Resolver.IngestList"), "ingest-list");
	obs_property_list_add_string(resolver, obs_module_text("Settings.Resolver.Off"), "off");
	obs_properties_add_text(props, setting::kIngestListUrl, obs_module_text("Settings.IngestListUrl"),
				OBS_TEXT_DEFAULT);
	obs_property_t *backups = obs_properties_add_text(props, setting::kBackupUrls,
							  obs_module_text("Settings.BackupUrls"), OBS_TEXT_MULTILINE);
	obs_property_set_long_description(backups, obs_module_text("Settings.BackupUrls.Tooltip"));
	obs_properties_add_bool(props, setting::kAllowDowngrade, obs_module_text("Settings.AllowDowngrade"));
	obs_properties_add_int(props, setting::kDropThresholdMs, obs_module_text("Settings.DropThreshold"), 200, 10000,
			       100);
	obs_properties_add_int(props, setting::kPFrameDropThresholdMs, obs_module_text("Settings.PFrameDropThreshold"),
			       200, 10000, 100);
	obs_properties_add_text(props, setting::kBindIp, obs_module_text("Settings.BindIp"), OBS_TEXT_DEFAULT);
	return props;
}

output::PacketQueue::Thresholds queueThresholds(obs_data_t *settings)
{
	output::PacketQueue::Thresholds t;
	t.dropBFramesAfter = std::chrono::milliseconds(obs_data_get_int(settings, setting::kDropThresholdMs));
	t.dropPFramesAfter = std::chrono::milliseconds(obs_data_get_int(settings, setting::kPFrameDropThresholdMs));
	if (t.dropPFramesAfter < t.dropBFramesAfter)
		t.dropPFramesAfter = t.dropBFramesAfter;
	return t;
}

Result<output::DriverConfig> makeDriverConfig(obs_data_t *settings, obs_service_t *service, rtmp::VideoCodec codec,
					      bool audioOnly)
{
	output::DriverConfig c;
	if (service) {
		const char *url = obs_service_get_connect_info(service, OBS_SERVICE_CONNECT_INFO_SERVER_URL);
		const char *key = obs_service_get_connect_info(service, OBS_SERVICE_CONNECT_INFO_STREAM_KEY);
		c.serverUrl = url ? url : "";
		c.streamKey = key ? key : "";
	}
	if (c.serverUrl.empty()) {
		c.serverUrl = obs_data_get_string(settings, setting::kServer);
		c.streamKey = obs_data_get_string(settings, setting::kKey);
	}
	if (c.serverUrl.empty())
		return fail(ErrorCode::InvalidArgument,
			    "No server URL: set one in Settings > Stream or in the output's settings.");
	auto url = rtmp::parseRtmpUrl(c.serverUrl);
	if (!url)
		return fail(ErrorCode::InvalidArgument,
			    "The server URL is not an rtmp:// or rtmps:// URL: " + url.error().message);
	if (c.streamKey.empty())
		return fail(ErrorCode::InvalidArgument, "No stream key: set one in Settings > Stream.");

	c.session.codecForConnect = codec;
	c.session.connectTimeoutMs = int(obs_data_get_int(settings, setting::kConnectTimeoutMs));
	c.session.bindAddress = obs_data_get_string(settings, setting::kBindIp);
	if (c.session.bindAddress == "default") // what OBS's main stream sets (Settings > Advanced): no bind
		c.session.bindAddress.clear();
	c.session.allowSelfSigned = obs_data_get_bool(settings, setting::kTlsAllowSelfSigned);
	c.session.supportsGoAway = obs_data_get_bool(settings, setting::kAnnounceGoAway);

	const std::string mode = obs_data_get_string(settings, setting::kHandoffMode);
	c.handoff.mode = mode == "break-before-make" ? handoff::HandoffMode::BreakBeforeMake
						     : handoff::HandoffMode::MakeBeforeBreak;
	c.handoff.publishEarly = obs_data_get_bool(settings, setting::kPublishEarly);
	c.handoff.maxKeyframeWait = std::chrono::milliseconds(obs_data_get_int(settings, setting::kMaxKeyframeWaitMs));
	c.handoff.audioOnly = audioOnly;
	c.handoff.deadPathWindow = handoff::DeadPathDetector::clampWindow(
		std::chrono::milliseconds(obs_data_get_int(settings, setting::kDeadPathWindowMs)));
	// A write blocked on a stalled server is a dead path after the same window (the loop cannot
	// watch acknowledgements meanwhile).
	c.session.sendStallMs = int(c.handoff.deadPathWindow.count());
	c.hotStandby = obs_data_get_bool(settings, setting::kHotStandby);

	const std::string resolver = obs_data_get_string(settings, setting::kResolver);
	using S = ingest::CandidateSource;
	c.resolve.allowDowngrade = obs_data_get_bool(settings, setting::kAllowDowngrade);
	auto backups = ingest::parseBackupUrls(obs_data_get_string(settings, setting::kBackupUrls));
	if (!backups)
		return fail(ErrorCode::InvalidArgument, backups.error().message);
	c.resolve.backupUrls = std::move(*backups);
	if (resolver == "ingest-list") {
		c.resolve.ingestListUrl = obs_data_get_string(settings, setting::kIngestListUrl);
		if (c.resolve.ingestListUrl.empty())
			return fail(ErrorCode::InvalidArgument,
				    "The ingest-list resolver needs an ingest list URL (https://...).");
		c.resolve.order = {S::TcUrl, S::IngestList, S::Dns, S::Backup, S::Configured};
	} else if (resolver == "off") {
		// Go back to where the server pointed, else to a backup the streamer listed, else to the
		// configured URL: no DNS re-resolution of the current host, no probes.
		c.resolve.order = {S::TcUrl, S::Backup, S::Configured};
		c.resolve.probe = false;
	} else if (auto list = ingest::publishedIngestList(url->host); !list.empty()) {
		// The platform publishes where its ingests are (Twitch): other nodes by RTT from there.
		c.resolve.ingestListUrl = std::move(list);
		c.resolve.order = {S::TcUrl, S::IngestList, S::Dns, S::Backup, S::Configured};
	} else {
		c.resolve.order = {S::TcUrl, S::Dns, S::Backup, S::Configured};
	}
	return c;
}

} // namespace goaway::obs
