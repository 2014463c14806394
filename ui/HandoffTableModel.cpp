#include "HandoffTableModel.hpp"
#include "UiText.hpp"

#include <QBrush>
#include <QColor>
#include <QFont>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace goaway::ui {

namespace {

/** "host:port", with the address actually dialled when the host is a name ("name:1935 (192.0.2.7)"). */
QString endpointText(const QJsonObject &e)
{
	const QString host = e.value("host").toString();
	if (host.isEmpty())
		return QStringLiteral("—");
	const QString address = e.value("address").toString();
	QString text = QStringLiteral("%1:%2").arg(host).arg(e.value("port").toInt());
	if (!address.isEmpty() && address != host)
		text += QStringLiteral(" (%1)").arg(address);
	return text;
}

QString streamTime(qint64 ms)
{
	const qint64 s = ms / 1000;
	if (s < 3600) // m:ss keeps the column narrow for the first hour
		return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
	return QStringLiteral("%1:%2:%3")
		.arg(s / 3600)
		.arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
		.arg(s % 60, 2, 10, QLatin1Char('0'));
}

/**
 * "host:1 → host:2", shortened to what changed when both are on the same host: "host:1 → :2",
 * "name:1 (a) → :2 (b)", or "name:1 (a) → (b)" when only the address changed (a name re-resolved).
 */
QString routeText(const QString &from, const QString &to)
{
	auto hostOf = [](const QString &t) {
		const qsizetype space = t.indexOf(QLatin1Char(' '));
		const QString hostPort = space < 0 ? t : t.left(space);
		return hostPort.left(hostPort.lastIndexOf(QLatin1Char(':')));
	};
	auto hostPortOf = [](const QString &t) {
		const qsizetype space = t.indexOf(QLatin1Char(' '));
		return space < 0 ? t : t.left(space);
	};
	const QString host = hostOf(from);
	if (host.isEmpty() || host != hostOf(to))
		return QStringLiteral("%1 → %2").arg(from, to);
	if (hostPortOf(from) == hostPortOf(to) && to.contains(QLatin1Char(' ')))
		return QStringLiteral("%1 → %2").arg(from, to.mid(hostPortOf(to).size() + 1));
	return QStringLiteral("%1 → %2").arg(from, to.mid(host.size()));
}

QString triggerText(const QString &trigger)
{
	const QByteArray key = "Trigger." + trigger.toUtf8();
	return trigger.isEmpty() ? QString() : uiText(key.constData());
}

QString resultText(const QString &result)
{
	const QByteArray key = "Result." + result.toUtf8();
	return result.isEmpty() ? QString() : uiText(key.constData());
}

const QColor kBad(0xe0, 0x40, 0x40);

} // namespace

HandoffTableModel::HandoffTableModel(QObject *parent) : QAbstractTableModel(parent) {}

int HandoffTableModel::rowCount(const QModelIndex &parent) const
{
	return parent.isValid() ? 0 : int(rows_.size());
}

int HandoffTableModel::columnCount(const QModelIndex &parent) const
{
	return parent.isValid() ? 0 : ColumnCount;
}

QVariant HandoffTableModel::data(const QModelIndex &index, int role) const
{
	if (!index.isValid() || index.row() >= rows_.size())
		return {};
	const HandoffRow &r = rows_[index.row()];
	if (role == Qt::DisplayRole) {
		switch (index.column()) {
		case Time:
			return streamTime(r.triggeredAtMs);
		case Trigger:
			return triggerText(r.trigger);
		case Route:
			return routeText(r.from, r.to);
		case KeyframeWait:
			return QString::number(r.waitedForKeyframeMs);
		case Preconnect:
			return QString::number(r.preconnectMs);
		case DeadAir:
			// Issue 16: after a lost connection the figure is a bound, and says which.
			if (!r.deadAirMs)
				return QStringLiteral("—");
			if (r.deadAirBasis == QLatin1String("up-to"))
				return QStringLiteral("≤%1").arg(*r.deadAirMs);
			if (r.deadAirBasis == QLatin1String("at-least"))
				return QStringLiteral("≥%1").arg(*r.deadAirMs);
			return QString::number(*r.deadAirMs);
		case FramesLost:
			// "Lost 0" only when known (issue 16): otherwise at least that many.
			return r.framesLostKnown ? QString::number(r.framesLost)
						 : QStringLiteral("≥%1").arg(r.framesLost);
		case Result:
			return resultText(r.result);
		default:
			return {};
		}
	}
	const bool lost = index.column() == FramesLost && (r.framesLost != 0 || !r.framesLostKnown);
	const bool failed = index.column() == Result && r.result != QLatin1String("Succeeded");
	if (role == Qt::ForegroundRole && (lost || failed))
		return QBrush(kBad);
	if (role == Qt::FontRole && (lost || failed)) {
		QFont bold;
		bold.setBold(true);
		return bold;
	}
	if (role == Qt::ToolTipRole && !r.failureReason.isEmpty())
		return r.failureReason;
	if (role == Qt::TextAlignmentRole && index.column() >= KeyframeWait && index.column() <= FramesLost)
		return int(Qt::AlignRight | Qt::AlignVCenter);
	return {};
}

