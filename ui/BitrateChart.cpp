#include "BitrateChart.hpp"
#include "OutputStatusModel.hpp"
#include "UiText.hpp"

#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace goaway::ui {

namespace {

const QColor kLine(0x4c, 0xaf, 0x50);
const QColor kMarker(0xff, 0xa0, 0x20);

} // namespace

BitrateChart::BitrateChart(OutputStatusModel *model, QWidget *parent) : QWidget(parent), model_(model)
{
	setObjectName("goawayBitrateChart");
	connect(model, &OutputStatusModel::changed, this, qOverload<>(&QWidget::update));
}

QSize BitrateChart::sizeHint() const
{
	return {320, 90};
}

QSize BitrateChart::minimumSizeHint() const
{
	return {120, 60};
}

void BitrateChart::paintEvent(QPaintEvent *)
{
	QPainter p(this);
	p.setRenderHint(QPainter::Antialiasing);
	const QRectF area = rect().adjusted(2, 14, -2, -2);
	p.fillRect(rect(), palette().base());
	p.setPen(palette().mid().color());
	p.drawRect(area);
	if (!model_)
		return;
	const auto &history = model_->history();
	if (history.empty()) {
		p.setPen(palette().text().color());
		p.drawText(area, Qt::AlignCenter, uiText("Dock.Chart.NoData"));
		return;
	}
	// The x axis spans the samples kept (at most kHistoryMs), at least kMinSpanMs so that the
	// first seconds of a stream do not stretch across the whole chart.
	constexpr qint64 kMinSpanMs = 30000;
	const qint64 end = history.back().atMs;
	const qint64 start = std::min(history.front().atMs, end - kMinSpanMs);
	double peak = 1;
	for (const auto &s : history)
		peak = std::max(peak, s.kbps);
	peak *= 1.15; // headroom so the line never touches the top edge
	auto xOf = [&](qint64 t) {
		return area.left() + area.width() * double(t - start) / double(end - start);
	};
	auto yOf = [&](double kbps) {
		return area.bottom() - area.height() * kbps / peak;
	};

	p.setPen(QPen(kMarker, 1.5, Qt::DashLine));
	for (qint64 m : model_->markers()) {
		if (m >= start && m <= end)
			p.drawLine(QPointF(xOf(m), area.top()), QPointF(xOf(m), area.bottom()));
	}
	QPainterPath path;
	bool first = true;
	for (const auto &s : history) {
		const QPointF point(xOf(s.atMs), yOf(s.kbps));
		if (first)
			path.moveTo(point);
		else
			path.lineTo(point);
		first = false;
	}
	p.setPen(QPen(kLine, 1.5));
	p.drawPath(path);
	p.setPen(palette().text().color());
	QFont small = font();
	small.setPointSizeF(small.pointSizeF() * 0.8);
	p.setFont(small);
	p.drawText(QRectF(2, 0, width() - 4, 14), Qt::AlignLeft | Qt::AlignVCenter,
		   uiText("Dock.Chart.Title").arg(qRound(peak)));
}

} // namespace goaway::ui
