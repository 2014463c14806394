#pragma once
// A small bitrate chart (QPainter, no QtCharts): the last two minutes of the output's bitrate
// with a vertical marker for each handoff.

#include <QPointer>
#include <QWidget>

namespace goaway::ui {

class OutputStatusModel;

/** Draws OutputStatusModel::history() and markers(); repaints on the model's changed(). */
class BitrateChart : public QWidget {
	Q_OBJECT

public:
	explicit BitrateChart(OutputStatusModel *model, QWidget *parent = nullptr);
	QSize sizeHint() const override;
	QSize minimumSizeHint() const override;

protected:
	void paintEvent(QPaintEvent *event) override;

private:
	QPointer<OutputStatusModel> model_;
};

} // namespace goaway::ui
