#pragma once
// goaway-ingest's event loop: every node, the control endpoint and every client connection in one
// thread with poll(); signals on schedule or command; stitching; the report at exit.

#include "ClientConnection.hpp"
#include "ConnectionEvents.hpp"
#include "ControlCommand.hpp"
#include "ControlEndpoint.hpp"
#include "FlvFileWriter.hpp"
#include "NodeListener.hpp"
#include "Options.hpp"
#include "Report.hpp"
#include "StreamStitcher.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace goaway::ingest {

class IngestServer final : public ConnectionEvents {
public:
	explicit IngestServer(Options options);
	~IngestServer() override;

	/** Binds every node and the control endpoint, writes the ready file, prints where it listens. */
	Result<void> start();
	/** Runs until SIGINT / SIGTERM / quit / --duration, then writes the report. Returns the exit code. */
	int run();
	/** Async-signal-safe: asks run() to stop. */
	static void requestStop();

	nlohmann::json report() const;

	// ConnectionEvents
	std::string onPublishRequest(ClientConnection &connection, const std::string &name) override;
	void onPublishStarted(ClientConnection &connection, int64_t nowMs) override;
	void onMetadata(ClientConnection &connection, uint32_t timestamp, std::span<const uint8_t> body,
			int64_t nowMs) override;
	void onMedia(ClientConnection &connection, const rtmp::Message &message, const MediaInfo &info,
		     int64_t nowMs) override;

private:
	struct Stream {
		std::unique_ptr<StreamStitcher> stitcher;
		std::unique_ptr<FlvFileWriter> flv;
	};
	/** Which publishers to signal and how. */
	struct SignalRequest {
		SignalKind kind = SignalKind::GoAway;
		SignalMode mode = SignalMode::Signal;
		std::optional<std::string> stream;
		std::optional<std::string> node;
		std::optional<uint64_t> connection;
		bool all = false;
		bool emptyBody = false;
		uint32_t chunkStreamId = 2;
		TcUrlForm tcUrl = TcUrlForm::Absolute;
		std::optional<std::string> tcUrlText; // url=...: sent verbatim (fault tests: TLS, garbage)
		bool skipSignalled = false;
	};
	struct SignalOutcome {
		int sent = 0;
		int closed = 0;
		int skipped = 0;
		int reset = 0;
		int stalled = 0;
	};
	struct Wait {
		uint64_t client = 0;
		std::map<std::string, long long> atLeast;
		int64_t deadlineMs = 0;
	};

	int64_t nowMs() const;
	void accept(size_t nodeIndex, int64_t now);
	void reap();
	SignalRequest defaultRequest() const;
	SignalOutcome signal(const SignalRequest &request, int64_t now);
	std::optional<std::string> tcUrlFor(const ClientConnection &connection, TcUrlForm form) const;
	std::optional<std::string> onControl(uint64_t client, const std::string &line);
	std::optional<std::string> parseSignalRequest(const ControlCommand &command, SignalRequest &request) const;
	nlohmann::json stats(int64_t now) const;
	void checkWaits(int64_t now);
	void writeReadyFile() const;
	void finishRun();

	Options options_;
	std::vector<NodeListener> listeners_;
	std::vector<HostileNodeState> hostileState_; // one per node, sized once in start()
	ControlEndpoint control_;
	std::vector<std::unique_ptr<ClientConnection>> connections_;
	std::vector<ConnectionRecord> finished_;
	std::map<std::string, Stream> streams_;
	std::vector<std::string> streamOrder_;
	std::vector<Wait> waits_;
	uint64_t nextConnectionId_ = 1;
	uint64_t publishes_ = 0;
	std::chrono::steady_clock::time_point start_;
	std::ofstream mediaLog_; // --media-log: one line per audio / video message
	int64_t nextScheduledSignalMs_ = -1;
	int scheduledRounds_ = 0;
	int64_t stopAtMs_ = -1;
	bool stop_ = false;
};

} // namespace goaway::ingest
