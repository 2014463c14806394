#pragma once
// The dock: a view over the output's state and its handoff timeline.

#include <QWidget>

class QLabel;
class QTableWidget;

namespace goaway::ui {

/** The "RTMP Go Away" dock widget. Owns no output; it shows what the output reports. */
class GoAwayDock : public QWidget {
	Q_OBJECT

public:
	explicit GoAwayDock(QWidget *parent = nullptr);

private:
	QLabel *stateLabel_ = nullptr;
	QTableWidget *handoffTable_ = nullptr;
};

} // namespace goaway::ui
