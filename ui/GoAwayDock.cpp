#include "GoAwayDock.hpp"
#include "BitrateChart.hpp"
#include "HandoffTableModel.hpp"
#include "OutputStatusModel.hpp"
#include "UiText.hpp"

#include "plugin/common/Boundary.hpp"

#include <QFontMetrics>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

namespace goaway::ui {

namespace {

QLabel *valueLabel(const char *name, QWidget *parent)
{
	auto *label = new QLabel(parent);
	label->setObjectName(name);
	label->setTextInteractionFlags(Qt::TextSelectableByMouse);
	return label;
}

QString phaseColor(OutputStatusModel::Phase phase)
{
	switch (phase) {
	case OutputStatusModel::Phase::Live:
		return "#4caf50";
	case OutputStatusModel::Phase::HandingOff:
	case OutputStatusModel::Phase::Connecting:
		return "#ffa020";
	case OutputStatusModel::Phase::Reconnecting:
	case OutputStatusModel::Phase::Error:
		return "#e04040";
	default:
		return {};
	}
}

/** What the server showed this stream, never what we announce: its capsEx echo, the signals. */
QString serverShowedText(const OutputStatusModel &s)
{
	QStringList parts;
	parts << (s.serverCapsEx() >= 0 ? uiText("Dock.Server.CapsEx").arg(s.serverCapsEx(), 2, 16, QLatin1Char('0'))
					: uiText("Dock.Server.NoCapsEx"));
	if (s.serverGoAways() > 0)
		parts << uiText("Dock.Server.GoAways").arg(s.serverGoAways());
	if (s.serverReconnectRequests() > 0)
		parts << uiText("Dock.Server.ReconnectRequests").arg(s.serverReconnectRequests());
	return parts.join(QStringLiteral(", "));
}

} // namespace

GoAwayDock::GoAwayDock(OutputStatusModel *status, HandoffTableModel *handoffs, QWidget *parent)
	: QWidget(parent),
	  status_(status)
{
	setObjectName("obsRtmpGoAwayDock");
	auto *layout = new QVBoxLayout(this);
	layout->setContentsMargins(4, 4, 4, 4);

	auto *form = new QFormLayout();
	form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
	stateLabel_ = valueLabel("goawayState", this);
	stateLabel_->setWordWrap(true);
	ingestLabel_ = valueLabel("goawayIngest", this);
	supportLabel_ = valueLabel("goawaySupport", this);
	serverShowedLabel_ = valueLabel("goawayServerShowed", this);
	serverShowedLabel_->setWordWrap(true);
	uptimeLabel_ = valueLabel("goawayUptime", this);
	bitrateLabel_ = valueLabel("goawayBitrate", this);
	healthLabel_ = valueLabel("goawayHealth", this);
	mainStreamLabel_ = valueLabel("goawayMainStream", this);
	mainStreamLabel_->setWordWrap(true);
	mainStreamLabel_->setToolTip(uiText("Dock.Label.MainStream.Tip"));
	form->addRow(uiText("Dock.Label.State"), stateLabel_);
	form->addRow(uiText("Dock.Label.Ingest"), ingestLabel_);
	form->addRow(uiText("Dock.Label.Announced"), supportLabel_);
	form->addRow(uiText("Dock.Label.ServerShowed"), serverShowedLabel_);
	form->addRow(uiText("Dock.Label.Uptime"), uptimeLabel_);
	form->addRow(uiText("Dock.Label.Bitrate"), bitrateLabel_);
	form->addRow(uiText("Dock.Label.Health"), healthLabel_);
	form->addRow(uiText("Dock.Label.MainStream"), mainStreamLabel_);
	layout->addLayout(form);

	chart_ = new BitrateChart(status, this);
	layout->addWidget(chart_);

	handoffTable_ = new QTableView(this);
	handoffTable_->setObjectName("goawayHandoffTable");
	handoffTable_->setModel(handoffs);
	handoffTable_->verticalHeader()->hide();
	handoffTable_->horizontalHeader()->setStretchLastSection(true);
	handoffTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
	handoffTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
	handoffTable_->setWordWrap(false);
	layout->addWidget(handoffTable_, 1);
	// Fit the columns to their text whenever rows change (ResizeToContents sections computed
	// while the dock was empty stay elided in OBS).
	auto fit = [table = handoffTable_] {
		table->resizeColumnsToContents();
		table->scrollToBottom();
	};
	connect(handoffs, &QAbstractItemModel::rowsInserted, handoffTable_, fit);
	connect(handoffs, &QAbstractItemModel::dataChanged, handoffTable_, fit);
	connect(handoffs, &QAbstractItemModel::modelReset, handoffTable_, fit);
	fit();

	auto *buttons = new QHBoxLayout();
	startStop_ = new QPushButton(this);
	startStop_->setObjectName("goawayStartStop");
	handOff_ = new QPushButton(uiText("Dock.Button.HandOff"), this);
	handOff_->setObjectName("goawayHandOff");
	handOff_->setToolTip(uiText("Dock.Button.HandOff.Tip"));
	settings_ = new QPushButton(uiText("Dock.Button.Settings"), this);
	settings_->setObjectName("goawaySettings");
	buttons->addWidget(startStop_);
	buttons->addWidget(handOff_);
	buttons->addWidget(settings_);
	layout->addLayout(buttons);

	connect(startStop_, &QPushButton::clicked, this, &GoAwayDock::startStopRequested);
	connect(handOff_, &QPushButton::clicked, this, &GoAwayDock::handOffRequested);
	connect(settings_, &QPushButton::clicked, this, &GoAwayDock::settingsRequested);
	connect(status, &OutputStatusModel::changed, this, &GoAwayDock::refresh);
	refresh();
}

QSize GoAwayDock::sizeHint() const
{
	/// Width of the timeline's columns with short headers at OBS's default font, plus margins.
	constexpr int kPreferredWidth = 600;
	return {kPreferredWidth, QWidget::sizeHint().height()};
}

QString GoAwayDock::formatUptime(qint64 ms)
{
	const qint64 s = ms / 1000;
	return QStringLiteral("%1:%2:%3")
		.arg(s / 3600)
		.arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
		.arg(s % 60, 2, 10, QLatin1Char('0'));
}

void GoAwayDock::refresh() noexcept
{
	goaway::guarded("GoAwayDock::refresh", [&] {
		if (!status_)
			return;
		const OutputStatusModel &s = *status_;
		const QString color = phaseColor(s.phase());
		stateLabel_->setText(color.isEmpty() ? s.phaseText().toHtmlEscaped()
						     : QStringLiteral("<b style=\"color:%1\">%2</b>")
							       .arg(color, s.phaseText().toHtmlEscaped()));
		if (s.server().isEmpty() || !s.active()) {
			ingestLabel_->setText(QStringLiteral("—"));
		} else {
			QString text = s.server();
			if (!s.address().isEmpty() && s.address() != s.server())
				text += QStringLiteral(" (%1)").arg(s.address());
			if (s.tls()) {
				// A lock where the font has one (U+1F512), else a word.
				const bool lock = QFontMetrics(ingestLabel_->font()).inFontUcs4(0x1F512);
				text = (lock ? QStringLiteral("🔒 ") : QStringLiteral("[TLS] ")) + text;
			}
			ingestLabel_->setText(text);
			ingestLabel_->setToolTip(s.tls() ? uiText("Dock.Ingest.Tls") : uiText("Dock.Ingest.Plain"));
		}
		QStringList support;
		if (s.announcedGoAway())
			support << uiText("Dock.Support.GoAway");
		if (s.announcedReconnect())
			support << uiText("Dock.Support.Reconnect");
		supportLabel_->setText(support.isEmpty() ? QStringLiteral("—") : support.join(QStringLiteral(", ")));
		serverShowedLabel_->setText(s.active() ? serverShowedText(s) : QStringLiteral("—"));
		uptimeLabel_->setText(s.active() ? formatUptime(s.uptimeMs()) : QStringLiteral("—"));
		bitrateLabel_->setText(
			uiText("Dock.Bitrate.Format").arg(qRound(s.liveKbps())).arg(qRound(s.averageKbps())));
		QString health = uiText("Dock.Health.Format").arg(s.droppedFrames()).arg(qRound(s.congestion() * 100));
		if (s.active() && s.pathCongested())
			health += QStringLiteral(" — ") + uiText("Dock.Health.PathCongested");
		healthLabel_->setText(health);
		healthLabel_->setToolTip(s.active() && s.pathCongested() ? uiText("Dock.Health.PathCongested.Tip")
									 : QString());
		mainStreamLabel_->setText(s.mainStream().isEmpty() ? QStringLiteral("—") : s.mainStream());
		startStop_->setText(s.active() ? uiText("Dock.Button.Stop") : uiText("Dock.Button.Start"));
		handOff_->setEnabled(s.phase() == OutputStatusModel::Phase::Live);
	});
}

} // namespace goaway::ui
