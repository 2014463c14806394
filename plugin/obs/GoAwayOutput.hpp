#pragma once
// The rtmp_goaway_output output type: registration with libobs.

namespace goaway::obs {

/** Registers the rtmp_goaway_output type with libobs (once, from obs_module_load). */
void registerGoAwayOutput();

} // namespace goaway::obs
