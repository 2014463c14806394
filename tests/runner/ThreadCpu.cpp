#include "ThreadCpu.hpp"

#include <dirent.h>
#include <time.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace goaway::runner {

namespace {

uint64_t clockNs(clockid_t clock)
{
	timespec ts = {};
	if (clock_gettime(clock, &ts) != 0)
		return 0;
	return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

/// Linux encodes "the scheduler CPU clock of thread TID" as ~TID << 3 | CPUCLOCK_PERTHREAD (4) |
/// CPUCLOCK_SCHED (2) (include/linux/posix-timers.h, MAKE_THREAD_CPUCLOCK); valid for any thread
/// of this process, with nanosecond resolution (the /proc tick counters are 10 ms coarse).
clockid_t threadClock(int tid)
{
	return clockid_t((~unsigned(tid)) << 3 | 6u);
}

} // namespace

ThreadCpu ThreadCpu::now()
{
	ThreadCpu s;
	s.wallNs = clockNs(CLOCK_MONOTONIC);
	s.processNs = clockNs(CLOCK_PROCESS_CPUTIME_ID);
	DIR *dir = opendir("/proc/self/task");
	if (!dir)
		return s;
	while (dirent *e = readdir(dir)) {
		const int tid = std::atoi(e->d_name);
		if (tid <= 0)
			continue;
		std::string name;
		std::getline(std::ifstream("/proc/self/task/" + std::string(e->d_name) + "/comm"), name);
		s.threads[tid] = {name, clockNs(threadClock(tid))};
	}
	closedir(dir);
	return s;
}

nlohmann::json ThreadCpu::delta(const ThreadCpu &earlier, const ThreadCpu &later, const ThreadCpu &reference)
{
	nlohmann::json threads = nlohmann::json::array();
	for (const auto &[tid, entry] : later.threads) {
		auto it = earlier.threads.find(tid);
		const uint64_t before = it == earlier.threads.end() ? 0 : it->second.second;
		threads.push_back({{"tid", tid},
				   {"name", entry.first},
				   {"ns", entry.second - std::min(before, entry.second)},
				   {"new", !reference.threads.contains(tid)}});
	}
	return {{"wallNs", later.wallNs - earlier.wallNs},
		{"processNs", later.processNs - earlier.processNs},
		{"threads", threads}};
}

} // namespace goaway::runner
