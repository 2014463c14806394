#include "plugin/output/PacketQueue.hpp"

#include <gtest/gtest.h>

#include <chrono>

using goaway::output::PacketPriority;
using goaway::output::PacketQueue;
using goaway::output::QueuedPacket;

namespace {

constexpr int64_t kFrameUsec = 33333; // 30 fps

QueuedPacket video(int index, PacketPriority priority, bool keyframe = false)
{
	QueuedPacket p;
	p.isVideo = true;
	p.keyframe = keyframe;
	p.priority = keyframe ? PacketPriority::Highest : priority;
	p.dtsUsec = index * kFrameUsec;
	p.dtsMs = p.dtsUsec / 1000;
	p.data = std::make_shared<std::vector<uint8_t>>(100, uint8_t(index));
	return p;
}

QueuedPacket audio(int index)
{
	QueuedPacket p;
	p.dtsUsec = index * 21333;
	p.dtsMs = p.dtsUsec / 1000;
	p.data = std::make_shared<std::vector<uint8_t>>(10, 0);
	return p;
}

std::vector<QueuedPacket> drain(PacketQueue &q)
{
	std::vector<QueuedPacket> out;
	q.popAll(std::chrono::steady_clock::now(), out);
	return out;
}

} // namespace

TEST(PacketQueue, KeepsEverythingBelowTheThresholds)
{
	PacketQueue q;
	q.push(video(0, PacketPriority::Highest, true));
	for (int i = 1; i < 20; ++i) // 0.63 s of video: under 700 ms
		q.push(video(i, PacketPriority::Disposable));
	q.push(audio(0));
	EXPECT_EQ(q.droppedFrames(), 0u);
	EXPECT_EQ(drain(q).size(), 21u);
}

TEST(PacketQueue, DropsBFramesFirstThenEverythingButKeyframesAndNeverAudio)
{
	PacketQueue q;
	q.push(video(0, PacketPriority::Highest, true));
	int index = 1;
	// Past 700 ms of video waiting: disposable frames go, reference frames stay.
	for (; index <= 24; ++index) {
		q.push(video(index, index % 2 ? PacketPriority::Disposable : PacketPriority::High));
		q.push(audio(index));
	}
	const uint64_t afterB = q.droppedFrames();
	EXPECT_GT(afterB, 0u);
	// Past 900 ms: every non-keyframe video packet goes, incoming ones too, until a keyframe.
	for (; index <= 40; ++index)
		q.push(video(index, PacketPriority::High));
	EXPECT_GT(q.droppedFrames(), afterB);
	EXPECT_FALSE(q.push(video(index++, PacketPriority::High)));

	const auto left = drain(q);
	size_t audioCount = 0, keyframes = 0;
	for (const auto &p : left) {
		audioCount += !p.isVideo;
		keyframes += p.keyframe;
		EXPECT_TRUE(!p.isVideo || p.keyframe || p.dtsUsec <= 24 * kFrameUsec)
			<< "no video frame after the p-frame threshold may survive but keyframes";
	}
	EXPECT_EQ(audioCount, 24u);
	EXPECT_EQ(keyframes, 1u);

	// The send thread caught up, but the reference chain is broken until the next keyframe.
	EXPECT_FALSE(q.push(video(index++, PacketPriority::High)));
	EXPECT_TRUE(q.push(video(index++, PacketPriority::Highest, true)));
	EXPECT_TRUE(q.push(video(index++, PacketPriority::Disposable)));
	EXPECT_EQ(drain(q).size(), 2u);
}

TEST(PacketQueue, PopAllWithABudgetLeavesTheRestQueuedWhereDropsStillApply)
{
	PacketQueue q;
	q.push(video(0, PacketPriority::Highest, true));
	for (int i = 1; i <= 5; ++i)
		q.push(video(i, PacketPriority::High)); // 100 bytes each
	std::vector<QueuedPacket> out;
	q.popAll(std::chrono::steady_clock::now(), out, 250);
	ASSERT_EQ(out.size(), 3u) << "packets until the budget is reached";
	EXPECT_EQ(out[0].dtsUsec, 0);
	EXPECT_EQ(out[2].dtsUsec, 2 * kFrameUsec);
	EXPECT_EQ(q.size(), 3u);
	EXPECT_EQ(q.bytes(), 300u);
	out.clear();
	q.popAll(std::chrono::steady_clock::now(), out, 1);
	ASSERT_EQ(out.size(), 1u) << "at least one packet, whatever the budget";
	EXPECT_EQ(out[0].dtsUsec, 3 * kFrameUsec);
	// What stays queued counts for the drop policy: 1 s of video behind it drops the rest.
	for (int i = 6; i <= 36; ++i)
		q.push(video(i, PacketPriority::High));
	EXPECT_GT(q.droppedFrames(), 0u);
}

TEST(PacketQueue, WaitHoldingTakesNothingAndWakesOnWake)
{
	PacketQueue q;
	q.push(video(0, PacketPriority::Highest, true));
	q.wake();
	q.waitHolding(std::chrono::steady_clock::now() + std::chrono::seconds(5)); // returns on the wake
	EXPECT_EQ(q.size(), 1u);
	q.waitHolding(std::chrono::steady_clock::now()); // a deadline already past
	EXPECT_EQ(drain(q).size(), 1u);
}

TEST(PacketQueue, CongestionIsBufferedVideoOverTheLastThreshold)
{
	PacketQueue q;
	EXPECT_FLOAT_EQ(q.congestion(), 0.0f);
	q.push(video(0, PacketPriority::Highest, true));
	q.push(video(13, PacketPriority::High)); // 433 ms of 900 ms
	EXPECT_NEAR(q.congestion(), 433329.0 / 900000.0, 1e-3);
}

