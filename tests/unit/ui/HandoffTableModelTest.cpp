// HandoffTableModel: rows from the output's real record JSON, dedup by id, red for loss.
#include "UiTestRecords.hpp"
#include "ui/HandoffTableModel.hpp"

#include <QBrush>
#include <QSignalSpy>
#include <QTest>

using goaway::handoff::HandoffResult;
using goaway::ui::HandoffTableModel;
using goaway::ui::test::recordJson;
namespace handoff = goaway::handoff;
namespace output = goaway::output;

class HandoffTableModelTest : public QObject {
	Q_OBJECT

private slots:
	void showsOneRowPerRecordWithTheRecordsFigures()
	{
		HandoffTableModel model;
		QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
		QVERIFY(model.addRecordJson(recordJson(1, 0, HandoffResult::Succeeded)));
		QVERIFY(model.addRecordJson(recordJson(2, 0, HandoffResult::Succeeded, std::nullopt)));
		QCOMPARE(model.rowCount(), 2);
		QCOMPARE(inserted.count(), 2);
		QCOMPARE(model.columnCount(), int(HandoffTableModel::ColumnCount));
		auto text = [&](int row, int column) {
			return model.index(row, column).data().toString();
		};
		QCOMPARE(text(0, HandoffTableModel::Time), QString("1:06"));
		QCOMPARE(text(0, HandoffTableModel::Trigger), QString("Trigger.GoAway"));
		QCOMPARE(text(0, HandoffTableModel::Route), QString("127.0.0.1:40001 → :40002")); // same host: port only
		QCOMPARE(text(0, HandoffTableModel::KeyframeWait), QString("830"));
		QCOMPARE(text(0, HandoffTableModel::Preconnect), QString("4"));
		QCOMPARE(text(0, HandoffTableModel::DeadAir), QString("12"));
		QCOMPARE(text(1, HandoffTableModel::DeadAir), QString("—")); // not measured
		QCOMPARE(text(0, HandoffTableModel::FramesLost), QString("0"));
		QCOMPARE(text(0, HandoffTableModel::Result), QString("Result.Succeeded"));
		QCOMPARE(model.headerData(HandoffTableModel::FramesLost, Qt::Horizontal).toString(),
			 QString("Dock.Column.FramesLost"));
	}

	void theRouteShowsWhatChangedAddressesIncluded()
	{
		HandoffTableModel model;
		using E = goaway::handoff::Endpoint;
		const E a{"ingest.example", 1935, "127.0.0.2"}, b{"ingest.example", 1935, "127.0.0.3"};
		model.addRecordJson(recordJson(1, 0, HandoffResult::Succeeded, 12, a, b)); // name re-resolved
		model.addRecordJson(
			recordJson(2, 0, HandoffResult::Succeeded, 12, a, E{"ingest.example", 1936, "127.0.0.3"}));
		model.addRecordJson(
			recordJson(3, 0, HandoffResult::Succeeded, 12, a, E{"node-b.example", 1935, "127.0.0.3"}));
		model.addRecordJson(recordJson(4, 0, HandoffResult::Failed, 12, a, E{"ingest.example", 1935, ""}));
		auto route = [&](int row) {
			return model.index(row, HandoffTableModel::Route).data().toString();
		};
		QCOMPARE(route(0), QString("ingest.example:1935 (127.0.0.2) → (127.0.0.3)"));
		QCOMPARE(route(1), QString("ingest.example:1935 (127.0.0.2) → :1936 (127.0.0.3)"));
		QCOMPARE(route(2), QString("ingest.example:1935 (127.0.0.2) → node-b.example:1935 (127.0.0.3)"));
		QCOMPARE(route(3), QString("ingest.example:1935 (127.0.0.2) → :1935")); // never dialled
	}

	void lostFramesAndFailuresStandOutInRed()
	{
		HandoffTableModel model;
		model.addRecordJson(recordJson(1, 0, HandoffResult::Succeeded));
		model.addRecordJson(recordJson(2, 3, HandoffResult::Failed));
		auto color = [&](int row, int column) {
			return model.index(row, column).data(Qt::ForegroundRole);
		};
		QVERIFY(!color(0, HandoffTableModel::FramesLost).isValid()); // 0 is the norm: plain
		QVERIFY(!color(0, HandoffTableModel::Result).isValid());
		QCOMPARE(color(1, HandoffTableModel::FramesLost).value<QBrush>().color(), QColor(0xe0, 0x40, 0x40));
		QCOMPARE(color(1, HandoffTableModel::Result).value<QBrush>().color(), QColor(0xe0, 0x40, 0x40));
		QVERIFY(!color(1, HandoffTableModel::Route).isValid());
		QCOMPARE(model.index(1, HandoffTableModel::Result).data(Qt::ToolTipRole).toString(),
			 QString("no target accepted the stream"));
	}

