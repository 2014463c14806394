// The dock and the Settings dialog, offscreen: what they show for a model state, what their
// buttons ask for, and that the dialog edits every setting (the key masked unless asked).
#include "UiTestRecords.hpp"
#include "ui/BitrateChart.hpp"
#include "ui/GoAwayDock.hpp"
#include "ui/HandoffTableModel.hpp"
#include "ui/OutputStatusModel.hpp"
#include "ui/SettingsDialog.hpp"

#include <QCheckBox>
#include <QComboBox>
#include <QImage>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTest>

using goaway::handoff::HandoffResult;
using namespace goaway::ui;

namespace {

QByteArray stats(const char *state, qulonglong totalBytes,
		 const char *serverShowed = R"({"capsEx":null,"goAways":0,"reconnectRequests":0})",
		 bool pathCongested = false)
{
	return QStringLiteral(R"({"state":"%1","server":"rtmps://127.0.0.1:40001/live","address":"127.0.0.1",)"
			      R"("tls":true,"uptimeMs":3723000,"announced":{"supportsGoAway":true,"capsEx":1},)"
			      R"("serverShowed":%3,"pathCongested":%4,)"
			      R"("droppedFrames":0,"congestion":0.5,"handoffs":0,"totalBytes":%2})")
		.arg(state)
		.arg(totalBytes)
		.arg(QString::fromUtf8(serverShowed))
		.arg(pathCongested ? "true" : "false")
		.toUtf8();
}

template<typename T> T *child(QWidget *w, const char *name)
{
	T *c = w->findChild<T *>(name);
	if (!c)
		qFatal("no child %s", name);
	return c;
}

} // namespace

class DockWidgetsTest : public QObject {
	Q_OBJECT

private slots:
	void showsTheStatusOfALiveStream()
	{
		OutputStatusModel status;
		HandoffTableModel handoffs;
		GoAwayDock dock(&status, &handoffs);
		QCOMPARE(child<QLabel>(&dock, "goawayState")->text(), QString("Dock.State.Idle"));
		QCOMPARE(child<QPushButton>(&dock, "goawayStartStop")->text(), QString("Dock.Button.Start"));
		QVERIFY(!child<QPushButton>(&dock, "goawayHandOff")->isEnabled());

		status.markStarting(0);
		status.updateFromStats(stats("streaming", 0), 0);
		status.updateFromStats(stats("streaming", 312500), 1000);
		QVERIFY(child<QLabel>(&dock, "goawayState")->text().contains("Dock.State.Live"));
		const QString ingest = child<QLabel>(&dock, "goawayIngest")->text();
		QVERIFY2(ingest == QString("🔒 rtmps://127.0.0.1:40001/live (127.0.0.1)") ||
				 ingest == QString("[TLS] rtmps://127.0.0.1:40001/live (127.0.0.1)"),
			 qPrintable(ingest));
		QCOMPARE(child<QLabel>(&dock, "goawaySupport")->text(),
			 QString("Dock.Support.GoAway, Dock.Support.Reconnect"));
		// What we announce is not what the server showed: this one echoed no capsEx, sent nothing.
		QCOMPARE(child<QLabel>(&dock, "goawayServerShowed")->text(), QString("Dock.Server.NoCapsEx"));
		status.updateFromStats(stats("streaming", 625000, R"({"capsEx":1,"goAways":2,"reconnectRequests":1})"),
				       2000);
		QCOMPARE(child<QLabel>(&dock, "goawayServerShowed")->text(),
			 QString("Dock.Server.CapsEx 01, Dock.Server.GoAways 2, Dock.Server.ReconnectRequests 1"));
		// Not a figure the plugin made up: a malformed value shows as "none shown".
		status.updateFromStats(stats("streaming", 937500, R"({"capsEx":"1","goAways":-3})"), 3000);
		QCOMPARE(child<QLabel>(&dock, "goawayServerShowed")->text(), QString("Dock.Server.NoCapsEx"));
		status.updateFromStats(stats("streaming", 1250000), 4000);
		QCOMPARE(child<QLabel>(&dock, "goawayUptime")->text(), QString("1:02:03"));
		QCOMPARE(child<QLabel>(&dock, "goawayBitrate")->text(), QString("Dock.Bitrate.Format 2500 2500"));
		QCOMPARE(child<QLabel>(&dock, "goawayHealth")->text(), QString("Dock.Health.Format 0 50"));
		QVERIFY(child<QLabel>(&dock, "goawayHealth")->toolTip().isEmpty());
		// A congested path says so, with what it means in the tooltip; it goes when the path keeps up.
		status.updateFromStats(stats("streaming", 1500000, R"({"capsEx":null})", true), 5000);
		QCOMPARE(child<QLabel>(&dock, "goawayHealth")->text(),
			 QString("Dock.Health.Format 0 50 — Dock.Health.PathCongested"));
		QCOMPARE(child<QLabel>(&dock, "goawayHealth")->toolTip(), QString("Dock.Health.PathCongested.Tip"));
		status.updateFromStats(stats("streaming", 1750000), 6000);
		QCOMPARE(child<QLabel>(&dock, "goawayHealth")->text(), QString("Dock.Health.Format 0 50"));
		QCOMPARE(child<QPushButton>(&dock, "goawayStartStop")->text(), QString("Dock.Button.Stop"));
		QVERIFY(child<QPushButton>(&dock, "goawayHandOff")->isEnabled());
	}

