#pragma once
// The dock's live status: the output's state, where it streams, what it announced, and a
// bitrate history computed from get_stats' totalBytes. Times are passed in (testable).

#include <QByteArray>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QVector>

#include <deque>

namespace goaway::ui {

/** One point of the bitrate chart. */
struct BitrateSample {
	qint64 atMs = 0;
	double kbps = 0;
};

/** What the dock shows above the timeline. Fed on the Qt thread; emits changed(). */
class OutputStatusModel : public QObject {
	Q_OBJECT

public:
	/** What the streamer reads; the output's finer states are folded into these. */
	enum class Phase { Idle, Connecting, Live, HandingOff, Reconnecting, Error };
	Q_ENUM(Phase)

	explicit OutputStatusModel(QObject *parent = nullptr);

	/** get_stats / get_state JSON (plugin/obs GoAwayOutput::statsJson), sampled at `nowMs`. */
	void updateFromStats(const QByteArray &json, qint64 nowMs);
	/** The `handoff_state` signal's JSON ({"state": slug}). */
	void updateState(const QByteArray &json);
	/** The dock asked the output to start (shown as Connecting until the output says more). */
	void markStarting(qint64 nowMs);
	/** The output stopped: code 0 is a requested stop, anything else an error with its reason. */
	void markStopped(bool error, const QString &reason);
	/** A handoff happened at `nowMs`: a marker on the chart. */
	void addHandoffMarker(qint64 nowMs);
	/** Where OBS's main Start Streaming goes and why (one line, already translated). */
	void setMainStream(const QString &text);
	QString mainStream() const { return mainStream_; }

	Phase phase() const { return phase_; }
	QString phaseText() const;
	QString errorText() const { return error_; }
	QString server() const { return server_; }
	QString address() const { return address_; }
	bool tls() const { return tls_; }
	bool announcedGoAway() const { return announcedGoAway_; }
	bool announcedReconnect() const { return announcedReconnect_; }
	/// What the server showed, apart from what we announce: the capsEx its connect reply echoed
	/// (−1: none), and the Go Away / ReconnectRequest signals received since the start.
	int serverCapsEx() const { return serverCapsEx_; }
	qint64 serverGoAways() const { return serverGoAways_; }
	qint64 serverReconnectRequests() const { return serverReconnectRequests_; }
	qint64 uptimeMs() const { return uptimeMs_; }
	qint64 droppedFrames() const { return droppedFrames_; }
	double congestion() const { return congestion_; }
	/** The live ingest acknowledges less than is sent, still acknowledging: congestion, no handoff. */
	bool pathCongested() const { return pathCongested_; }
	int handoffs() const { return handoffs_; }
	/** What each resolver source gave for the latest handoff, one line per source (empty: no
	 *  handoff resolved yet). Kept after the stream stops: the settings show "last time". */
	const QStringList &resolverSources() const { return resolverSources_; }
	/** Between the two latest samples. */
	double liveKbps() const { return liveKbps_; }
	/** Over the last minute of samples (kBitrateAverageWindowMs). */
	double averageKbps() const { return averageKbps_; }
	const std::deque<BitrateSample> &history() const { return history_; }
	const QVector<qint64> &markers() const { return markers_; }
	bool active() const { return phase_ != Phase::Idle && phase_ != Phase::Error; }

	static Phase phaseForSlug(const QString &slug);
	/// The 1-minute average of the dock.
	static constexpr qint64 kBitrateAverageWindowMs = 60000;
	/// History kept for the chart: two minutes at one sample a second.
	static constexpr qint64 kHistoryMs = 120000;

signals:
	void changed();

private:
	void trim(qint64 nowMs);

	Phase phase_ = Phase::Idle;
	QString error_;
	QString server_;
	QString address_;
	bool tls_ = false;
	bool announcedGoAway_ = false;
	bool announcedReconnect_ = false;
	int serverCapsEx_ = -1;
	qint64 serverGoAways_ = 0;
	qint64 serverReconnectRequests_ = 0;
	qint64 uptimeMs_ = 0;
	qint64 droppedFrames_ = 0;
	double congestion_ = 0;
	bool pathCongested_ = false;
	QStringList resolverSources_;
	QString mainStream_;
	int handoffs_ = 0;
	double liveKbps_ = 0;
	double averageKbps_ = 0;
	struct ByteSample {
		qint64 atMs;
		quint64 totalBytes;
	};
	std::deque<ByteSample> bytes_;
	std::deque<BitrateSample> history_;
	QVector<qint64> markers_;
};

} // namespace goaway::ui