QVariant HandoffTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
	if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
		return {};
	// Short headers keep the table readable in a narrow dock; the tooltip says it in full.
	static const char *keys[ColumnCount] = {"Dock.Column.Time",       "Dock.Column.Trigger",
						"Dock.Column.Route",      "Dock.Column.Keyframe",
						"Dock.Column.Preconnect", "Dock.Column.DeadAir",
						"Dock.Column.FramesLost", "Dock.Column.Result"};
	if (section < 0 || section >= ColumnCount)
		return {};
	if (role == Qt::ToolTipRole)
		return uiText((QByteArray(keys[section]) + ".Tip").constData());
	return uiText(keys[section]);
}

std::optional<HandoffRow> HandoffTableModel::parseRecord(const QJsonObject &o)
{
	if (!o.contains("id") || !o.contains("trigger"))
		return std::nullopt;
	HandoffRow r;
	r.id = o.value("id").toInteger();
	r.triggeredAtMs = o.value("triggeredAtMs").toInteger();
	r.trigger = o.value("trigger").toString();
	r.from = endpointText(o.value("from").toObject());
	r.to = endpointText(o.value("to").toObject());
	r.waitedForKeyframeMs = o.value("waitedForKeyframeMs").toInteger();
	r.preconnectMs = o.value("preconnectMs").toInteger();
	if (o.value("deadAirMs").isDouble())
		r.deadAirMs = o.value("deadAirMs").toInteger();
	r.deadAirBasis = o.value("deadAirBasis").toString(QStringLiteral("measured")); // absent before issue 16
	r.framesLost = o.value("framesLost").toInteger();
	r.framesLostKnown = o.value("framesLostKnown").toBool(true); // absent in records before issue 16
	r.result = o.value("result").toString();
	r.failureReason = o.value("failureReason").toString();
	return r;
}

void HandoffTableModel::upsert(const HandoffRow &row)
{
	for (int i = 0; i < rows_.size(); ++i) {
		if (rows_[i].id == row.id) {
			rows_[i] = row;
			emit dataChanged(index(i, 0), index(i, ColumnCount - 1));
			return;
		}
	}
	beginInsertRows({}, int(rows_.size()), int(rows_.size()));
	rows_.push_back(row);
	endInsertRows();
}

bool HandoffTableModel::addRecordJson(const QByteArray &json)
{
	const QJsonDocument doc = QJsonDocument::fromJson(json);
	if (!doc.isObject())
		return false;
	auto row = parseRecord(doc.object());
	if (!row)
		return false;
	upsert(*row);
	return true;
}

bool HandoffTableModel::resetFromJsonArray(const QByteArray &json)
{
	const QJsonDocument doc = QJsonDocument::fromJson(json);
	if (!doc.isArray())
		return false;
	QVector<HandoffRow> rows;
	for (const QJsonValue &v : doc.array()) {
		if (auto row = parseRecord(v.toObject()))
			rows.push_back(*row);
	}
	beginResetModel();
	rows_ = std::move(rows);
	endResetModel();
	return true;
}

void HandoffTableModel::clear()
{
	beginResetModel();
	rows_.clear();
	endResetModel();
}

} // namespace goaway::ui
