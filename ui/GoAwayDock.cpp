#include "GoAwayDock.hpp"
#include "UiText.hpp"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

namespace goaway::ui {

GoAwayDock::GoAwayDock(QWidget *parent) : QWidget(parent)
{
	setObjectName("obsRtmpGoAwayDock");
	auto *layout = new QVBoxLayout(this);
	stateLabel_ = new QLabel(uiText("Dock.State.Idle"), this);
	stateLabel_->setObjectName("goawayState");
	layout->addWidget(stateLabel_);

	const char *columns[] = {"Dock.Column.Time",       "Dock.Column.Trigger",    "Dock.Column.Route",
				 "Dock.Column.Keyframe",   "Dock.Column.Preconnect", "Dock.Column.DeadAir",
				 "Dock.Column.FramesLost", "Dock.Column.Result"};
	handoffTable_ = new QTableWidget(0, static_cast<int>(std::size(columns)), this);
	QStringList headers;
	for (const char *key : columns)
		headers << uiText(key);
	handoffTable_->setHorizontalHeaderLabels(headers);
	handoffTable_->horizontalHeader()->setStretchLastSection(true);
	handoffTable_->verticalHeader()->hide();
	handoffTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
	layout->addWidget(handoffTable_);
}

} // namespace goaway::ui
