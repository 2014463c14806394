#include "WebsocketVendor.hpp"
#include "MainStreamRoute.hpp"
#include "PluginInfo.hpp"

#include "plugin/common/Boundary.hpp"
#include "plugin/common/Log.hpp"

#include <obs-frontend-api.h>
#include <obs.hpp>

#include <mutex>
#include <utility>

namespace goaway::obs {

namespace {

// obs-websocket's plugin API (its documented obs-websocket-api.h, protocol "API version 3"):
// the global proc "obs_websocket_api_get_ph" hands out its proc handler, whose procs take
// calldata as below. Written here so the plugin needs no obs-websocket header or library.
constexpr const char *kGetPhProc = "obs_websocket_api_get_ph";
using RequestCallback = void (*)(obs_data_t *request, obs_data_t *response, void *priv);
struct RequestCallbackBox { // layout of obs-websocket's struct obs_websocket_request_callback
	RequestCallback callback;
	void *priv;
};

constexpr const char *kRequests[] = {"GetHandoffs", "GetState", "HandOffNow", "StartStream", "StopStream"};

/** Everything the request callbacks (obs-websocket threads) share with the Qt thread. */
struct VendorState {
	std::mutex mutex;
	proc_handler_t *ph = nullptr;
	void *vendor = nullptr;
	StreamControls controls; // the dock's start/stop: each only queues the work on the Qt thread
};

VendorState vendorState;

/** The output the requests are about: the dock's, else OBS's main one when it is ours. */
obs_output_t *findOutput()
{
	if (obs_output_t *dock = obs_get_output_by_name(kDockOutputName))
		return dock;
	obs_output_t *main = obs_frontend_get_streaming_output();
	if (main && std::string_view(obs_output_get_id(main)) == kOutputId)
		return main;
	obs_output_release(main);
	return nullptr;
}

std::string callJsonProc(obs_output_t *output, const char *proc)
{
	calldata_t cd = {};
	std::string out;
	if (proc_handler_call(obs_output_get_proc_handler(output), proc, &cd)) {
		const char *json = calldata_string(&cd, "json");
		out = json ? json : "";
	}
	calldata_free(&cd);
	return out;
}

void applyJson(obs_data_t *response, const std::string &json)
{
	OBSDataAutoRelease data = obs_data_create_from_json(json.c_str());
	if (data)
		obs_data_apply(response, data);
}

void fail(obs_data_t *response, const char *message)
{
	obs_data_set_bool(response, "ok", false);
	obs_data_set_string(response, "error", message);
}

void onGetHandoffs(obs_data_t *response)
{
	OBSOutputAutoRelease output = findOutput();
	if (!output) {
		// No output yet: an empty timeline, not an error.
		applyJson(response, R"({"ok":true,"handoffs":[]})");
		return;
	}
	applyJson(response, "{\"ok\":true,\"output\":\"" + std::string(obs_output_get_name(output)) +
				    "\",\"handoffs\":" + callJsonProc(output, "get_handoffs") + "}");
}

void onGetState(obs_data_t *response)
{
	// Where OBS's main Start Streaming goes and why (the dock's own line), in every answer.
	OBSDataAutoRelease route = obs_data_create_from_json(publishedMainStreamRouteJson().c_str());
	obs_data_set_obj(response, "mainStream", route);
	OBSOutputAutoRelease output = findOutput();
	if (!output) {
		applyJson(response, R"({"ok":true,"state":"idle","active":false})");
		return;
	}
	applyJson(response, callJsonProc(output, "get_stats"));
	obs_data_set_bool(response, "ok", true);
	obs_data_set_bool(response, "active", obs_output_active(output));
	obs_data_set_string(response, "output", obs_output_get_name(output));
}

void onHandOffNow(obs_data_t *response)
{
	OBSOutputAutoRelease output = findOutput();
	if (!output || !obs_output_active(output))
		return fail(response, "The obs-rtmp-goaway output is not streaming.");
	calldata_t cd = {};
	const bool called = proc_handler_call(obs_output_get_proc_handler(output), "request_handoff", &cd);
	const bool ok = called && calldata_bool(&cd, "ok");
	calldata_free(&cd);
	obs_data_set_bool(response, "ok", ok);
}

/** Start/stop run on the Qt thread (encoders, the output): queued; the client polls GetState. */
void queueOnDock(obs_data_t *response, std::function<bool()> StreamControls::*control)
{
	std::lock_guard lock(vendorState.mutex);
	const std::function<bool()> &queue = vendorState.controls.*control;
	if (!queue || !queue())
		return fail(response, "The obs-rtmp-goaway dock is not available.");
	obs_data_set_bool(response, "ok", true);
	obs_data_set_bool(response, "accepted", true);
}

void onStartStream(obs_data_t *response)
{
	queueOnDock(response, &StreamControls::start);
}

void onStopStream(obs_data_t *response)
{
	queueOnDock(response, &StreamControls::stop);
}

/** What obs-websocket calls (its own threads): a boundary, so nothing may throw out of it. */
template<void (*Handler)(obs_data_t *response)> void vendorRequest(obs_data_t *, obs_data_t *response, void *) noexcept
{
	if (!guarded("WebsocketVendor::request", [&] { Handler(response); }))
		fail(response, "The obs-rtmp-goaway plugin could not answer this request (see the OBS log).");
}

RequestCallback callbackFor(std::string_view request)
{
	if (request == "GetHandoffs")
		return vendorRequest<onGetHandoffs>;
	if (request == "GetState")
		return vendorRequest<onGetState>;
	if (request == "HandOffNow")
		return vendorRequest<onHandOffNow>;
	if (request == "StartStream")
		return vendorRequest<onStartStream>;
	return vendorRequest<onStopStream>;
}

bool runVendorProc(const char *proc, calldata_t *cd)
{
	calldata_set_ptr(cd, "vendor", vendorState.vendor);
	proc_handler_call(vendorState.ph, proc, cd);
	return calldata_bool(cd, "success");
}

} // namespace

bool WebsocketVendor::registerVendor(StreamControls controls)
{
	std::lock_guard lock(vendorState.mutex);
	if (vendorState.vendor)
		return true;
	calldata_t cd = {};
	proc_handler_t *ph = nullptr;
	if (proc_handler_call(obs_get_proc_handler(), kGetPhProc, &cd))
		ph = static_cast<proc_handler_t *>(calldata_ptr(&cd, "ph"));
	calldata_free(&cd);
	if (!ph) {
		GOAWAY_LOG_INFO("WebsocketVendor::registerVendor", "obs-websocket not loaded: no vendor requests");
		return false;
	}
	calldata_t reg = {};
	calldata_set_string(&reg, "name", kVendorName);
	proc_handler_call(ph, "vendor_register", &reg);
	void *vendor = calldata_ptr(&reg, "vendor");
	calldata_free(&reg);
	if (!vendor) {
		GOAWAY_LOG_WARN("WebsocketVendor::registerVendor", "obs-websocket refused the vendor %s", kVendorName);
		return false;
	}
	vendorState.ph = ph;
	vendorState.vendor = vendor;
	vendorState.controls = std::move(controls);
	int registered = 0;
	for (const char *request : kRequests) {
		RequestCallbackBox box{callbackFor(request), nullptr};
		calldata_t rc = {};
		calldata_set_string(&rc, "type", request);
		calldata_set_ptr(&rc, "callback", &box); // obs-websocket copies the struct
		registered += runVendorProc("vendor_request_register", &rc) ? 1 : 0;
		calldata_free(&rc);
	}
	GOAWAY_LOG_INFO("WebsocketVendor::registerVendor", "vendor %s registered with %d requests", kVendorName,
			registered);
	return true;
}

void WebsocketVendor::unregisterVendor()
{
	std::lock_guard lock(vendorState.mutex);
	if (!vendorState.vendor)
		return;
	for (const char *request : kRequests) {
		calldata_t cd = {};
		calldata_set_string(&cd, "type", request);
		runVendorProc("vendor_request_unregister", &cd);
		calldata_free(&cd);
	}
	// obs-websocket has no vendor_unregister: the vendor stays, without requests.
	vendorState.vendor = nullptr;
	vendorState.ph = nullptr;
	vendorState.controls = {};
	GOAWAY_LOG_INFO("WebsocketVendor::unregisterVendor", "vendor requests removed");
}

void WebsocketVendor::emitHandoff(const std::string &json)
{
	std::lock_guard lock(vendorState.mutex);
	if (!vendorState.vendor)
		return;
	OBSDataAutoRelease data = obs_data_create_from_json(json.c_str());
	if (!data)
		return;
	calldata_t cd = {};
	calldata_set_string(&cd, "type", "Handoff");
	calldata_set_ptr(&cd, "data", data.Get());
	runVendorProc("vendor_event_emit", &cd);
	calldata_free(&cd);
}

} // namespace goaway::obs
