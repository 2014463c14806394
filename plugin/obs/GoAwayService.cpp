#include "GoAwayService.hpp"
#include "PluginInfo.hpp"

#include "plugin/common/Boundary.hpp"
#include "plugin/common/Log.hpp"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <obs.hpp>

#include <memory>
#include <string_view>

namespace goaway::obs {

namespace {

constexpr const char *kServer = "server"; // same keys as rtmp_custom, so switching keeps them
constexpr const char *kKey = "key";

/** The service's data: what connect info hands out. */
struct ServiceData {
	std::string server;
	std::string key;

	void update(obs_data_t *settings)
	{
		server = obs_data_get_string(settings, kServer);
		key = obs_data_get_string(settings, kKey);
	}
};

ServiceData *data(void *p)
{
	return static_cast<ServiceData *>(p);
}

const char *serviceName(void *) noexcept
{
	// cannot throw: C calls, string views and pointers only
	return obs_module_text("Service.Name");
}

void *serviceCreate(obs_data_t *settings, obs_service_t *) noexcept
{
	return guarded("GoAwayService::create", static_cast<void *>(nullptr), [&]() -> void * {
		auto d = std::make_unique<ServiceData>();
		d->update(settings);
		return d.release();
	});
}

void serviceDestroy(void *p) noexcept
{
	// cannot throw: deletes plain data (its destructors do not throw)
	delete data(p);
}

void serviceUpdate(void *p, obs_data_t *settings) noexcept
{
	guarded("GoAwayService::update", [&] { data(p)->update(settings); });
}

obs_properties_t *serviceProperties(void *) noexcept
{
	// cannot throw: C calls, string views and pointers only
	obs_properties_t *props = obs_properties_create();
	obs_properties_add_text(props, kServer, obs_module_text("Settings.Server"), OBS_TEXT_DEFAULT);
	obs_properties_add_text(props, kKey, obs_module_text("Settings.Key"), OBS_TEXT_PASSWORD);
	return props;
}

const char *serviceOutputType(void *) noexcept
{
	// cannot throw: C calls, string views and pointers only
	return kOutputId;
}

const char *serviceProtocol(void *p) noexcept
{
	// cannot throw: C calls, string views and pointers only
	return std::string_view(data(p)->server).starts_with("rtmps://") ? "RTMPS" : "RTMP";
}

const char *serviceConnectInfo(void *p, uint32_t type) noexcept
{
	// cannot throw: C calls, string views and pointers only
	switch (type) {
	case OBS_SERVICE_CONNECT_INFO_SERVER_URL:
		return data(p)->server.c_str();
	case OBS_SERVICE_CONNECT_INFO_STREAM_KEY:
		return data(p)->key.c_str();
	default:
		return nullptr;
	}
}

bool serviceCanTryToConnect(void *p) noexcept
{
	// cannot throw: C calls, string views and pointers only
	return !data(p)->server.empty() && !data(p)->key.empty();
}

const char **serviceVideoCodecs(void *) noexcept
{
	// cannot throw: C calls, string views and pointers only
	static const char *codecs[] = {"h264", "hevc", "av1", nullptr};
	return codecs;
}

const char **serviceAudioCodecs(void *) noexcept
{
	// cannot throw: C calls, string views and pointers only
	static const char *codecs[] = {"aac", nullptr};
	return codecs;
}

} // namespace

void registerGoAwayService()
{
	obs_service_info info = {};
	info.id = kServiceId;
	info.get_name = serviceName;
	info.create = serviceCreate;
	info.destroy = serviceDestroy;
	info.update = serviceUpdate;
	info.get_properties = serviceProperties;
	info.get_output_type = serviceOutputType; // the preferred output type (obs_service_get_preferred_output_type)
	info.get_protocol = serviceProtocol;
	info.get_connect_info = serviceConnectInfo;
	info.can_try_to_connect = serviceCanTryToConnect;
	info.get_supported_video_codecs = serviceVideoCodecs;
	info.get_supported_audio_codecs = serviceAudioCodecs;
	obs_register_service(&info);
}

bool mainStreamUsesGoAwayService()
{
	obs_service_t *service = obs_frontend_get_streaming_service(); // not a new reference
	return service && std::string_view(obs_service_get_type(service)) == kServiceId;
}

bool useGoAwayServiceForMainStream(bool use)
{
	if (use == mainStreamUsesGoAwayService())
		return true;
	obs_service_t *current = obs_frontend_get_streaming_service();
	OBSDataAutoRelease settings = obs_data_create();
	if (current) {
		const char *url = obs_service_get_connect_info(current, OBS_SERVICE_CONNECT_INFO_SERVER_URL);
		const char *key = obs_service_get_connect_info(current, OBS_SERVICE_CONNECT_INFO_STREAM_KEY);
		obs_data_set_string(settings, kServer, url ? url : "");
		obs_data_set_string(settings, kKey, key ? key : "");
	}
	OBSServiceAutoRelease next =
		obs_service_create(use ? kServiceId : "rtmp_custom", "default_service", settings, nullptr);
	if (!next)
		return false;
	obs_frontend_set_streaming_service(next);
	obs_frontend_save_streaming_service();
	GOAWAY_LOG_INFO("GoAwayService::useForMainStream", "OBS's main Start Streaming now uses %s",
			use ? kServiceId : "rtmp_custom");
	return true;
}

} // namespace goaway::obs
