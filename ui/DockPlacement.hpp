#pragma once
// First-run placement of the dock: OBS adds plugin docks hidden and floating, which a streamer
// who just installed the plugin would never find.

class QWidget;

namespace goaway::ui {

/** Shows the dock docked on the right the first time the plugin runs in this OBS configuration
 *  (remembered in the module's config folder); afterwards OBS's saved layout decides. */
void showDockOnFirstRun(QWidget *dockContent);

} // namespace goaway::ui
