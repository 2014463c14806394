#pragma once
// Points the layers' log sink (plugin/common/Log.hpp) at OBS's blog().

namespace goaway::obs {

void installObsLogSink();
void removeObsLogSink();

} // namespace goaway::obs
