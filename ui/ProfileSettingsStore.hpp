#pragma once
// The dock's settings, saved per OBS profile: <profile folder>/obs-rtmp-goaway.json (next to the
// profile's own service.json, which holds OBS's stream key the same way).

#include "DockSettings.hpp"

#include <string>

namespace goaway::ui {

/** Path of the settings file of the current profile; empty when OBS has no profile yet. */
std::string profileSettingsPath();
/** The current profile's dock settings (defaults when none were saved). */
DockSettings loadProfileSettings();
/** Saves them in the current profile; false (logged) when the file cannot be written. */
bool saveProfileSettings(const DockSettings &settings);

} // namespace goaway::ui