	void buttonsOnlyAsk()
	{
		OutputStatusModel status;
		HandoffTableModel handoffs;
		GoAwayDock dock(&status, &handoffs);
		QSignalSpy start(&dock, &GoAwayDock::startStopRequested);
		QSignalSpy handOff(&dock, &GoAwayDock::handOffRequested);
		QSignalSpy settings(&dock, &GoAwayDock::settingsRequested);
		QTest::mouseClick(child<QPushButton>(&dock, "goawayStartStop"), Qt::LeftButton);
		QTest::mouseClick(child<QPushButton>(&dock, "goawaySettings"), Qt::LeftButton);
		status.updateState(R"({"state":"streaming"})");
		QTest::mouseClick(child<QPushButton>(&dock, "goawayHandOff"), Qt::LeftButton);
		QCOMPARE(start.count(), 1);
		QCOMPARE(settings.count(), 1);
		QCOMPARE(handOff.count(), 1);
	}

	void theTimelineShowsEachHandoffAndTheChartItsMarker()
	{
		OutputStatusModel status;
		HandoffTableModel handoffs;
		GoAwayDock dock(&status, &handoffs);
		dock.resize(640, 560);
		for (int t = 0; t <= 30; ++t)
			status.updateFromStats(stats("streaming", qulonglong(t) * 312500), t * 1000);
		handoffs.addRecordJson(test::recordJson(1, 0, HandoffResult::Succeeded));
		status.addHandoffMarker(15000);
		handoffs.addRecordJson(test::recordJson(2, 2, HandoffResult::Succeeded));
		status.addHandoffMarker(25000);
		auto *table = child<QTableView>(&dock, "goawayHandoffTable");
		QCOMPARE(table->model()->rowCount(), 2);
		dock.show();
		QVERIFY(QTest::qWaitForWindowExposed(&dock));
		const QImage image = dock.grab().toImage();
		QVERIFY(!image.isNull());
		const QString out = qEnvironmentVariable("GOAWAY_UI_SHOT_DIR");
		if (!out.isEmpty())
			image.save(out + "/dock-offscreen.png");
		// The chart painted its line (green) and a handoff marker (orange).
		const QImage chart = child<BitrateChart>(&dock, "goawayBitrateChart")->grab().toImage();
		bool green = false, orange = false;
		for (int y = 0; y < chart.height(); ++y)
			for (int x = 0; x < chart.width(); ++x) {
				const QColor c = chart.pixelColor(x, y);
				green |= c.green() > 150 && c.red() < 120 && c.blue() < 120;
				orange |= c.red() > 220 && c.green() > 130 && c.green() < 190 && c.blue() < 80;
			}
		QVERIFY(green);
		QVERIFY(orange);
	}

