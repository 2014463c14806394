// uiText() for the ui tests: the key itself, so tests see which string a widget asked for; keys
// that the widgets format with arg() get their placeholders.
#include "ui/UiText.hpp"

namespace goaway::ui {

QString uiText(const char *key)
{
	const QString k = QString::fromUtf8(key);
	if (k.endsWith(QLatin1String(".Format")))
		return k + QStringLiteral(" %1 %2");
	if (k == QLatin1String("Dock.Chart.Title") || k == QLatin1String("Settings.BackupUrls.Invalid") ||
	    (k.startsWith(QLatin1String("Dock.Server.")) && k != QLatin1String("Dock.Server.NoCapsEx")))
		return k + QStringLiteral(" %1");
	return k;
}

} // namespace goaway::ui
