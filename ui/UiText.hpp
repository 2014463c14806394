#pragma once
// Locale strings for the ui layer. plugin/obs implements it with obs_module_text(), so the
// widgets never call the OBS API themselves; tests link a stand-in that returns the key.

#include <QString>

namespace goaway::ui {

QString uiText(const char *key);

} // namespace goaway::ui
