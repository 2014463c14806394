#include "ObsLogSink.hpp"

#include "plugin/common/Log.hpp"

#include <obs-module.h>

namespace goaway::obs {

namespace {

void blogSink(LogLevel level, const char *line) noexcept
{
	int obsLevel = LOG_INFO;
	switch (level) {
	case LogLevel::Debug:
		obsLevel = LOG_DEBUG;
		break;
	case LogLevel::Info:
		obsLevel = LOG_INFO;
		break;
	case LogLevel::Warning:
		obsLevel = LOG_WARNING;
		break;
	case LogLevel::Error:
		obsLevel = LOG_ERROR;
		break;
	}
	blog(obsLevel, "%s", line);
}

} // namespace

void installObsLogSink()
{
	setLogSink(blogSink);
}

void removeObsLogSink()
{
	setLogSink(nullptr);
}

} // namespace goaway::obs
