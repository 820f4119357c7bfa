#include "request_builder.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

CliOptions TeamOptions() {
  CliOptions options;
  options.team_id = "team_1";
  options.slug = "acme";
  return options;
}

TEST(ParseRfc3339TimestampTest, ParsesUtcTime) {
  const auto timestamp = ParseRfc3339Timestamp("2030-01-02T03:04:05Z");
  ASSERT_TRUE(timestamp.ok()) << timestamp.status();
  EXPECT_EQ(timestamp->seconds(), 1893553445);
  EXPECT_EQ(timestamp->nanos(), 0);
}

TEST(ParseRfc3339TimestampTest, ParsesOffsetAndFraction) {
  const auto timestamp = ParseRfc3339Timestamp("2030-01-02T05:04:05.25+02:00");
  ASSERT_TRUE(timestamp.ok()) << timestamp.status();
  EXPECT_EQ(timestamp->seconds(), 1893553445);
  EXPECT_EQ(timestamp->nanos(), 250000000);
}

TEST(ParseRfc3339TimestampTest, RejectsOtherFormats) {
  EXPECT_FALSE(ParseRfc3339Timestamp("2030-01-02").ok());
  EXPECT_FALSE(ParseRfc3339Timestamp("tomorrow").ok());
  EXPECT_FALSE(ParseRfc3339Timestamp("1893553445").ok());
}

TEST(BuildListAuthTokensRequestTest, CopiesTeamScope) {
  const auto request = BuildListAuthTokensRequest(TeamOptions(), {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->team_id(), "team_1");
  EXPECT_EQ(request->slug(), "acme");
}

TEST(BuildListAuthTokensRequestTest, RejectsOperands) {
  const std::vector<std::string> operands = {"extra"};
  const auto request = BuildListAuthTokensRequest(TeamOptions(), operands);
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(request.status().message(), "unexpected argument 'extra'");
}

TEST(BuildListAuthTokensRawRequestTest, CopiesTeamScope) {
  const auto request = BuildListAuthTokensRawRequest(TeamOptions(), {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->team_id(), "team_1");
  EXPECT_EQ(request->slug(), "acme");
}

TEST(BuildListAuthTokensRawRequestTest, CopiesLimitAndCursors) {
  CliOptions options;
  options.limit = 5;
  options.until = "1700000000000";
  options.since = "abc";
  const auto request = BuildListAuthTokensRawRequest(options, {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->limit(), 5);
  EXPECT_EQ(request->until(), "1700000000000");
  EXPECT_EQ(request->since(), "abc");
  options.limit = 101;
  EXPECT_EQ(BuildListAuthTokensRawRequest(options, {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(BuildGetAuthTokenRequestTest, TakesTheTokenId) {
  const std::vector<std::string> operands = {"current"};
  const auto request = BuildGetAuthTokenRequest(TeamOptions(), operands);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->token_id(), "current");
  EXPECT_EQ(request->team_id(), "team_1");
  EXPECT_EQ(request->slug(), "acme");
}

TEST(BuildGetAuthTokenRequestTest, NeedsExactlyOneTokenId) {
  EXPECT_EQ(BuildGetAuthTokenRequest({}, {}).status().message(),
            "missing <token_id>");
  const std::vector<std::string> two = {"a", "b"};
  EXPECT_EQ(BuildGetAuthTokenRequest({}, two).status().message(),
            "unexpected argument 'b'");
}

TEST(BuildDeleteAuthTokenRequestTest, TakesTheTokenId) {
  const std::vector<std::string> operands = {"tok_1"};
  const auto request = BuildDeleteAuthTokenRequest(TeamOptions(), operands);
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->token_id(), "tok_1");
  EXPECT_EQ(request->team_id(), "team_1");
  EXPECT_EQ(BuildDeleteAuthTokenRequest({}, {}).status().message(),
            "missing <token_id>");
}

TEST(BuildCreateAuthTokenRequestTest, BuildsOAuth2Token) {
  CliOptions options = TeamOptions();
  options.name = "ci";
  options.expires_at = "2030-01-02T03:04:05Z";
  options.type = "oauth2-token";
  options.client_id = "cl_1";
  options.installation_id = "icfg_1";
  const auto request = BuildCreateAuthTokenRequest(options, {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->team_id(), "team_1");
  EXPECT_EQ(request->slug(), "acme");
  EXPECT_EQ(request->name(), "ci");
  EXPECT_EQ(request->expires_at().seconds(), 1893553445);
  EXPECT_EQ(request->type(), "oauth2-token");
  EXPECT_EQ(request->client_id(), "cl_1");
  EXPECT_EQ(request->installation_id(), "icfg_1");
}

TEST(BuildCreateAuthTokenRequestTest, LeavesExpiryUnsetByDefault) {
  CliOptions options;
  options.name = "ci";
  const auto request = BuildCreateAuthTokenRequest(options, {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_FALSE(request->has_expires_at());
}

TEST(BuildCreateAuthTokenRequestTest, AccountWideWithoutTeam) {
  CliOptions options;
  options.name = "ci";
  const auto request = BuildCreateAuthTokenRequest(options, {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->team_id(), "");
  EXPECT_EQ(request->project_id(), "");
}

TEST(BuildCreateAuthTokenRequestTest, ProjectIdNeedsATeam) {
  CliOptions options = TeamOptions();
  options.name = "deploy";
  options.project_id = "prj_1";
  const auto request = BuildCreateAuthTokenRequest(options, {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->project_id(), "prj_1");
  options.team_id.clear();
  EXPECT_THAT(BuildCreateAuthTokenRequest(options, {}).status().message(),
              HasSubstr("--team_id"));
}

TEST(BuildCreateAuthTokenRequestTest, NeedsNameAndValidExpiry) {
  EXPECT_EQ(BuildCreateAuthTokenRequest({}, {}).status().message(),
            "missing --name");
  CliOptions options;
  options.name = "ci";
  options.expires_at = "next week";
  const auto request = BuildCreateAuthTokenRequest(options, {});
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(request.status().message(), HasSubstr("--expires_at"));
}

TEST(BuildEmailLoginRequestTest, CopiesEmailAndTokenName) {
  CliOptions options;
  options.email = "ada@example.com";
  options.token_name = "laptop";
  const auto request = BuildEmailLoginRequest(options, {});
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->email(), "ada@example.com");
  EXPECT_EQ(request->token_name(), "laptop");
  EXPECT_EQ(BuildEmailLoginRequest({}, {}).status().message(),
            "missing --email");
}

TEST(BuildVerifyTokenRequestTest, CopiesEveryField) {
  CliOptions options;
  options.email = "ada@example.com";
  options.token_name = "laptop";
  options.sso_user_id = "sso_1";
  options.team_name = "Acme";
  options.team_slug = "acme";
  options.team_plan = "pro";
  const auto request = BuildVerifyTokenRequest(options, {}, "vt_secret");
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->token(), "vt_secret");
  EXPECT_EQ(request->email(), "ada@example.com");
  EXPECT_EQ(request->token_name(), "laptop");
  EXPECT_EQ(request->sso_user_id(), "sso_1");
  EXPECT_EQ(request->team_name(), "Acme");
  EXPECT_EQ(request->team_slug(), "acme");
  EXPECT_EQ(request->team_plan(), "pro");
}

TEST(BuildVerifyTokenRequestTest, NeedsVerificationToken) {
  const auto request = BuildVerifyTokenRequest({}, {}, "");
  EXPECT_EQ(request.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(request.status().message(),
              HasSubstr("--verification_token_file"));
}

}  // namespace
}  // namespace vercel_tokens
