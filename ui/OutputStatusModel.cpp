#include "OutputStatusModel.hpp"
#include "UiText.hpp"

#include <algorithm>

#include <QJsonDocument>
#include <QJsonArray>
#include <QJsonObject>

namespace goaway::ui {

namespace {

/** "Backup URLs: 1 usable (and 1 draining) — reason", from one resolverSources entry. */
QString sourceLine(const QJsonObject &o)
{
	const QString name = o.value("source").toString();
	QString source = uiText("Source.Configured");
	if (name == QLatin1String("tcUrl"))
		source = uiText("Source.TcUrl");
	else if (name == QLatin1String("ingest list"))
		source = uiText("Source.IngestList");
	else if (name == QLatin1String("DNS"))
		source = uiText("Source.Dns");
	else if (name == QLatin1String("backup URL"))
		source = uiText("Source.Backup");
	QString line = uiText("Settings.LastSources.Usable.Format").arg(source).arg(o.value("usable").toInteger());
	if (const qint64 draining = o.value("draining").toInteger(); draining > 0)
		line = uiText("Settings.LastSources.Draining.Format").arg(line).arg(draining);
	if (const QString reason = o.value("reason").toString(); !reason.isEmpty())
		line += QStringLiteral(" — ") + reason;
	return line;
}

} // namespace

OutputStatusModel::OutputStatusModel(QObject *parent) : QObject(parent) {}

OutputStatusModel::Phase OutputStatusModel::phaseForSlug(const QString &slug)
{
	// Slugs of handoff::State (plugin/output HandoffJson stateSlug).
	if (slug == QLatin1String("streaming"))
		return Phase::Live;
	if (slug == QLatin1String("resolving") || slug == QLatin1String("preconnecting") ||
	    slug == QLatin1String("awaitingcut") || slug == QLatin1String("confirming"))
		return Phase::HandingOff;
	if (slug == QLatin1String("reconnecting"))
		return Phase::Reconnecting;
	if (slug == QLatin1String("fellback"))
		return Phase::Error;
	return Phase::Idle;
}

QString OutputStatusModel::phaseText() const
{
	switch (phase_) {
	case Phase::Idle:
		return uiText("Dock.State.Idle");
	case Phase::Connecting:
		return uiText("Dock.State.Connecting");
	case Phase::Live:
		return uiText("Dock.State.Live");
	case Phase::HandingOff:
		return uiText("Dock.State.HandingOff");
	case Phase::Reconnecting:
		return uiText("Dock.State.Reconnecting");
	case Phase::Error:
		return error_.isEmpty() ? uiText("Dock.State.Error")
					: uiText("Dock.State.Error") + QStringLiteral(": ") + error_;
	}
	return {};
}

void OutputStatusModel::updateState(const QByteArray &json)
{
	const QJsonObject o = QJsonDocument::fromJson(json).object();
	if (!o.contains("state"))
		return;
	const Phase next = phaseForSlug(o.value("state").toString());
	// "idle" while we wait for the first connection is still Connecting; a stop says Idle.
	if (next == Phase::Idle && phase_ == Phase::Connecting)
		return;
	phase_ = next;
	emit changed();
}

void OutputStatusModel::markStarting(qint64 nowMs)
{
	phase_ = Phase::Connecting;
	error_.clear();
	bytes_.clear();
	history_.clear();
	markers_.clear();
	liveKbps_ = averageKbps_ = 0;
	uptimeMs_ = 0;
	emit changed();
}

void OutputStatusModel::markStopped(bool error, const QString &reason)
{
	phase_ = error ? Phase::Error : Phase::Idle;
	error_ = error ? reason : QString();
	liveKbps_ = 0;
	emit changed();
}

void OutputStatusModel::setMainStream(const QString &text)
{
	if (text == mainStream_)
		return;
	mainStream_ = text;
	emit changed();
}

void OutputStatusModel::addHandoffMarker(qint64 nowMs)
{
	markers_.push_back(nowMs);
	emit changed();
}

void OutputStatusModel::trim(qint64 nowMs)
{
	while (!bytes_.empty() && nowMs - bytes_.front().atMs > kBitrateAverageWindowMs)
		bytes_.pop_front();
	while (!history_.empty() && nowMs - history_.front().atMs > kHistoryMs)
		history_.pop_front();
	while (!markers_.isEmpty() && nowMs - markers_.front() > kHistoryMs)
		markers_.pop_front();
}

void OutputStatusModel::updateFromStats(const QByteArray &json, qint64 nowMs)
{
	const QJsonObject o = QJsonDocument::fromJson(json).object();
	if (o.isEmpty())
		return;
	const QString slug = o.value("state").toString();
	const Phase next = phaseForSlug(slug);
	if (!(next == Phase::Idle && (phase_ == Phase::Connecting || phase_ == Phase::Error)))
		phase_ = next;
	if (o.contains("lastError") && phase_ == Phase::Error && !o.value("lastError").toString().isEmpty())
		error_ = o.value("lastError").toString();
	server_ = o.value("server").toString();
	address_ = o.value("address").toString();
	tls_ = o.value("tls").toBool();
	const QJsonObject announced = o.value("announced").toObject();
	announcedGoAway_ = announced.value("supportsGoAway").toBool();
	announcedReconnect_ = (announced.value("capsEx").toInt() & 1) != 0; // E-RTMP capsEx Reconnect bit
	const QJsonObject showed = o.value("serverShowed").toObject();
	const QJsonValue caps = showed.value("capsEx");
	serverCapsEx_ = caps.isDouble() && caps.toInt(-1) >= 0 ? caps.toInt(-1) : -1;
	serverGoAways_ = std::max<qint64>(0, showed.value("goAways").toInteger());
	serverReconnectRequests_ = std::max<qint64>(0, showed.value("reconnectRequests").toInteger());
	uptimeMs_ = o.value("uptimeMs").toInteger();
	droppedFrames_ = o.value("droppedFrames").toInteger();
	congestion_ = o.value("congestion").toDouble();
	pathCongested_ = o.value("pathCongested").toBool();
	if (o.value("resolverSources").isArray()) {
		QStringList lines;
		for (const QJsonValue &v : o.value("resolverSources").toArray())
			lines.push_back(sourceLine(v.toObject()));
		if (!lines.isEmpty())
			resolverSources_ = lines;
	}
	handoffs_ = o.value("handoffs").toInt();

	const quint64 total = quint64(o.value("totalBytes").toInteger());
	if (!bytes_.empty() && total < bytes_.back().totalBytes) {
		// A new run of the output: its byte counter started again.
		bytes_.clear();
		history_.clear();
	}
	if (!bytes_.empty() && nowMs > bytes_.back().atMs) {
		const ByteSample &last = bytes_.back();
		liveKbps_ = double(total - last.totalBytes) * 8.0 / double(nowMs - last.atMs); // bytes/ms*8 = kbit/s
		history_.push_back({nowMs, liveKbps_});
	}
	bytes_.push_back({nowMs, total});
	trim(nowMs);
	const ByteSample &first = bytes_.front();
	averageKbps_ = nowMs > first.atMs ? double(total - first.totalBytes) * 8.0 / double(nowMs - first.atMs) : 0;
	if (!active()) {
		liveKbps_ = 0;
	}
	emit changed();
}

} // namespace goaway::ui
