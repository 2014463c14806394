#include "MainStreamRoute.hpp"
#include "GoAwayService.hpp"

#include "plugin/common/Log.hpp"
#include "plugin/output/HandoffJson.hpp"

#include <obs-frontend-api.h>
#include <util/config-file.h>

#include <nlohmann/json.hpp>

#include <mutex>
#include <string_view>

namespace goaway::obs {

namespace {

constexpr const char *kStandInName = "obs-rtmp-goaway main stream service"; // private: in no list
// OBS's own names (frontend and rtmp-services, OBS 30-32).
constexpr const char *kCustomType = "rtmp_custom";
constexpr const char *kMultitrackSection = "Stream1";
constexpr const char *kMultitrackKey = "EnableMultitrackVideo";
constexpr const char *kMultitrackConfigUrl = "multitrack_video_configuration_url";

/** Whether OBS sets the main stream up as its multitrack output ("Enhanced Broadcasting"), as the
 *  frontend decides it: OBS 32 when the profile switched it on and the service can (a
 *  configuration URL, or Custom); OBS 30 the same switch, or without one the service's URL. Either
 *  rule saying yes is enough: that stream stays OBS's own. */
bool multitrackOn(obs_service_t *service, obs_data_t *settings)
{
	config_t *profile = obs_frontend_get_profile_config();
	const bool hasUrl = obs_data_has_user_value(settings, kMultitrackConfigUrl);
	if (!profile)
		return hasUrl;
	const bool set = config_has_user_value(profile, kMultitrackSection, kMultitrackKey);
	const bool on = config_get_bool(profile, kMultitrackSection, kMultitrackKey);
	const bool obs32 = on && (hasUrl || std::string_view(obs_service_get_id(service)) == kCustomType);
	const bool obs30 = set ? on : hasUrl;
	return obs32 || obs30;
}

bool isRtmp(std::string_view protocol)
{
	return protocol == "RTMP" || protocol == "RTMPS";
}

struct Published {
	std::mutex mutex;
	std::string json = MainStreamRoute{}.toJson();
};

Published &published()
{
	static Published p;
	return p;
}

} // namespace

const char *reasonName(MainStreamReason reason)
{
	switch (reason) {
	case MainStreamReason::ViaPlugin:
		return "via-plugin";
	case MainStreamReason::SwitchedOff:
		return "switched-off";
	case MainStreamReason::NoService:
		return "no-service";
	case MainStreamReason::Protocol:
		return "protocol";
	case MainStreamReason::Multitrack:
		return "multitrack";
	case MainStreamReason::NoHook:
		return "no-hook";
	}
	return "unknown";
}

std::string MainStreamRoute::toJson() const
{
	// jsonText: the project's one way to JSON text (a service's name from the profile is not
	// trusted to be valid UTF-8).
	return output::jsonText(nlohmann::json{{"viaPlugin", viaPlugin},
					       {"reason", reasonName(reason)},
					       {"serviceType", serviceType},
					       {"service", serviceName},
					       {"protocol", protocol},
					       {"autoServer", autoServer}});
}

MainStreamRoute MainStreamRouter::describe(bool wanted, bool hooked) const
{
	MainStreamRoute r;
	obs_service_t *service = obs_frontend_get_streaming_service(); // not a new reference
	if (!service) {
		r.reason = MainStreamReason::NoService;
		return r;
	}
	OBSDataAutoRelease settings = obs_service_get_settings(service);
	std::string_view type = obs_service_get_id(service);
	if (type == kServiceId) {
		// The stand-in (while a main stream runs) or a legacy profile: describe what it wraps.
		const std::string wrapped = obs_data_get_string(settings, kWrapsKey);
		r.viaPlugin = true;
		r.reason = MainStreamReason::ViaPlugin;
		r.serviceType = wrapped.empty() ? std::string(kServiceId) : wrapped;
	} else {
		r.serviceType = type;
	}
	r.serviceName = obs_data_get_string(settings, "service"); // rtmp_common's platform name
	r.autoServer = std::string_view(obs_data_get_string(settings, "server")).starts_with("auto");
	const char *protocol = obs_service_get_protocol(service);
	r.protocol = protocol ? protocol : "";
	if (r.viaPlugin)
		return r;
	if (!wanted)
		r.reason = MainStreamReason::SwitchedOff;
	else if (!hooked)
		r.reason = MainStreamReason::NoHook;
	else if (!isRtmp(r.protocol))
		r.reason = MainStreamReason::Protocol;
	else if (multitrackOn(service, settings))
		r.reason = MainStreamReason::Multitrack;
	else
		r.reason = MainStreamReason::ViaPlugin;
	r.viaPlugin = r.reason == MainStreamReason::ViaPlugin;
	return r;
}

MainStreamRoute MainStreamRouter::prepare(bool wanted, bool hooked)
{
	MainStreamRoute r = describe(wanted, hooked);
	obs_service_t *current = obs_frontend_get_streaming_service();
	if (!r.viaPlugin || !current || std::string_view(obs_service_get_id(current)) == kServiceId)
		return r;
	OBSDataAutoRelease settings = obs_service_get_settings(current);
	OBSDataAutoRelease wrapped = obs_data_create();
	obs_data_apply(wrapped, settings);
	obs_data_set_string(wrapped, kWrapsKey, obs_service_get_id(current));
	OBSServiceAutoRelease standIn = obs_service_create_private(kServiceId, kStandInName, wrapped);
	if (!standIn) {
		GOAWAY_LOG_WARN("MainStreamRouter::prepare", "cannot create %s: the main stream stays OBS's own",
				kServiceId);
		r.viaPlugin = false;
		r.reason = MainStreamReason::NoService;
		return r;
	}
	streamer_ = current;
	standIn_ = obs_service_get_weak_service(standIn);
	obs_frontend_set_streaming_service(standIn); // the frontend holds it now; not saved
	GOAWAY_LOG_INFO("MainStreamRouter::prepare",
			"the main stream goes through this plugin with the streamer's %s%s%s", r.serviceType.c_str(),
			r.serviceName.empty() ? "" : " service ", r.serviceName.c_str());
	return r;
}

void MainStreamRouter::restore()
{
	if (!streamer_)
		return;
	obs_service_t *current = obs_frontend_get_streaming_service();
	if (current && standIn_ && obs_weak_service_references_service(standIn_, current)) {
		obs_frontend_set_streaming_service(streamer_);
		GOAWAY_LOG_INFO("MainStreamRouter::restore", "the streamer's own %s is the main stream's service again",
				obs_service_get_id(streamer_));
	}
	// Else the streamer chose another service meanwhile: theirs stays.
	streamer_ = nullptr;
	standIn_ = nullptr;
}

bool MainStreamRouter::migrateLegacyService()
{
	obs_service_t *current = obs_frontend_get_streaming_service();
	if (!current || std::string_view(obs_service_get_id(current)) != kServiceId)
		return false;
	OBSDataAutoRelease settings = obs_service_get_settings(current);
	if (*obs_data_get_string(settings, kWrapsKey))
		return false; // a stand-in, not a saved profile's service
	OBSDataAutoRelease custom = obs_data_create();
	obs_data_set_string(custom, "server", obs_data_get_string(settings, "server"));
	obs_data_set_string(custom, "key", obs_data_get_string(settings, "key"));
	OBSServiceAutoRelease next = obs_service_create(kCustomType, "default_service", custom, nullptr);
	if (!next)
		return false;
	obs_frontend_set_streaming_service(next);
	obs_frontend_save_streaming_service();
	GOAWAY_LOG_INFO("MainStreamRouter::migrate",
			"the profile's %s is now OBS's Custom service with the same server and key", kServiceId);
	return true;
}

void publishMainStreamRoute(const MainStreamRoute &route)
{
	std::string json = route.toJson();
	std::lock_guard lock(published().mutex);
	published().json = std::move(json);
}

std::string publishedMainStreamRouteJson()
{
	std::lock_guard lock(published().mutex);
	return published().json;
}

} // namespace goaway::obs
