// uiText() for the ui layer, backed by the module's locale (data/locale/*.ini).
#include "UiText.hpp"

#include <obs-module.h>

namespace goaway::ui {

QString uiText(const char *key)
{
	return QString::fromUtf8(obs_module_text(key));
}

} // namespace goaway::ui
