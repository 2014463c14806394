#pragma once
// The byte pipe under a session after the RTMP handshake: a TCP socket, optionally wrapped in our
// verified TLS session. Sends block up to a deadline; receives never block.

#include "TcpConnector.hpp"
#include "TlsSession.hpp"
#include "../common/Result.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

namespace goaway::rtmp {

class Transport {
public:
	Transport() = default;
	Transport(UniqueFd fd, std::unique_ptr<TlsSession> tls);

	bool isOpen() const { return static_cast<bool>(fd_); }
	int fd() const { return fd_.get(); }
	TlsSession *tls() const { return tls_.get(); }

	/** Switches the socket to non-blocking mode (after the blocking TCP connect and TLS handshake). */
	void setNonBlocking();
	/** How sendAll() may pack bytes into TCP segments. */
	enum class Segments {
		Coalesce, // the kernel packs them as it likes (media, commands)
		/// These bytes end a segment: later writes are not appended to it (Linux MSG_EOR; elsewhere,
		/// and under TLS, the same as Coalesce). Used to warm a new connection's congestion window,
		/// which grows by the number of segments acknowledged, not by bytes.
		OwnSegment,
	};
	/** What sendAll()'s timeout bounds. */
	enum class Deadline {
		Total,      // the whole call (commands, handshakes: a peer that trickle-reads cannot hold it)
		NoProgress, // the time without one byte taken (media: a slow path is not a dead one)
	};
	/** Sends every byte, waiting for writability at most timeoutMs (as `deadline` says). Errors:
	 *  Timeout, Closed, Io. */
	Result<void> sendAll(std::span<const uint8_t> bytes, int timeoutMs, Segments segments = Segments::Coalesce,
			     Deadline deadline = Deadline::Total);
	/** Reads what is available now: 0 bytes when nothing is there. Errors: Closed (EOF/reset), Io. */
	Result<size_t> receiveSome(std::span<uint8_t> buffer);
	/** Waits until bytes may be readable (or timeoutMs passes). */
	bool waitReadable(int timeoutMs);
	/** Bytes written to the socket that the peer's TCP has not acknowledged yet (TLS records
	 *  included), or nullopt where the OS does not tell (only Linux does here: SIOCOUTQ). TCP's
	 *  acknowledgement says the bytes reached the peer's machine, not that its application read
	 *  them. Kept here until the portable network layer (plugin/net) takes the socket facts over. */
	std::optional<uint64_t> unacknowledgedByTcp() const;
	/** Asks the OS to take writes, and report the socket writable, only while fewer than `bytes`
	 *  written bytes wait unsent (TCP_NOTSENT_LOWAT: Linux and macOS; elsewhere nothing changes
	 *  and writableNow() says what the send buffer takes). 0: no limit but the send buffer's. */
	void setUnsentLimit(uint32_t bytes);
	/** Whether a write now would be taken without passing that limit (a poll that does not wait). */
	bool writableNow() const;
	struct DrainOutcome {
		bool closedByPeer = false;              // the peer ended its stream: it read all of ours
		std::optional<uint64_t> unacknowledged; // by the peer's TCP at the close (nullopt: not told)
	};
	/** Closes TLS (close_notify when `notify`) and the socket. Idempotent. With `drainMs` > 0 it
	 *  first lets what the OS still holds reach the peer's application: it stops sending (FIN
	 *  after the last byte), reads and discards what the peer sends (a byte arriving after
	 *  close() makes the OS reset the connection, and the peer's OS then throws away what its
	 *  application had not read) until the peer ends its stream too, or drainMs passes. */
	DrainOutcome close(bool notify, int drainMs = 0);

private:
	UniqueFd fd_;
	std::unique_ptr<TlsSession> tls_;
};

} // namespace goaway::rtmp
