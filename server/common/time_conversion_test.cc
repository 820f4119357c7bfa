#include "server/common/time_conversion.h"

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

TEST(MillisToTimestampTest, ConvertsExactly) {
  auto t = MillisToTimestamp(1700000000123);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->seconds(), 1700000000);
  EXPECT_EQ(t->nanos(), 123000000);
}

TEST(MillisToTimestampTest, NegativeMillisKeepNanosPositive) {
  auto t = MillisToTimestamp(-1);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->seconds(), -1);
  EXPECT_EQ(t->nanos(), 999000000);
}

TEST(MillisToTimestampTest, ZeroIsTheEpoch) {
  auto t = MillisToTimestamp(0);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->seconds(), 0);
  EXPECT_EQ(t->nanos(), 0);
}

TEST(MillisToTimestampTest, RejectsValuesOutsideTimestampRange) {
  EXPECT_FALSE(MillisToTimestamp(253402300800000).ok());  // Year 10000.
  EXPECT_FALSE(MillisToTimestamp(-62135596801000).ok());  // Before year 1.
  EXPECT_FALSE(MillisToTimestamp(INT64_MAX).ok());
  EXPECT_FALSE(MillisToTimestamp(INT64_MIN).ok());
  EXPECT_TRUE(MillisToTimestamp(253402300799999).ok());
}

TEST(TimestampToMillisTest, RoundTripsAndTruncatesSubMillis) {
  google::protobuf::Timestamp t;
  t.set_seconds(1700000000);
  t.set_nanos(123999999);
  auto millis = TimestampToMillis(t);
  ASSERT_TRUE(millis.ok());
  EXPECT_EQ(*millis, 1700000000123);
}

TEST(TimestampToMillisTest, RejectsInvalidTimestamps) {
  google::protobuf::Timestamp t;
  t.set_nanos(-1);
  EXPECT_FALSE(TimestampToMillis(t).ok());
  t.set_nanos(1000000000);
  EXPECT_FALSE(TimestampToMillis(t).ok());
  t.set_nanos(0);
  t.set_seconds(253402300800);
  EXPECT_FALSE(TimestampToMillis(t).ok());
}

}  // namespace
}  // namespace vercel_tokens
