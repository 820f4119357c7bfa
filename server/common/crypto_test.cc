#include "server/common/crypto.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kKey(32, 'k');

TEST(CryptoTest, Sha256HexMatchesTheKnownDigest) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, HmacSha256DependsOnTheKey) {
  EXPECT_EQ(HmacSha256("a", "data").size(), 32u);
  EXPECT_NE(HmacSha256("a", "data"), HmacSha256("b", "data"));
}

TEST(CryptoTest, SealHidesThePlaintextAndOpensWithTheSameKey) {
  absl::StatusOr<std::string> sealed =
      AesGcmSeal(kKey, "bearer-secret-value", "record-key");
  ASSERT_TRUE(sealed.ok());
  EXPECT_THAT(*sealed, Not(HasSubstr("bearer-secret-value")));
  absl::StatusOr<std::string> opened = AesGcmOpen(kKey, *sealed, "record-key");
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(*opened, "bearer-secret-value");
}

TEST(CryptoTest, OpenRefusesAnotherKeyAnotherRecordOrATamperedRecord) {
  absl::StatusOr<std::string> sealed = AesGcmSeal(kKey, "secret", "record-a");
  ASSERT_TRUE(sealed.ok());
  EXPECT_FALSE(AesGcmOpen(std::string(32, 'x'), *sealed, "record-a").ok());
  EXPECT_FALSE(AesGcmOpen(kKey, *sealed, "record-b").ok());
  std::string tampered = *sealed;
  tampered[14] ^= 1;
  EXPECT_FALSE(AesGcmOpen(kKey, tampered, "record-a").ok());
  EXPECT_FALSE(AesGcmSeal("short", "secret", "").ok());
}

}  // namespace
}  // namespace vercel_tokens
