#include "tests/ingest/FlvFileWriter.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <unistd.h>
#include <vector>

using namespace goaway::ingest;
using Bytes = std::vector<uint8_t>;

TEST(FlvFileWriter, TagLayout)
{
	const Bytes body{0x17, 0x01, 0xAA};
	const Bytes tag = FlvFileWriter::tagBytes(9, 0x01020304, body);
	EXPECT_EQ(tag, (Bytes{9, 0, 0, 3, 0x02, 0x03, 0x04, 0x01, 0, 0, 0, 0x17, 0x01, 0xAA, 0, 0, 0, 14}));
	EXPECT_EQ(FlvFileWriter::headerBytes(), (Bytes{'F', 'L', 'V', 1, 5, 0, 0, 0, 9, 0, 0, 0, 0}));
}

TEST(FlvFileWriter, WritesHeaderAndTags)
{
	char path[] = "/tmp/goaway-flv-XXXXXX";
	const int fd = mkstemp(path);
	ASSERT_GE(fd, 0);
	close(fd);
	{
		FlvFileWriter w;
		ASSERT_TRUE(w.open(path));
		ASSERT_TRUE(w.writeTag(8, 23, Bytes{0xAF, 0x01}));
	}
	std::ifstream in(path, std::ios::binary);
	Bytes content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	std::remove(path);
	Bytes expected = FlvFileWriter::headerBytes();
	const Bytes tag = FlvFileWriter::tagBytes(8, 23, Bytes{0xAF, 0x01});
	expected.insert(expected.end(), tag.begin(), tag.end());
	EXPECT_EQ(content, expected);
	FlvFileWriter closed;
	EXPECT_FALSE(closed.writeTag(8, 0, Bytes{1}));
}
