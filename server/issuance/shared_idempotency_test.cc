#include "server/issuance/shared_idempotency.h"

#include <future>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kHexA(64, 'a');
const std::string kHexB(64, 'b');

TEST(StoreKeysTest, TheFirstKeyIsCurrentAndOthersStillDecrypt) {
  absl::StatusOr<StoreKeys> keys =
      ParseStoreKeys("# rotated 2026-12\nk2 " + kHexB + "\nk1 " + kHexA + "\n");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->current_id, "k2");
  EXPECT_EQ(keys->keys.size(), 2u);
  EXPECT_EQ(keys->keys.at("k1"), std::string(32, '\xaa'));
}

TEST(StoreKeysTest, RefusesMalformedKeys) {
  for (const std::string& bad :
       {std::string(""), std::string("k1 abcd"), "k1 " + std::string(64, 'z'),
        "k:1 " + kHexA, "k1 " + kHexA + " extra"}) {
    EXPECT_FALSE(ParseStoreKeys(bad).ok()) << bad;
  }
}

TEST(SharedIdempotencyStoreTest, RecordNamesRevealNothingAndSeparateCallers) {
  RedisClient client({"127.0.0.1", 1, 0}, "", nullptr);
  absl::StatusOr<StoreKeys> keys = ParseStoreKeys("k1 " + kHexA);
  ASSERT_TRUE(keys.ok());
  SharedIdempotencyStore store(&client, *keys, absl::Minutes(10));
  const std::string name = store.RecordName(
      "spiffe://a", "bearer-secret", "5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e11");
  EXPECT_THAT(name, StartsWith("vut:idem:"));
  EXPECT_EQ(name.size(), 9u + 64u);
  EXPECT_THAT(name, Not(HasSubstr("spiffe")));
  EXPECT_THAT(name, Not(HasSubstr("5f0c8e0e")));
  EXPECT_NE(name, store.RecordName("spiffe://b", "bearer-secret",
                                   "5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e11"));
  // Length-prefixed: moving a character from caller to credential differs.
  EXPECT_NE(store.RecordName("ab", "c", "r"), store.RecordName("a", "bc", "r"));
}

TEST(SharedIdempotencyStoreTest, WaitersAreKeptUnderTheRecordsHmacOnly) {
  const std::string record = "vut:idem:" + kHexA;
  EXPECT_EQ(SharedIdempotencyStore::WaitersName(record), "vut:idem:w:" + kHexA);
}

TEST(SharedIdempotencyStoreTest, AStoreThatCannotAnswerHandsNothingOver) {
  // Nothing listens on port 1: the orphan must then be revoked.
  RedisClient client({"127.0.0.1", 1, 0}, "", nullptr);
  absl::StatusOr<StoreKeys> keys = ParseStoreKeys("k1 " + kHexA);
  ASSERT_TRUE(keys.ok());
  SharedIdempotencyStore store(&client, *keys, absl::Minutes(10));
  vercel::authentication::v1::CreateAuthTokenResponse response;
  response.set_bearer_token("created-secret");
  std::promise<bool> handed;
  store.HandOver(store.RecordName("spiffe://a", "bearer-secret", "r"), "fp",
                 response, [&handed](bool h) { handed.set_value(h); });
  EXPECT_FALSE(handed.get_future().get());
}

}  // namespace
}  // namespace vercel_tokens
