#include "ci_token.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

GetEnv EnvOf(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(ActionsTokenUrlTest, AppendsTheAudience) {
  EXPECT_EQ(ActionsTokenUrl("https://gh.example/token?api-version=2.0",
                            "vercel-user-tokens"),
            "https://gh.example/token?api-version=2.0&audience="
            "vercel-user-tokens");
  EXPECT_EQ(ActionsTokenUrl("https://gh.example/token", "a b&c"),
            "https://gh.example/token?audience=a%20b%26c");
}

TEST(ParseActionsTokenResponseTest, ReadsTheValue) {
  EXPECT_EQ(*ParseActionsTokenResponse(R"({"count":1,"value":"eyJ.x.y"})"),
            "eyJ.x.y");
  EXPECT_FALSE(ParseActionsTokenResponse("{}").ok());
  EXPECT_FALSE(ParseActionsTokenResponse(R"({"value":7})").ok());
  EXPECT_FALSE(ParseActionsTokenResponse("<html>").ok());
}

TEST(AppendGithubEnvTest, AppendsOneLineAndRefusesLineBreaks) {
  const std::string path = ::testing::TempDir() + "/github_env";
  std::ofstream(path) << "EXISTING=1\n";
  ASSERT_TRUE(AppendGithubEnv(path, "vcp_abc").ok());
  EXPECT_FALSE(AppendGithubEnv(path, "vcp_x\nPATH=/evil").ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "EXISTING=1\nVERCEL_TOKEN=vcp_abc\n");
  std::remove(path.c_str());
}

TEST(ObtainWorkloadTokenTest, FileThenVariableThenActions) {
  const std::string path = ::testing::TempDir() + "/workload_token";
  std::ofstream(path) << "  from-file\n";
  CiTokenOptions options;
  options.workload_token_file = path;
  options.workload_token_env = "ID_TOKEN";
  EXPECT_EQ(*ObtainWorkloadToken(options, EnvOf({{"ID_TOKEN", "from-env"}})),
            "from-file");
  options.workload_token_file.clear();
  EXPECT_EQ(*ObtainWorkloadToken(options, EnvOf({{"ID_TOKEN", "from-env"}})),
            "from-env");
  EXPECT_THAT(ObtainWorkloadToken(options, EnvOf({})).status().message(),
              HasSubstr("$ID_TOKEN is not set"));
  options.workload_token_env.clear();
  EXPECT_EQ(ObtainWorkloadToken(options, EnvOf({})).status().code(),
            absl::StatusCode::kFailedPrecondition);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace vercel_tokens
