#include "cli_flags.h"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, test_limit, 0, "An int flag.");
ABSL_FLAG(bool, test_tls, false, "A bool flag.");
ABSL_FLAG(std::string, test_token_file, "", "A string flag.");

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

absl::Status Check(std::vector<const char*> args) {
  return CheckFlagArguments(args);
}

TEST(CheckFlagArgumentsTest, AcceptsWhatAbseilAccepts) {
  EXPECT_TRUE(
      Check({"list", "--test_limit=3", "-test_tls", "--notest_tls",
             "--test_token_file", "f", "--help", "--version", "--", "--bogus"})
          .ok());
  EXPECT_EQ(absl::GetFlag(FLAGS_test_limit), 3);
}

TEST(CheckFlagArgumentsTest, UnknownFlagIsAUsageError) {
  const absl::Status s = Check({"--bogus", "list"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("unknown flag --bogus"));
}

TEST(CheckFlagArgumentsTest, MalformedValueIsAUsageError) {
  const absl::Status s = Check({"--test_limit=abc"});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("--test_limit"));
  EXPECT_FALSE(Check({"--test_tls=maybe"}).ok());
  EXPECT_FALSE(Check({"--test_limit"}).ok());
}

TEST(CheckFlagArgumentsTest, ATokenAsAFlagGetsAHintAndIsNotEchoed) {
  const absl::Status s = Check({"--token=vcp_secret123"});
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("--token_file"));
  EXPECT_THAT(s.message(), Not(HasSubstr("vcp_secret123")));
}

TEST(FlagHintTest, DashedSpellingAndUniquePrefix) {
  const std::vector<std::string> flags = {"team_id", "expires_at", "tls",
                                          "tls_ca_file"};
  EXPECT_EQ(FlagHint("team-id", flags), "did you mean --team_id?");
  EXPECT_EQ(FlagHint("expires", flags), "did you mean --expires_at?");
  EXPECT_EQ(FlagHint("tl", flags), "");
  EXPECT_EQ(FlagHint("nothing", flags), "");
  EXPECT_THAT(FlagHint("workload-token", flags),
              HasSubstr("--workload_token_file"));
}

}  // namespace
}  // namespace vercel_tokens
