// OutputStatusModel: phases from the output's state slugs, bitrate from totalBytes deltas.
#include "ui/OutputStatusModel.hpp"

#include <QSignalSpy>
#include <QTest>

using goaway::ui::OutputStatusModel;
using Phase = goaway::ui::OutputStatusModel::Phase;

namespace {

QByteArray stats(const char *state, qulonglong totalBytes, int dropped = 0, double congestion = 0)
{
	return QStringLiteral(R"({"state":"%1","server":"rtmp://127.0.0.1:40001/live","address":"127.0.0.1",)"
			      R"("tls":true,"uptimeMs":61000,"announced":{"supportsGoAway":true,"capsEx":1},)"
			      R"("droppedFrames":%3,"congestion":%4,"handoffs":2,"totalBytes":%2,"lastError":""})")
		.arg(state)
		.arg(totalBytes)
		.arg(dropped)
		.arg(congestion)
		.toUtf8();
}

} // namespace

class OutputStatusModelTest : public QObject {
	Q_OBJECT

private slots:
	void foldsTheOutputsStatesIntoWhatTheStreamerReads()
	{
		QCOMPARE(OutputStatusModel::phaseForSlug("streaming"), Phase::Live);
		for (const char *slug : {"resolving", "preconnecting", "awaitingcut", "confirming"})
			QCOMPARE(OutputStatusModel::phaseForSlug(slug), Phase::HandingOff);
		QCOMPARE(OutputStatusModel::phaseForSlug("reconnecting"), Phase::Reconnecting);
		QCOMPARE(OutputStatusModel::phaseForSlug("fellback"), Phase::Error);
		QCOMPARE(OutputStatusModel::phaseForSlug("idle"), Phase::Idle);
	}

	void staysConnectingUntilTheOutputMovesThenFollowsSignals()
	{
		OutputStatusModel m;
		QSignalSpy changed(&m, &OutputStatusModel::changed);
		m.markStarting(0);
		QCOMPARE(m.phase(), Phase::Connecting);
		m.updateFromStats(stats("idle", 0), 0);
		QCOMPARE(m.phase(), Phase::Connecting); // no session yet: not "Idle"
		m.updateState(R"({"state":"streaming"})");
		QCOMPARE(m.phase(), Phase::Live);
		m.updateState(R"({"state":"awaitingcut"})");
		QCOMPARE(m.phase(), Phase::HandingOff);
		QVERIFY(m.active());
		m.markStopped(true, "The server closed the connection.");
		QCOMPARE(m.phase(), Phase::Error);
		QCOMPARE(m.phaseText(), QString("Dock.State.Error: The server closed the connection."));
		QVERIFY(!m.active());
		QVERIFY(changed.count() >= 5);
	}

	void readsIngestSupportDropsAndCongestion()
	{
		OutputStatusModel m;
		m.updateFromStats(stats("streaming", 1000, 4, 0.25), 0);
		QCOMPARE(m.server(), QString("rtmp://127.0.0.1:40001/live"));
		QCOMPARE(m.address(), QString("127.0.0.1"));
		QVERIFY(m.tls());
		QVERIFY(m.announcedGoAway());
		QVERIFY(m.announcedReconnect());
		// Announced is not shown: no serverShowed object means the server showed nothing.
		QCOMPARE(m.serverCapsEx(), -1);
		QCOMPARE(m.serverGoAways(), 0);
		QCOMPARE(m.serverReconnectRequests(), 0);
		QCOMPARE(m.uptimeMs(), 61000);
		QCOMPARE(m.droppedFrames(), 4);
		QCOMPARE(m.congestion(), 0.25);
		QCOMPARE(m.handoffs(), 2);
	}

	void saysWhatEachResolverSourceGaveAndKeepsItAfterTheStop()
	{
		OutputStatusModel m;
		QVERIFY(m.resolverSources().isEmpty());
		m.updateFromStats(R"({"state":"streaming","resolverSources":[
			{"source":"DNS","usable":0,"draining":1,"reason":"the host name resolves only to the draining node"},
			{"source":"backup URL","usable":2,"draining":0,"reason":""}]})",
				  0);
		QCOMPARE(m.resolverSources(),
			 QStringList({"Settings.LastSources.Draining.Format Settings.LastSources.Usable.Format "
				      "Source.Dns 0 1 — the host name resolves only to the draining node",
				      "Settings.LastSources.Usable.Format Source.Backup 2"}));
		m.updateFromStats(R"({"state":"idle","resolverSources":[]})", 1000); // a new run, nothing yet
		QCOMPARE(m.resolverSources().size(), 2);
	}

	void bitrateIsTheByteDeltaAndTheAverageCoversOneMinute()
	{
		OutputStatusModel m;
		m.updateFromStats(stats("streaming", 0), 0);
		QCOMPARE(m.liveKbps(), 0.0);
		// 125 000 bytes in one second = 1000 kbit/s.
		m.updateFromStats(stats("streaming", 125000), 1000);
		QCOMPARE(m.liveKbps(), 1000.0);
		QCOMPARE(m.averageKbps(), 1000.0);
		// Then 3000 kbit/s for a second: live 3000, average over both seconds 2000.
		m.updateFromStats(stats("streaming", 500000), 2000);
		QCOMPARE(m.liveKbps(), 3000.0);
		QCOMPARE(m.averageKbps(), 2000.0);
		QCOMPARE(m.history().size(), size_t(2));
		// 70 s later at 1000 kbit/s: the first minute fell out of the average.
		qulonglong total = 500000;
		for (int t = 3000; t <= 72000; t += 1000) {
			total += 125000;
			m.updateFromStats(stats("streaming", total), t);
		}
		QCOMPARE(m.liveKbps(), 1000.0);
		QCOMPARE(m.averageKbps(), 1000.0);
	}

	void aNewRunStartsANewHistory()
	{
		OutputStatusModel m;
		m.updateFromStats(stats("streaming", 0), 0);
		m.updateFromStats(stats("streaming", 250000), 1000);
		m.addHandoffMarker(1000);
		QCOMPARE(m.markers().size(), 1);
		m.markStarting(5000);
		QVERIFY(m.history().empty());
		QVERIFY(m.markers().isEmpty());
		m.updateFromStats(stats("streaming", 0), 5000); // counter restarted: no negative bitrate
		m.updateFromStats(stats("streaming", 125000), 6000);
		QCOMPARE(m.liveKbps(), 1000.0);
	}
};

QTEST_MAIN(OutputStatusModelTest)
#include "OutputStatusModelTest.moc"
