#include "server/vercel/request_builder.h"

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

TEST(BuildGetAuthTokenTest, PathQueryAndToken) {
  v1::GetAuthTokenRequest request;
  request.set_token_id("abc123");
  request.set_team_id("team_1");
  request.set_slug("my-team");
  const UpstreamRequest out = BuildGetAuthToken(request, "secret");
  EXPECT_EQ(out.method, HttpMethod::kGet);
  EXPECT_EQ(out.target, "/v5/user/tokens/abc123?teamId=team_1&slug=my-team");
  EXPECT_EQ(out.endpoint, "GET /v5/user/tokens/{tokenId}");
  EXPECT_EQ(out.bearer_token, "secret");
  EXPECT_TRUE(out.body.empty());
}

TEST(BuildGetAuthTokenTest, EncodesThePathSegmentEvenIfNotValidated) {
  v1::GetAuthTokenRequest request;
  request.set_token_id("../a/b?c");
  EXPECT_EQ(BuildGetAuthToken(request, "t").target,
            "/v5/user/tokens/..%2Fa%2Fb%3Fc");
}

TEST(BuildListAuthTokensPageTest, TodaysListingWithTheLargestPages) {
  EXPECT_EQ(BuildListAuthTokensPage("", "", "", "t").target,
            "/v6/user/tokens?limit=100");
  const UpstreamRequest page =
      BuildListAuthTokensPage("team_1", "", "1700000000000", "t");
  EXPECT_EQ(page.method, HttpMethod::kGet);
  EXPECT_EQ(page.target,
            "/v6/user/tokens?teamId=team_1&limit=100&until=1700000000000");
  EXPECT_EQ(page.endpoint, "GET /v6/user/tokens");
  EXPECT_EQ(page.bearer_token, "t");
  EXPECT_TRUE(page.idempotent);
}

TEST(BuildListAuthTokensRawTest, SeedsListingWithLimitAndCursors) {
  vercel::authentication::v1::ListAuthTokensRawRequest request;
  EXPECT_EQ(BuildListAuthTokensRaw(request, "t").target, "/v5/user/tokens");
  request.set_slug("acme");
  request.set_limit(5);
  request.set_until("abc:1");
  request.set_since("17");
  const UpstreamRequest page = BuildListAuthTokensRaw(request, "t");
  EXPECT_EQ(page.target,
            "/v5/user/tokens?slug=acme&limit=5&until=abc%3A1&since=17");
  EXPECT_EQ(page.endpoint, "GET /v5/user/tokens");
  EXPECT_TRUE(page.idempotent);
}

TEST(BuildCreateAuthTokenTest, PlainTokenBody) {
  v1::CreateAuthTokenRequest request;
  request.set_team_id("team_1");
  request.set_name("ci \"deploy\"");
  auto out = BuildCreateAuthToken(request, "t");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->method, HttpMethod::kPost);
  EXPECT_EQ(out->target, "/v3/user/tokens?teamId=team_1");
  EXPECT_EQ(out->endpoint, "POST /v3/user/tokens");
  EXPECT_EQ(out->body, R"({"name":"ci \"deploy\""})");
  EXPECT_EQ(out->bearer_token, "t");
  EXPECT_FALSE(out->idempotent);
}

TEST(BuildCreateAuthTokenTest, AccountWideTokenSendsNoTeamId) {
  v1::CreateAuthTokenRequest request;
  request.set_name("cli");
  auto out = BuildCreateAuthToken(request, "t");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->target, "/v3/user/tokens");
  EXPECT_EQ(out->body, R"({"name":"cli"})");
}

TEST(BuildCreateAuthTokenTest, ProjectScopedTokenSendsProjectIdInTheBody) {
  v1::CreateAuthTokenRequest request;
  request.set_team_id("team_1");
  request.set_name("deploy");
  request.set_project_id("prj_1");
  auto out = BuildCreateAuthToken(request, "t");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->target, "/v3/user/tokens?teamId=team_1");
  EXPECT_EQ(out->body, R"({"name":"deploy","projectId":"prj_1"})");
}

TEST(BuildCreateAuthTokenTest, Oauth2TokenBodyWithExpiryInMillis) {
  v1::CreateAuthTokenRequest request;
  request.set_team_id("team_1");
  request.set_slug("acme");
  request.set_name("app");
  request.set_type("oauth2-token");
  request.set_client_id("cl_1");
  request.set_installation_id("icfg_2");
  request.mutable_expires_at()->set_seconds(1900000000);
  request.mutable_expires_at()->set_nanos(250000000);
  auto out = BuildCreateAuthToken(request, "t");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->target, "/v3/user/tokens?teamId=team_1&slug=acme");
  EXPECT_EQ(out->body,
            R"({"type":"oauth2-token","name":"app","expiresAt":1900000000250,)"
            R"("clientId":"cl_1","installationId":"icfg_2"})");
}

TEST(BuildDeleteAuthTokenTest, UsesV3AndDelete) {
  v1::DeleteAuthTokenRequest request;
  request.set_token_id("current");
  const UpstreamRequest out = BuildDeleteAuthToken(request, "t");
  EXPECT_EQ(out.method, HttpMethod::kDelete);
  EXPECT_EQ(out.target, "/v3/user/tokens/current");
  EXPECT_EQ(out.endpoint, "DELETE /v3/user/tokens/{tokenId}");
  EXPECT_EQ(out.bearer_token, "t");
  EXPECT_FALSE(out.idempotent);
}

TEST(BuildEmailLoginTest, BodyAndNoAuthorization) {
  v1::EmailLoginRequest request;
  request.set_email("a@b.com");
  UpstreamRequest out = BuildEmailLogin(request);
  EXPECT_EQ(out.method, HttpMethod::kPost);
  EXPECT_EQ(out.target, "/registration");
  EXPECT_EQ(out.endpoint, "POST /registration");
  EXPECT_EQ(out.body, R"({"email":"a@b.com"})");
  EXPECT_TRUE(out.bearer_token.empty());
  request.set_token_name("laptop");
  EXPECT_EQ(BuildEmailLogin(request).body,
            R"({"email":"a@b.com","tokenName":"laptop"})");
}

TEST(BuildVerifyTokenTest, QueryInOrderEncodedAndNoAuthorization) {
  v1::VerifyTokenRequest request;
  request.set_token("tok+/=");
  request.set_email("a+b@c.com");
  request.set_token_name("my laptop");
  request.set_sso_user_id("sso_1");
  request.set_team_name("Acme & Co");
  request.set_team_slug("acme");
  request.set_team_plan("pro");
  const UpstreamRequest out = BuildVerifyToken(request);
  EXPECT_EQ(out.method, HttpMethod::kGet);
  EXPECT_EQ(out.target,
            "/registration/verify?token=tok%2B%2F%3D&email=a%2Bb%40c.com"
            "&tokenName=my%20laptop&ssoUserId=sso_1&teamName=Acme%20%26%20Co"
            "&teamSlug=acme&teamPlan=pro");
  EXPECT_EQ(out.endpoint, "GET /registration/verify");
  EXPECT_TRUE(out.bearer_token.empty());
  EXPECT_TRUE(out.body.empty());
  // A repeat would fail: the first answer minted the token and consumed
  // the login.
  EXPECT_FALSE(out.idempotent);
}

}  // namespace
}  // namespace vercel_tokens
