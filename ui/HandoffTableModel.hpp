#pragma once
// The dock's handoff timeline: one row per handoff record the output reported (the `handoff`
// signal or the get_handoffs proc; JSON shape in plugin/output/HandoffJson.cpp).

#include <QAbstractTableModel>
#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QVector>

#include <optional>

namespace goaway::ui {

/** One handoff as the dock shows it. */
struct HandoffRow {
	qint64 id = -1;
	qint64 triggeredAtMs = 0; // since the output started
	QString trigger;          // GoAway / ReconnectRequest / Manual / ConnectionLost / DeadPath
	QString from;             // host:port
	QString to;
	qint64 waitedForKeyframeMs = 0;
	qint64 preconnectMs = 0;
	std::optional<qint64> deadAirMs;
	QString deadAirBasis; // measured / up-to (an upper bound) / at-least (a lower bound)
	qint64 framesLost = 0;
	bool framesLostKnown = true; // false: at least framesLost (the old server's acks were not known)
	QString result; // Succeeded / Failed / FellBack / Stopped
	QString failureReason;
};

/** Table model of handoff rows, deduplicated by record id (a record can arrive both through the
 *  signal and a get_handoffs refresh). Frames lost above 0 and results other than Succeeded
 *  are painted red: 0 is the norm. */
class HandoffTableModel : public QAbstractTableModel {
	Q_OBJECT

public:
	enum Column { Time, Trigger, Route, KeyframeWait, Preconnect, DeadAir, FramesLost, Result, ColumnCount };

	explicit HandoffTableModel(QObject *parent = nullptr);

	int rowCount(const QModelIndex &parent = {}) const override;
	int columnCount(const QModelIndex &parent = {}) const override;
	QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
	QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

	/** Adds (or updates, by id) one record from its JSON object text. False if it is not one. */
	bool addRecordJson(const QByteArray &json);
	/** Replaces all rows with a JSON array of records (get_handoffs). False if it is not one. */
	bool resetFromJsonArray(const QByteArray &json);
	void clear();

	const QVector<HandoffRow> &rows() const { return rows_; }
	static std::optional<HandoffRow> parseRecord(const QJsonObject &object);

private:
	void upsert(const HandoffRow &row);

	QVector<HandoffRow> rows_;
};

} // namespace goaway::ui
