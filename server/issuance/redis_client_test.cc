#include "server/issuance/redis_client.h"

#include <string>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

TEST(ParseRedisUrlTest, ReadsHostPortAndDb) {
  absl::StatusOr<RedisAddress> a = ParseRedisUrl("redis://redis.cache:6380/2");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->host, "redis.cache");
  EXPECT_EQ(a->port, 6380);
  EXPECT_EQ(a->db, 2);
  a = ParseRedisUrl("redis://127.0.0.1:6379");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->db, 0);
}

TEST(ParseRedisUrlTest, RefusesWhatItCannotServe) {
  for (const char* bad : {"http://h:1", "redis://h", "redis://h:0",
                          "redis://h:1/x", "redis://:1"}) {
    EXPECT_FALSE(ParseRedisUrl(bad).ok()) << bad;
  }
  absl::StatusOr<RedisAddress> tls = ParseRedisUrl("rediss://h:1");
  ASSERT_TRUE(tls.ok());
  EXPECT_TRUE(tls->tls);
  EXPECT_FALSE(ParseRedisUrl("redis://h:1")->tls);
  EXPECT_THAT(std::string(ParseRedisUrl("http://h:1").status().message()),
              HasSubstr("rediss://"));
}

TEST(RedisProtocolTest, EncodesCommandsAsBulkArrays) {
  EXPECT_EQ(EncodeRedisCommand({"GET", "k"}), "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
}

TEST(RedisProtocolTest, ParsesEachReplyTypeAndWaitsForAWholeOne) {
  auto parsed = ParseRedisReply("+OK\r\n:12\r\n");
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_EQ((*parsed)->first.type, RedisReply::Type::kStatus);
  EXPECT_EQ((*parsed)->second, 5u);

  parsed = ParseRedisReply("$5\r\nhel");
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(parsed->has_value());
  parsed = ParseRedisReply("$5\r\nhello\r\n");
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_EQ((*parsed)->first.text, "hello");

  parsed = ParseRedisReply("$-1\r\n");
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  EXPECT_EQ((*parsed)->first.type, RedisReply::Type::kNil);

  parsed = ParseRedisReply("*2\r\n:1\r\n-ERR no\r\n");
  ASSERT_TRUE(parsed.ok() && parsed->has_value());
  ASSERT_EQ((*parsed)->first.elements.size(), 2u);
  EXPECT_EQ((*parsed)->first.elements[1].type, RedisReply::Type::kError);
  EXPECT_EQ((*parsed)->first.elements[1].text, "ERR no");

  EXPECT_FALSE(ParseRedisReply("?what\r\n").ok());
}

TEST(RedisClientTest, ACommandToNoServerFailsUnavailableAtOnce) {
  RedisClient client({"127.0.0.1", 1, 0}, "", nullptr);
  absl::Notification done;
  absl::Status status;
  client.Send({"PING"}, absl::Now() + absl::Seconds(30),
              [&](absl::StatusOr<RedisReply> reply) {
                status = reply.status();
                done.Notify();
              });
  ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace vercel_tokens
