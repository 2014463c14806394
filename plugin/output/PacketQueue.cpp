#include "PacketQueue.hpp"

#include <algorithm>

namespace goaway::output {

PacketQueue::PacketQueue() : PacketQueue(Thresholds{}) {}

PacketQueue::PacketQueue(Thresholds thresholds) : thresholds_(thresholds) {}

std::chrono::microseconds PacketQueue::bufferedVideoLocked() const
{
	auto first = std::find_if(packets_.begin(), packets_.end(), [](const QueuedPacket &p) { return p.isVideo; });
	if (first == packets_.end())
		return std::chrono::microseconds(0);
	auto last = std::find_if(packets_.rbegin(), packets_.rend(), [](const QueuedPacket &p) { return p.isVideo; });
	return std::chrono::microseconds(last->dtsUsec - first->dtsUsec);
}

void PacketQueue::dropVideoBelowLocked(PacketPriority minimum)
{
	auto doomed = [&](const QueuedPacket &p) {
		return p.isVideo && !p.keyframe && p.priority < minimum;
	};
	for (const auto &p : packets_)
		if (doomed(p)) {
			bytes_ -= p.size();
			++dropped_;
		}
	packets_.erase(std::remove_if(packets_.begin(), packets_.end(), doomed), packets_.end());
	minimumPriority_ = std::max(minimumPriority_, minimum);
}

bool PacketQueue::push(QueuedPacket packet)
{
	// Notify after unlocking: a waiter woken while the lock is still held would block on the mutex
	// at once, costing both threads extra futex calls on every video frame.
	std::unique_lock lock(mutex_);
	if (closed_) {
		++(packet.isVideo ? afterStop_.video : afterStop_.audio);
		return false;
	}
	if (packet.isVideo) {
		if (packet.keyframe) {
			minimumPriority_ = PacketPriority::Disposable; // a fresh reference chain starts here
		} else if (packet.priority < minimumPriority_) {
			++dropped_;
			return false;
		}
		packets_.push_back(std::move(packet));
		bytes_ += packets_.back().size();
		const auto buffered = bufferedVideoLocked();
		if (buffered > thresholds_.dropBFramesAfter && writeStalledLocked())
			++spared_; // a handoff may carry it: see setWriteStallHold()
		else if (buffered > thresholds_.dropPFramesAfter)
			dropVideoBelowLocked(PacketPriority::Highest);
		else if (buffered > thresholds_.dropBFramesAfter)
			dropVideoBelowLocked(PacketPriority::High);
	} else {
		packets_.push_back(std::move(packet));
		bytes_ += packets_.back().size();
		if (!audioWakes_)
			return true;
	}
	lock.unlock();
	ready_.notify_one();
	return true;
}

void PacketQueue::setWriteStallHold(std::chrono::milliseconds after, std::chrono::milliseconds cap)
{
	std::lock_guard lock(mutex_);
	stallAfter_ = after;
	stallCap_ = cap;
}

void PacketQueue::noteWriteStarted(std::chrono::steady_clock::time_point at)
{
	writeStartedNs_.store(std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count(),
			      std::memory_order_relaxed);
}

void PacketQueue::noteWriteEnded()
{
	writeStartedNs_.store(0, std::memory_order_relaxed);
}

bool PacketQueue::writeStalledLocked() const
{
	const int64_t started = writeStartedNs_.load(std::memory_order_relaxed);
	if (started == 0 || stallCap_.count() <= 0)
		return false;
	const auto blocked = std::chrono::steady_clock::now().time_since_epoch() - std::chrono::nanoseconds(started);
	return blocked >= stallAfter_ && blocked < stallCap_;
}

uint64_t PacketQueue::sparedByWriteStall() const
{
	std::lock_guard lock(mutex_);
	return spared_;
}

void PacketQueue::popAll(std::chrono::steady_clock::time_point deadline, std::vector<QueuedPacket> &out,
			 uint64_t maxBytes)
{
	std::unique_lock lock(mutex_);
	ready_.wait_until(lock, deadline, [&] {
		return closed_ || woken_ || (audioWakes_ && !packets_.empty()) ||
		       std::any_of(packets_.begin(), packets_.end(), [](const QueuedPacket &p) { return p.isVideo; });
	});
	woken_ = false;
	if (maxBytes != UINT64_MAX) {
		uint64_t taken = 0;
		while (!packets_.empty() && taken < maxBytes) {
			taken += packets_.front().size();
			bytes_ -= packets_.front().size();
			out.push_back(std::move(packets_.front()));
			packets_.pop_front();
		}
		return;
	}
	for (auto &p : packets_)
		out.push_back(std::move(p));
	packets_.clear();
	bytes_ = 0;
}

void PacketQueue::waitHolding(std::chrono::steady_clock::time_point deadline)
{
	std::unique_lock lock(mutex_);
	ready_.wait_until(lock, deadline, [&] { return closed_ || woken_; });
	woken_ = false;
}

void PacketQueue::setAudioWakes(bool wakes)
{
	std::lock_guard lock(mutex_);
	audioWakes_ = wakes;
}

void PacketQueue::wake()
{
	{
		std::lock_guard lock(mutex_);
		woken_ = true;
	}
	ready_.notify_all();
}

void PacketQueue::close()
{
	{
		std::lock_guard lock(mutex_);
		closed_ = true;
	}
	ready_.notify_all();
}

void PacketQueue::closeAtStop(std::span<const QueuedPacket> popped)
{
	std::unique_lock lock(mutex_);
	for (const auto &p : popped)
		++(p.isVideo ? afterStop_.video : afterStop_.audio);
	for (const auto &p : packets_)
		++(p.isVideo ? afterStop_.video : afterStop_.audio);
	packets_.clear();
	bytes_ = 0;
	closed_ = true;
	lock.unlock();
	ready_.notify_all();
}

PacketCounts PacketQueue::afterStop() const
{
	std::lock_guard lock(mutex_);
	return afterStop_;
}

void PacketQueue::clear()
{
	std::lock_guard lock(mutex_);
	packets_.clear();
	bytes_ = 0;
}

void PacketQueue::reset(Thresholds thresholds)
{
	std::lock_guard lock(mutex_);
	packets_.clear();
	bytes_ = 0;
	thresholds_ = thresholds;
	minimumPriority_ = PacketPriority::Disposable;
	woken_ = false;
	closed_ = false;
	afterStop_ = {};
	spared_ = 0;
}

float PacketQueue::congestion() const
{
	std::lock_guard lock(mutex_);
	const double ratio = double(bufferedVideoLocked().count()) / double(thresholds_.dropPFramesAfter.count());
	return float(std::clamp(ratio, 0.0, 1.0));
}

uint64_t PacketQueue::droppedFrames() const
{
	std::lock_guard lock(mutex_);
	return dropped_;
}

size_t PacketQueue::size() const
{
	std::lock_guard lock(mutex_);
	return packets_.size();
}

uint64_t PacketQueue::bytes() const
{
	std::lock_guard lock(mutex_);
	return bytes_;
}

} // namespace goaway::output
