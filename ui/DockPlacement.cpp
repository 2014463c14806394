#include "DockPlacement.hpp"

#include <obs-frontend-api.h>
#include <obs-module.h>
#include <obs.hpp>
#include <util/platform.h>

#include <QDockWidget>
#include <QMainWindow>
#include <QPointer>
#include <QTimer>

namespace goaway::ui {

namespace {

constexpr const char *kStateFile = "dock.json";
constexpr const char *kShownKey = "shownOnce";
/// First-run dock width (px): the status lines and the eight timeline columns fit.
constexpr int kFirstRunWidth = 620;

} // namespace

void showDockOnFirstRun(QWidget *dockContent)
{
	if (!dockContent)
		return;
	char *path = obs_module_config_path(kStateFile);
	if (!path)
		return;
	OBSDataAutoRelease saved = obs_data_create_from_json_file(path);
	if (saved && obs_data_get_bool(saved, kShownKey)) {
		bfree(path);
		return;
	}
	auto *dock = qobject_cast<QDockWidget *>(dockContent->parentWidget());
	auto *mainWindow = static_cast<QMainWindow *>(obs_frontend_get_main_window());
	if (dock && mainWindow) {
		mainWindow->addDockWidget(Qt::RightDockWidgetArea, dock);
		dock->setFloating(false);
		// Wide enough for the handoff table's columns on the first run; after the main window's
		// own layout pass, which would otherwise shrink the new dock back to its size hint.
		QPointer<QDockWidget> guard(dock);
		QTimer::singleShot(0, mainWindow, [mainWindow, guard] {
			if (guard)
				mainWindow->resizeDocks({guard.data()}, {kFirstRunWidth}, Qt::Horizontal);
		});
		dock->show();
		dock->raise();
	}
	OBSDataAutoRelease state = obs_data_create();
	obs_data_set_bool(state, kShownKey, true);
	char *dir = obs_module_config_path("");
	if (dir) {
		os_mkdirs(dir);
		bfree(dir);
	}
	obs_data_save_json(state, path);
	bfree(path);
}

} // namespace goaway::ui