	void settingsDialogEditsEveryField()
	{
		DockSettings in;
		in.server = "rtmp://127.0.0.1:1935/live";
		in.key = "secret";
		in.resolver = "dns";
		in.followMainStream = true;
		SettingsDialog dialog(in);
		QCOMPARE(child<QLineEdit>(&dialog, "goawayServer")->text(), in.server);
		auto *key = child<QLineEdit>(&dialog, "goawayKey");
		QCOMPARE(key->echoMode(), QLineEdit::Password);
		child<QCheckBox>(&dialog, "goawayShowKey")->setChecked(true);
		QCOMPARE(key->echoMode(), QLineEdit::Normal);
		child<QCheckBox>(&dialog, "goawayShowKey")->setChecked(false);
		QCOMPARE(key->echoMode(), QLineEdit::Password);
		auto *listUrl = child<QLineEdit>(&dialog, "goawayIngestListUrl");
		QVERIFY(!listUrl->isEnabled());
		QVERIFY(!child<QSpinBox>(&dialog, "goawayVideoBitrate")
				 ->isEnabled()); // the main stream's bitrate applies
		QCOMPARE(dialog.settings(), in); // untouched: the same values come back
		auto *mainButton = child<QCheckBox>(&dialog, "goawayMainButton");
		QVERIFY(!mainButton->isChecked());
		mainButton->setChecked(true); // the main stream is this output: it cannot also follow it
		QVERIFY(!child<QCheckBox>(&dialog, "goawayFollowMain")->isEnabled());
		QVERIFY(dialog.settings().mainButtonUsesPlugin);
		QVERIFY(!dialog.settings().followMainStream);
		mainButton->setChecked(false);

		auto *resolver = child<QComboBox>(&dialog, "goawayResolver");
		resolver->setCurrentIndex(resolver->findData("ingest-list"));
		QVERIFY(listUrl->isEnabled());
		listUrl->setText(" https://ingest.example/list.json ");
		auto *mode = child<QComboBox>(&dialog, "goawayHandoffMode");
		mode->setCurrentIndex(mode->findData("break-before-make"));
		child<QSpinBox>(&dialog, "goawayMaxKeyframeWait")->setValue(3000);
		child<QCheckBox>(&dialog, "goawayFollowMain")->setChecked(false);
		child<QSpinBox>(&dialog, "goawayVideoBitrate")->setValue(6000);
		auto *announce = child<QCheckBox>(&dialog, "goawayAnnounceGoAway");
		QVERIFY(announce->isChecked()); // the default: Go Away announced
		announce->setChecked(false);
		const DockSettings out = dialog.settings();
		QVERIFY(!out.announceGoAway);
		QCOMPARE(out.resolver, QString("ingest-list"));
		QCOMPARE(out.ingestListUrl, QString("https://ingest.example/list.json"));
		QCOMPARE(out.handoffMode, QString("break-before-make"));
		QCOMPARE(out.maxKeyframeWaitMs, 3000);
		QCOMPARE(out.videoBitrateKbps, 6000);
		QVERIFY(!out.followMainStream);
		QCOMPARE(out.key, QString("secret"));
	}

	void settingsDialogKeepsBadBackupUrlsOpenWithAReason()
	{
		DockSettings in;
		in.backupUrls = "rtmp://b.example/live2?backup=1";
		SettingsDialog dialog(in);
		auto *backups = child<QPlainTextEdit>(&dialog, "goawayBackupUrls");
		auto *error = child<QLabel>(&dialog, "goawayBackupUrlsError");
		QCOMPARE(backups->toPlainText(), in.backupUrls);
		dialog.show();
		QVERIFY(error->isHidden());

		// A URL that is not rtmp[s] on line 3: the dialog stays open and says which line.
		backups->setPlainText("rtmp://b.example/live2?backup=1\n\nhttps://c.example/live\n");
		dialog.accept();
		QCOMPARE(dialog.result(), int(QDialog::Rejected));
		QVERIFY(dialog.isVisible());
		QVERIFY(!error->isHidden());
		QVERIFY(error->text().contains("line 3"));
		QVERIFY(error->text().contains("scheme 'https'"));

		// Fixed: OK closes it and the list comes back as typed, in its order.
		backups->setPlainText(" rtmp://b.example/live2?backup=1 \nrtmps://c.example:443/app\n");
		dialog.accept();
		QCOMPARE(dialog.result(), int(QDialog::Accepted));
		QVERIFY(error->isHidden());
		QCOMPARE(dialog.settings().backupUrls,
			 QString("rtmp://b.example/live2?backup=1 \nrtmps://c.example:443/app"));
		QCOMPARE(child<QLabel>(&dialog, "goawayLastSources")->text(), QString("Settings.LastSources.None"));

		SettingsDialog after(in, nullptr, {"DNS: 0 usable", "Backup URLs: 1 usable"});
		QCOMPARE(child<QLabel>(&after, "goawayLastSources")->text(),
			 QString("DNS: 0 usable\nBackup URLs: 1 usable"));
	}
};

QTEST_MAIN(DockWidgetsTest)
#include "DockWidgetsTest.moc"
