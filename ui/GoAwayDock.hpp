#pragma once
// The dock: a view over the output's status and its handoff timeline. It owns no output; its
// buttons only emit requests that OutputController carries out.

#include <QPointer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableView;

namespace goaway::ui {

class BitrateChart;
class HandoffTableModel;
class OutputStatusModel;

/** The "RTMP Go Away" dock widget. */
class GoAwayDock : public QWidget {
	Q_OBJECT

public:
	GoAwayDock(OutputStatusModel *status, HandoffTableModel *handoffs, QWidget *parent = nullptr);

	/** Wide enough for the eight timeline columns: docks first open at their content's hint. */
	QSize sizeHint() const override;

	/** Formats a duration as h:mm:ss. */
	static QString formatUptime(qint64 ms);

signals:
	void startStopRequested();
	void handOffRequested();
	void settingsRequested();

private:
	void refresh() noexcept; // fed by the output's JSON: a boundary (plugin/common/Boundary.hpp)

	QPointer<OutputStatusModel> status_;
	QLabel *stateLabel_ = nullptr;
	QLabel *ingestLabel_ = nullptr;
	QLabel *supportLabel_ = nullptr;
	QLabel *serverShowedLabel_ = nullptr;
	QLabel *uptimeLabel_ = nullptr;
	QLabel *bitrateLabel_ = nullptr;
	QLabel *healthLabel_ = nullptr;
	QLabel *mainStreamLabel_ = nullptr;
	BitrateChart *chart_ = nullptr;
	QTableView *handoffTable_ = nullptr;
	QPushButton *startStop_ = nullptr;
	QPushButton *handOff_ = nullptr;
	QPushButton *settings_ = nullptr;
};

} // namespace goaway::ui