TEST(PacketQueue, PopAllTimesOutEmptyAndCloseRefusesPushes)
{
	PacketQueue q;
	std::vector<QueuedPacket> out;
	q.popAll(std::chrono::steady_clock::now() + std::chrono::milliseconds(1), out);
	EXPECT_TRUE(out.empty());
	q.push(audio(1));
	q.close();
	EXPECT_FALSE(q.push(audio(2)));
	EXPECT_EQ(drain(q).size(), 1u) << "what was queued before the close is still taken";
	EXPECT_TRUE(drain(q).empty());
}

TEST(PacketQueue, WithoutAudioWakesAudioWaitsForVideoAndPopAllTakesEverythingInOrder)
{
	using Clock = std::chrono::steady_clock;
	PacketQueue q;
	q.setAudioWakes(false);
	std::vector<QueuedPacket> out;
	q.push(audio(1));
	const auto deadline = Clock::now() + std::chrono::milliseconds(30);
	q.popAll(deadline, out);
	EXPECT_GE(Clock::now(), deadline) << "queued audio alone did not end the wait";
	ASSERT_EQ(out.size(), 1u) << "at the deadline the audio goes anyway";
	out.clear();

	q.push(audio(2));
	q.push(video(3, PacketPriority::Highest, true));
	q.push(audio(4));
	const auto start = Clock::now();
	q.popAll(start + std::chrono::seconds(30), out);
	EXPECT_LT(Clock::now() - start, std::chrono::seconds(30)) << "a queued video packet ends the wait";
	ASSERT_EQ(out.size(), 3u);
	EXPECT_FALSE(out[0].isVideo);
	EXPECT_TRUE(out[1].isVideo);
	EXPECT_FALSE(out[2].isVideo);
	EXPECT_EQ(q.size(), 0u);
	EXPECT_EQ(q.bytes(), 0u);
}

TEST(PacketQueue, CloseAtStopCountsEverythingPastTheStopPointUntilReset)
{
	PacketQueue q;
	q.push(video(0, PacketPriority::Highest, true));
	q.push(audio(0));
	q.push(video(1, PacketPriority::High));
	auto popped = drain(q);
	ASSERT_EQ(popped.size(), 3u);
	q.closeAtStop(popped); // the keyframe reached the stop point; two more were taken behind it
	EXPECT_FALSE(q.push(audio(1)));
	EXPECT_TRUE(drain(q).empty()) << "nothing is sent after the stop";
	EXPECT_EQ(q.afterStop().video, 2u);
	EXPECT_EQ(q.afterStop().audio, 2u);
	EXPECT_EQ(q.size(), 0u);
	EXPECT_EQ(q.bytes(), 0u);
	EXPECT_EQ(q.droppedFrames(), 0u) << "packets past the stop are not dropped frames";

	q.reset(PacketQueue::Thresholds{});
	EXPECT_EQ(q.afterStop().video, 0u);
	EXPECT_TRUE(q.push(audio(2)));
	q.closeAtStop({}); // stop(0): whatever waits is past the stop
	EXPECT_EQ(q.afterStop().audio, 1u);
}

TEST(PacketQueue, AWriteBlockedPastTheHoldPointSparesWhatAHandoffWouldReplay)
{
	using namespace std::chrono_literals;
	const auto pushSecondOfVideo = [](PacketQueue &q, int &index) {
		for (int end = index + 30; index < end; ++index)
			q.push(video(index, PacketPriority::High));
	};
	PacketQueue q;
	q.setWriteStallHold(300ms, 4000ms);
	q.push(video(0, PacketPriority::Highest, true));
	int index = 1;

	// Blocked for 500 ms so far: past the hold point, within the cap: 1 s of video waits, none dropped.
	q.noteWriteStarted(std::chrono::steady_clock::now() - 500ms);
	pushSecondOfVideo(q, index);
	EXPECT_EQ(q.droppedFrames(), 0u);
	EXPECT_GT(q.sparedByWriteStall(), 0u);
	const uint64_t spared = q.sparedByWriteStall();

	// The write ended (the path was only slow): the policy applies again at once.
	q.noteWriteEnded();
	pushSecondOfVideo(q, index);
	EXPECT_GT(q.droppedFrames(), 0u);
	EXPECT_EQ(q.sparedByWriteStall(), spared);

	// A write that only just began, or one blocked past the cap, spares nothing.
	PacketQueue fresh;
	fresh.setWriteStallHold(300ms, 4000ms);
	fresh.push(video(0, PacketPriority::Highest, true));
	fresh.noteWriteStarted(std::chrono::steady_clock::now());
	index = 1;
	pushSecondOfVideo(fresh, index);
	EXPECT_GT(fresh.droppedFrames(), 0u);
	PacketQueue capped;
	capped.setWriteStallHold(300ms, 4000ms);
	capped.push(video(0, PacketPriority::Highest, true));
	capped.noteWriteStarted(std::chrono::steady_clock::now() - 5s);
	index = 1;
	pushSecondOfVideo(capped, index);
	EXPECT_GT(capped.droppedFrames(), 0u);
	EXPECT_EQ(capped.sparedByWriteStall(), 0u);

	// Without a hold configured (the default), a blocked write changes nothing.
	PacketQueue plain;
	plain.push(video(0, PacketPriority::Highest, true));
	plain.noteWriteStarted(std::chrono::steady_clock::now() - 500ms);
	index = 1;
	pushSecondOfVideo(plain, index);
	EXPECT_GT(plain.droppedFrames(), 0u);
}
