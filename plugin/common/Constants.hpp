#pragma once
// Named constants with the reason for each value. One section per layer; add to your own section.

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace goaway::constants {

using namespace std::chrono_literals;

// ---- plugin/rtmp: the wire ----------------------------------------------------------------

/// RTMP spec 5.4.1: the chunk size both sides use until a Set Chunk Size message says otherwise.
inline constexpr uint32_t kDefaultChunkSize = 128;
/// Our outgoing chunk size: 4096 keeps per-chunk header overhead under 0.3% at any bitrate
/// while staying far below what every server accepts (OBS and FFmpeg use the same value).
inline constexpr uint32_t kOutgoingChunkSize = 4096;
/// Largest chunk size we accept from a peer. The spec allows up to 2^31-1, but a peer that
/// announces more than this is broken or hostile; 16 MiB covers any real media message.
inline constexpr uint32_t kMaxIncomingChunkSize = 16u * 1024 * 1024;
/// Largest message we reassemble (24-bit length field allows 16 MiB); bounded memory per peer.
inline constexpr uint32_t kMaxMessageLength = 16u * 1024 * 1024;
/// Payload held for unfinished messages over all chunk streams together: a server may interleave
/// messages on several chunk streams, but a publisher only receives small control messages, so
/// two whole maximal messages is more than any real server needs at once.
inline constexpr uint32_t kMaxDemuxerPartialBytes = 2 * kMaxMessageLength;
/// Server events held for the session's reader (the send loop drains them every turn, a connect
/// waits for its answer among them): one turn reads at most a few hundred KiB, far fewer than this
/// many real messages. Past it, informational events (pings, acknowledgements, other commands)
/// are dropped and counted; a server that keeps sending commands past four times it is flooding.
inline constexpr size_t kMaxPendingServerEvents = 4096;
/// Deepest AMF0 nesting we decode; real command objects nest 2-3 deep, fuzzed input nests forever.
inline constexpr int kMaxAmfDepth = 32;
/// RtmpSession default per-attempt TCP connect deadline: a healthy ingest answers SYN in well
/// under a second even across continents; 10 s matches librtmp's and OBS's patience.
inline constexpr int kDefaultConnectTimeoutMs = 10000;
/// RtmpSession default deadline for each TLS/RTMP handshake, command answer and blocked send.
inline constexpr int kDefaultIoTimeoutMs = 10000;
/// Bytes read per recv in the session's incoming pump; a publisher receives only small control
/// messages, so 16 KiB drains any burst in one or two calls.
inline constexpr size_t kSessionReadChunk = 16 * 1024;
/// Reads per poll(): bounds the work one poll does so a flooding server cannot starve sends.
inline constexpr int kSessionMaxReadsPerPoll = 16;

// ---- plugin/handoff: decisions ----------------------------------------------------------

/// Waiting for the resolver's answer: kResolveDeadline plus 1 s of slack for the callback to
/// arrive; past it the round counts as "no candidate" rather than hanging the handoff.
inline constexpr std::chrono::milliseconds kHandoffResolveTimeout = 4000ms;
/// Whole pre-connect (TCP + TLS + handshake + connect + createStream) of one candidate: five
/// round trips even at 1 s RTT fit; a node slower than that is treated as hanging.
inline constexpr std::chrono::milliseconds kHandoffPreconnectTimeout = 8000ms;
/// Waiting for onStatus after publish: servers answer within one round trip; past this the
/// node counts as rejecting (the old session, kept open until then, takes the stream back).
inline constexpr std::chrono::milliseconds kHandoffPublishTimeout = 5000ms;
/// Longest wait for a keyframe before cutting over anyway (by replaying from the last
/// keyframe): platforms require a keyframe every 2-4 s; 10 s only trips on absurd keyints.
inline constexpr std::chrono::milliseconds kHandoffMaxKeyframeWait = 10000ms;
/// Pause before retrying a handoff that found no working target while the old session still
/// streams: long enough for a draining fleet to bring a node back, short against a drain.
inline constexpr std::chrono::milliseconds kHandoffRetryCooldown = 2000ms;
/// Rounds (resolve + every candidate) per server request before staying on the old session
/// until it ends: bounds connection churn against a fleet that cannot take the stream.
inline constexpr int kHandoffMaxRounds = 3;
/// Backlog cap (packets since the resume keyframe, plus packets held while no session is
/// live): a 4 s GOP at 50 Mbit/s, above any platform's ingest limit, is 25 MB; 64 MiB adds
/// room for a slow reconnect and still bounds memory when the keyint is absurd.
inline constexpr std::uint64_t kHandoffBacklogCapBytes = 64ull * 1024 * 1024;

// ---- plugin/ingest: where a handoff goes -------------------------------------------------

/// Whole resolution budget (sources + DNS + probes): a Go Away drains within seconds, and the
/// old connection keeps streaming meanwhile, so 3 s is ample but never holds a handoff long.
inline constexpr std::chrono::milliseconds kResolveDeadline = 3000ms;
/// HTTP ingest list: TCP/TLS connect budget; a list server that cannot connect in 1 s is down.
inline constexpr std::chrono::milliseconds kIngestListConnectTimeout = 1000ms;
/// HTTP ingest list: whole transfer budget, well inside kResolveDeadline so DNS and probes remain.
inline constexpr std::chrono::milliseconds kIngestListTotalTimeout = 1500ms;
/// Least time given to an ingest list fetch even when the probes need most of the deadline:
/// a loopback or LAN list answers in a few ms, a remote one in ~100 ms.
inline constexpr std::chrono::milliseconds kIngestListMinBudget = 200ms;
/// Largest ingest list body accepted: Twitch's full list is ~15 KiB; 256 KiB leaves room and
/// stops a broken or hostile server from filling memory.
inline constexpr std::size_t kIngestListMaxBytes = 256u * 1024;
/// Redirects followed for an ingest list: enough for http->https plus a CDN hop, stops loops.
inline constexpr long kIngestListMaxRedirects = 3;
/// Longest Cache-Control max-age honoured: an ingest list older than an hour may name nodes
/// that were drained since.
inline constexpr std::chrono::seconds kIngestListMaxCacheAge = 3600s;
/// TCP connect probe budget per candidate set; a node slower than this to SYN-ACK is a bad pick.
inline constexpr std::chrono::milliseconds kProbeTimeout = 800ms;
/// Probes running at once: bounds file descriptors; Twitch lists ~60 nodes in all regions.
inline constexpr std::size_t kMaxProbesInFlight = 64;
/// Addresses kept per host name: covers dual-stack round-robin without probing a whole pool.
inline constexpr std::size_t kMaxAddressesPerHost = 8;
/// How long a draining node stays excluded: the Go Away spec expects the node to go away
/// within about a minute; 120 s keeps a restart-in-progress node out of the list.
inline constexpr std::chrono::seconds kDrainingCoolDown = 120s;
/// Connect times within this width rank as equal, so the source's own order (ingest list
/// priority) decides between nodes that are about as close.
inline constexpr std::chrono::milliseconds kProbeRankBucket = 10ms;
/// Backup ingest URLs a streamer may list: YouTube names one backup, a platform with regions a
/// few; each is resolved and probed within one resolve deadline, and 8 hosts times
/// kMaxAddressesPerHost stays within kMaxProbesInFlight.
inline constexpr std::size_t kMaxBackupUrls = 8;
/// Longest backup URL list accepted as text (8 URLs with long query strings fit).
inline constexpr std::size_t kMaxBackupUrlsTextBytes = 8u * 1024;
/// Twitch's public ingest list (no authentication, no key; the shape the ingest-list parser reads):
/// used by itself when the server is a Twitch ingest.
inline constexpr const char *kTwitchIngestListUrl = "https://ingest.twitch.tv/ingests";
/// Amazon IVS's public ingest list, same shape and no key: the one OBS's own rtmp-services reads
/// for IVS's "Auto" server. Used by itself when the server is an IVS ingest.
inline constexpr const char *kAmazonIvsIngestListUrl = "https://ingest.contribute.live-video.net/ingests";
/// Longest reason per source shown in the dock: a sentence or two, never a dump.
inline constexpr std::size_t kMaxContributionReasonBytes = 300;
/// Polling slice while waiting for getaddrinfo_a: it offers no file descriptor to poll, so
/// cancellation is checked this often.
inline constexpr std::chrono::milliseconds kDnsPollSlice = 10ms;

} // namespace goaway::constants
