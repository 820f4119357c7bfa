// Golden tests of `vercel-tokens policy check/explain` over the example
// policy (server/rpc/policy.example.json): testdata/policy/cases.txt lists
// the invocations, testdata/policy/<name>.golden holds the exit code and
// the output each must give. VUT_UPDATE_GOLDEN=1 rewrites the goldens.
#include "cli_policy.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

const std::string kDataDir =
    std::string(VUT_SOURCE_DIR) + "/client/cpp/testdata/policy";
const std::string kExamplePolicy =
    std::string(VUT_SOURCE_DIR) + "/server/rpc/policy.example.json";

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct Case {
  std::string name;
  std::vector<std::string> args;
  PolicyExplainOptions options;
};

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (absl::string_view line :
       absl::StrSplit(Read(kDataDir + "/cases.txt"), '\n')) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> words = absl::StrSplit(line, ' ');
    Case c;
    c.name = words[0];
    for (size_t i = 1; i < words.size(); ++i) {
      absl::string_view word = words[i];
      if (word == "FILE") {
        c.args.push_back(kExamplePolicy);
      } else if (absl::ConsumePrefix(&word, "--caller=")) {
        c.options.caller = std::string(word);
      } else if (absl::ConsumePrefix(&word, "--rpc=")) {
        c.options.rpc = std::string(word);
      } else if (absl::ConsumePrefix(&word, "--team_id=")) {
        c.options.team_id = std::string(word);
      } else if (absl::ConsumePrefix(&word, "--name=")) {
        c.options.name = std::string(word);
      } else if (absl::ConsumePrefix(&word, "--expires_in=")) {
        absl::Duration d;
        EXPECT_TRUE(absl::ParseDuration(word, &d)) << line;
        c.options.expires_in = d;
      } else if (absl::ConsumePrefix(&word, "--claims=")) {
        c.options.claims_json = std::string(word);
      } else if (word == "--use_server_token") {
        c.options.use_server_token = true;
      } else {
        c.args.push_back(std::string(word));
      }
    }
    cases.push_back(std::move(c));
  }
  return cases;
}

TEST(PolicyCliGoldenTest, MatchesTheGoldens) {
  const std::vector<Case> cases = Cases();
  ASSERT_GE(cases.size(), 5u);
  const bool update = std::getenv("VUT_UPDATE_GOLDEN") != nullptr;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::ostringstream out;
    std::ostringstream err;
    const int code = RunPolicyCli(c.options, c.args, out, err);
    const std::string got = absl::StrCat("exit ", code, "\n", out.str());
    const std::string golden = absl::StrCat(kDataDir, "/", c.name, ".golden");
    if (update) {
      std::ofstream(golden) << got;
      continue;
    }
    EXPECT_EQ(got, Read(golden)) << err.str();
  }
}

TEST(PolicyCliTest, CheckReportsTheServersOwnErrors) {
  const std::string path = ::testing::TempDir() + "/bad-policy.json";
  std::ofstream(path)
      << R"({"trusted_issuers":[{"issuer":"http://issuer.example","audiences":["a"]}]})";
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPolicyCli({}, {"check", path}, out, err), kPolicyExitInvalid);
  EXPECT_THAT(err.str(),
              ::testing::HasSubstr("trusted_issuers[0]: issuer must be https"));
  EXPECT_EQ(out.str(), "");
}

TEST(PolicyCliTest, UsageErrors) {
  std::ostringstream out;
  std::ostringstream err;
  EXPECT_EQ(RunPolicyCli({}, {"lint", kExamplePolicy}, out, err),
            kPolicyExitUsage);
  EXPECT_EQ(RunPolicyCli({}, {"explain", kExamplePolicy}, out, err),
            kPolicyExitUsage);
  EXPECT_EQ(RunPolicyCli({}, {"check", "/nonexistent/policy.json"}, out, err),
            kPolicyExitInvalid);
}

}  // namespace
}  // namespace vercel_tokens
