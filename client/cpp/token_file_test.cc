#include "token_file.h"

#include <stdio.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = ::testing::TempDir() +
            ::testing::UnitTest::GetInstance()->current_test_info()->name();
    unlink(path_.c_str());
  }
  void Write(const std::string& contents) {
    std::ofstream(path_, std::ios::trunc) << contents;
  }
  // Replaces the file by renaming a new one over it, as the kubelet does.
  void Replace(const std::string& contents) {
    const std::string next = path_ + ".next";
    std::ofstream(next, std::ios::trunc) << contents;
    ASSERT_EQ(rename(next.c_str(), path_.c_str()), 0);
  }
  absl::Time Now() const { return now_; }

  std::string path_;
  absl::Time now_ = absl::FromUnixSeconds(1700000000);
};

TEST_F(TokenFileTest, ReadsTheTrimmedContents) {
  Write("\n  tok-1 \n");
  EXPECT_EQ(TokenFileProvider(path_)().value_or(""), "tok-1");
}

TEST_F(TokenFileTest, PicksUpAReplacedFile) {
  Write("tok-1");
  TokenProvider provider = TokenFileProvider(path_, [this] { return Now(); });
  EXPECT_EQ(provider().value_or(""), "tok-1");
  Replace("tok-2");
  EXPECT_EQ(provider().value_or(""), "tok-2");
}

TEST_F(TokenFileTest, RereadsAtLeastOnceAMinuteEvenWhenItLooksUnchanged) {
  Write("tok-A");
  TokenProvider provider = TokenFileProvider(path_, [this] { return Now(); });
  EXPECT_EQ(provider().value_or(""), "tok-A");
  // Same size, and written within the file system's timestamp granularity
  // perhaps: identity may look the same. Time says read it again.
  Write("tok-B");
  now_ += kTokenFileMaxAge;
  EXPECT_EQ(provider().value_or(""), "tok-B");
}

TEST_F(TokenFileTest, KeepsTheLastGoodValueWhenTheFileGoesAway) {
  Write("tok-1");
  TokenProvider provider = TokenFileProvider(path_, [this] { return Now(); });
  EXPECT_EQ(provider().value_or(""), "tok-1");
  unlink(path_.c_str());
  now_ += absl::Minutes(5);
  EXPECT_EQ(provider().value_or(""), "tok-1");
  Write("   \n");
  EXPECT_EQ(provider().value_or(""), "tok-1");
}

TEST_F(TokenFileTest, NeverReadIsUnauthenticatedNamingTheFileNotTheToken) {
  absl::StatusOr<std::string> token = TokenFileProvider(path_)();
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(token.status().message(), HasSubstr(path_));
  Write("");
  EXPECT_FALSE(TokenFileProvider(path_)().ok());
}

}  // namespace
}  // namespace vercel_tokens