	void aRecordSeenTwiceIsOneRow()
	{
		HandoffTableModel model;
		model.addRecordJson(recordJson(7, 0, HandoffResult::Succeeded));
		QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
		model.addRecordJson(recordJson(7, 0, HandoffResult::Succeeded));
		QCOMPARE(model.rowCount(), 1);
		QCOMPARE(changed.count(), 1);
	}

	void resetsFromTheGetHandoffsArray()
	{
		HandoffTableModel model;
		model.addRecordJson(recordJson(9, 0, HandoffResult::Succeeded));
		const QByteArray array = "[" + recordJson(1, 0, HandoffResult::Succeeded) + "," +
					 recordJson(2, 1, HandoffResult::Succeeded) + "]";
		QVERIFY(model.resetFromJsonArray(array));
		QCOMPARE(model.rowCount(), 2);
		QCOMPARE(model.rows()[1].framesLost, 1);
		model.clear();
		QCOMPARE(model.rowCount(), 0);
	}

	void aLossFigureThatIsNotKnownShowsAsAtLeast()
	{
		// Issue 16: "Lost 0" only when the old server's acknowledgements said so.
		const handoff::TimePoint epoch = handoff::Clock::now();
		handoff::HandoffRecord r;
		r.id = 3;
		r.trigger = handoff::Trigger::DeadPath;
		r.triggeredAt = epoch;
		r.lossBasis = handoff::AckSource::Tcp;
		HandoffTableModel model;
		QVERIFY(model.addRecordJson(QByteArray::fromStdString(output::handoffRecordToJson(r, epoch).dump())));
		r.id = 4;
		r.lossBasis = handoff::AckSource::ServerAcks;
		QVERIFY(model.addRecordJson(QByteArray::fromStdString(output::handoffRecordToJson(r, epoch).dump())));
		QCOMPARE(model.index(0, HandoffTableModel::FramesLost).data().toString(), QString("≥0"));
		QVERIFY(model.index(0, HandoffTableModel::FramesLost).data(Qt::ForegroundRole).isValid());
		QCOMPARE(model.index(1, HandoffTableModel::FramesLost).data().toString(), QString("0"));
		QVERIFY(!model.index(1, HandoffTableModel::FramesLost).data(Qt::ForegroundRole).isValid());
	}

	void aDeadAirBoundShowsWhichBoundItIs()
	{
		// Issue 16: after a lost connection the dead air is bounded, never shown as measured.
		const handoff::TimePoint epoch = handoff::Clock::now();
		HandoffTableModel model;
		const handoff::DeadAirBasis bases[] = {handoff::DeadAirBasis::Measured, handoff::DeadAirBasis::UpTo,
						       handoff::DeadAirBasis::AtLeast};
		for (int i = 0; i < 3; ++i) {
			handoff::HandoffRecord r;
			r.id = 10 + i;
			r.triggeredAt = epoch;
			r.deadAirMs = 2400;
			r.deadAirBasis = bases[i];
			QVERIFY(model.addRecordJson(
				QByteArray::fromStdString(output::handoffRecordToJson(r, epoch).dump())));
		}
		QCOMPARE(model.index(0, HandoffTableModel::DeadAir).data().toString(), QString("2400"));
		QCOMPARE(model.index(1, HandoffTableModel::DeadAir).data().toString(), QString("≤2400"));
		QCOMPARE(model.index(2, HandoffTableModel::DeadAir).data().toString(), QString("≥2400"));
	}

	void rejectsWhatIsNotARecord()
	{
		HandoffTableModel model;
		QVERIFY(!model.addRecordJson("not json"));
		QVERIFY(!model.addRecordJson(R"({"state":"streaming"})"));
		QVERIFY(!model.resetFromJsonArray(R"({"id":1})"));
		QCOMPARE(model.rowCount(), 0);
	}
};

QTEST_MAIN(HandoffTableModelTest)
#include "HandoffTableModelTest.moc"
