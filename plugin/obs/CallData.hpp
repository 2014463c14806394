#pragma once
// RAII for libobs' calldata_t (obs.hpp has none): freed on every path.

#include <callback/calldata.h>

namespace goaway::obs {

class CallData {
public:
	CallData() { calldata_init(&data_); }
	~CallData() { calldata_free(&data_); }
	CallData(const CallData &) = delete;
	CallData &operator=(const CallData &) = delete;
	calldata_t *get() { return &data_; }

private:
	calldata_t data_;
};

} // namespace goaway::obs
