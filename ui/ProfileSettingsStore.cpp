#include "ProfileSettingsStore.hpp"

#include "plugin/common/Log.hpp"

#include <obs-frontend-api.h>
#include <obs.hpp>
#include <util/bmem.h>

namespace goaway::ui {

namespace {

constexpr const char *kFileName = "obs-rtmp-goaway.json";

namespace key {
constexpr const char *kServer = "server";
constexpr const char *kKey = "key";
constexpr const char *kResolver = "resolver";
constexpr const char *kIngestListUrl = "ingest_list_url";
constexpr const char *kBackupUrls = "backup_urls";
constexpr const char *kHandoffMode = "handoff_mode";
constexpr const char *kMaxKeyframeWaitMs = "max_keyframe_wait_ms";
constexpr const char *kAnnounceGoAway = "announce_goaway";
constexpr const char *kVideoBitrate = "video_bitrate_kbps";
constexpr const char *kFollowMain = "follow_main_stream";
constexpr const char *kMainButton = "main_button";
} // namespace key

QString str(obs_data_t *data, const char *name)
{
	return QString::fromUtf8(obs_data_get_string(data, name));
}

} // namespace

std::string profileSettingsPath()
{
	char *dir = obs_frontend_get_current_profile_path();
	if (!dir)
		return {};
	std::string path = std::string(dir) + "/" + kFileName;
	bfree(dir);
	return path;
}

DockSettings loadProfileSettings()
{
	DockSettings s;
	const std::string path = profileSettingsPath();
	if (path.empty())
		return s;
	OBSDataAutoRelease data = obs_data_create_from_json_file_safe(path.c_str(), "bak");
	if (!data)
		return s;
	const DockSettings defaults;
	obs_data_set_default_string(data, key::kResolver, defaults.resolver.toUtf8().constData());
	obs_data_set_default_string(data, key::kHandoffMode, defaults.handoffMode.toUtf8().constData());
	obs_data_set_default_int(data, key::kMaxKeyframeWaitMs, defaults.maxKeyframeWaitMs);
	obs_data_set_default_int(data, key::kVideoBitrate, defaults.videoBitrateKbps);
	obs_data_set_default_bool(data, key::kAnnounceGoAway, defaults.announceGoAway);
	s.server = str(data, key::kServer);
	s.key = str(data, key::kKey);
	s.resolver = str(data, key::kResolver);
	s.ingestListUrl = str(data, key::kIngestListUrl);
	s.backupUrls = str(data, key::kBackupUrls);
	s.handoffMode = str(data, key::kHandoffMode);
	s.maxKeyframeWaitMs = int(obs_data_get_int(data, key::kMaxKeyframeWaitMs));
	s.videoBitrateKbps = int(obs_data_get_int(data, key::kVideoBitrate));
	s.announceGoAway = obs_data_get_bool(data, key::kAnnounceGoAway);
	s.followMainStream = obs_data_get_bool(data, key::kFollowMain);
	s.mainButtonUsesPlugin = obs_data_get_bool(data, key::kMainButton);
	return s;
}

bool saveProfileSettings(const DockSettings &s)
{
	const std::string path = profileSettingsPath();
	if (path.empty())
		return false;
	OBSDataAutoRelease data = obs_data_create();
	obs_data_set_string(data, key::kServer, s.server.toUtf8().constData());
	obs_data_set_string(data, key::kKey, s.key.toUtf8().constData());
	obs_data_set_string(data, key::kResolver, s.resolver.toUtf8().constData());
	obs_data_set_string(data, key::kIngestListUrl, s.ingestListUrl.toUtf8().constData());
	obs_data_set_string(data, key::kBackupUrls, s.backupUrls.toUtf8().constData());
	obs_data_set_string(data, key::kHandoffMode, s.handoffMode.toUtf8().constData());
	obs_data_set_int(data, key::kMaxKeyframeWaitMs, s.maxKeyframeWaitMs);
	obs_data_set_int(data, key::kVideoBitrate, s.videoBitrateKbps);
	obs_data_set_bool(data, key::kAnnounceGoAway, s.announceGoAway);
	obs_data_set_bool(data, key::kFollowMain, s.followMainStream);
	obs_data_set_bool(data, key::kMainButton, s.mainButtonUsesPlugin);
	if (!obs_data_save_json_safe(data, path.c_str(), "tmp", "bak")) {
		GOAWAY_LOG_WARN("ProfileSettingsStore::save", "cannot write %s", path.c_str());
		return false;
	}
	GOAWAY_LOG_INFO("ProfileSettingsStore::save", "saved to %s", path.c_str());
	return true;
}

} // namespace goaway::ui
