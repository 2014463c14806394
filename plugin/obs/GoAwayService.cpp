#include "GoAwayService.hpp"
#include "PluginInfo.hpp"

#include "plugin/common/Boundary.hpp"
#include "plugin/common/Log.hpp"

#include <obs-module.h>
#include <obs.hpp>

#include <memory>
#include <string_view>

namespace goaway::obs {

namespace {

constexpr const char *kServer = "server"; // same keys as rtmp_custom, so switching keeps them
constexpr const char *kKey = "key";

constexpr const char *kInnerName = "obs-rtmp-goaway wrapped service"; // private: in no list

/** The service's data: the streamer's service it wraps, or its own server and key. */
struct ServiceData {
	std::string server;
	std::string key;
	std::string innerType;
	OBSServiceAutoRelease inner; // the streamer's service, created from the same settings

	void update(obs_data_t *settings)
	{
		server = obs_data_get_string(settings, kServer);
		key = obs_data_get_string(settings, kKey);
		const std::string type = obs_data_get_string(settings, kWrapsKey);
		if (type.empty() || type == kServiceId) {
			inner = nullptr;
			innerType.clear();
		} else if (inner && type == innerType) {
			obs_service_update(inner, settings); // its own keys; it ignores ours
		} else {
			inner = obs_service_create_private(type.c_str(), kInnerName, settings);
			innerType = inner ? type : std::string();
			if (!inner)
				GOAWAY_LOG_WARN("GoAwayService::update", "cannot create the wrapped service type %s",
						type.c_str());
		}
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
	if (data(p)->inner)
		return obs_service_get_protocol(data(p)->inner);
	return std::string_view(data(p)->server).starts_with("rtmps://") ? "RTMPS" : "RTMP";
}

const char *serviceConnectInfo(void *p, uint32_t type) noexcept
{
	// cannot throw: C calls, string views and pointers only
	if (data(p)->inner)
		return obs_service_get_connect_info(data(p)->inner, type);
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
	if (data(p)->inner)
		return obs_service_can_try_to_connect(data(p)->inner);
	return !data(p)->server.empty() && !data(p)->key.empty();
}

const char **serviceVideoCodecs(void *p) noexcept
{
	// cannot throw: C calls, string views and pointers only
	if (data(p)->inner)
		return obs_service_get_supported_video_codecs(data(p)->inner);
	static const char *codecs[] = {"h264", "hevc", "av1", nullptr};
	return codecs;
}

const char **serviceAudioCodecs(void *p) noexcept
{
	// cannot throw: C calls, string views and pointers only
	if (data(p)->inner)
		return obs_service_get_supported_audio_codecs(data(p)->inner);
	static const char *codecs[] = {"aac", nullptr};
	return codecs;
}

// The wrapped service's limits and encoder settings (a platform's bitrate cap, keyframe interval):
// what OBS would apply with the streamer's service itself. Without one: none.
void serviceApplyEncoderSettings(void *p, obs_data_t *video, obs_data_t *audio) noexcept
{
	// cannot throw: C calls and pointers only
	if (data(p)->inner)
		obs_service_apply_encoder_settings(data(p)->inner, video, audio);
}

void serviceResolutions(void *p, obs_service_resolution **resolutions, size_t *count) noexcept
{
	// cannot throw: C calls and pointers only
	if (data(p)->inner)
		obs_service_get_supported_resolutions(data(p)->inner, resolutions, count);
}

void serviceMaxFps(void *p, int *fps) noexcept
{
	// cannot throw: C calls and pointers only
	if (data(p)->inner)
		obs_service_get_max_fps(data(p)->inner, fps);
}

void serviceMaxBitrate(void *p, int *video, int *audio) noexcept
{
	// cannot throw: C calls and pointers only
	if (data(p)->inner)
		obs_service_get_max_bitrate(data(p)->inner, video, audio);
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
	info.apply_encoder_settings = serviceApplyEncoderSettings;
	info.get_supported_resolutions = serviceResolutions;
	info.get_max_fps = serviceMaxFps;
	info.get_max_bitrate = serviceMaxBitrate;
	obs_register_service(&info);
}

} // namespace goaway::obs
