// The seven RPCs on their happy paths: what comes back, and what the server
// sends to Vercel.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::google::protobuf::util::TimeUtil;
using ::testing::ElementsAre;
using ::testing::EndsWith;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kFixedId[] =
    "3f2a9c1e0b7d4e6f8a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdef";
constexpr int64_t kExpiresAtMs = 1700000000123;

using UserTokensServiceTest = IntegrationTest;

std::vector<std::string> Names(
    const google::protobuf::RepeatedPtrField<v1::AuthToken>& tokens) {
  std::vector<std::string> names;
  for (const v1::AuthToken& token : tokens) names.push_back(token.name());
  return names;
}

TEST_F(UserTokensServiceTest, GetAuthTokenReturnsTheTokenWithExactTimes) {
  ResetRequest reset;
  SeedToken* seed_token = reset.add_tokens();
  seed_token->set_name("expiring");
  seed_token->set_bearer_token(kSeedSecret);
  seed_token->set_team_id(kSeedTeam);
  seed_token->set_expires_at(kExpiresAtMs);
  seed_token->set_id(kFixedId);
  std::vector<VercelToken> seeded = Reset(reset);
  ASSERT_EQ(seeded.size(), 1u);

  v1::GetAuthTokenRequest request;
  request.set_token_id(kFixedId);
  request.set_team_id("team_a");
  request.set_slug("my-team");
  v1::GetAuthTokenResponse response;
  ASSERT_TRUE(IsOk(Client().GetAuthToken(request, &response)));

  const v1::AuthToken& token = response.token();
  EXPECT_EQ(token.id(), kFixedId);
  EXPECT_EQ(token.name(), "expiring");
  EXPECT_EQ(token.type(), "oauth2-token");
  EXPECT_EQ(token.origin(), "manual");
  EXPECT_THAT(token.expires_at(), IsEpochMillis(kExpiresAtMs));
  EXPECT_THAT(token.created_at(), IsEpochMillis(seeded[0].created_at()));
  EXPECT_GE(TimeUtil::TimestampToMilliseconds(token.active_at()),
            seeded[0].created_at());
  ASSERT_EQ(token.scopes_size(), 1);
  EXPECT_EQ(token.scopes(0).type(), "team");
  EXPECT_EQ(token.scopes(0).team_id(), kSeedTeam);
  EXPECT_EQ(token.scopes(0).origin(), "manual");
  EXPECT_THAT(token.scopes(0).created_at(),
              IsEpochMillis(seeded[0].created_at()));

  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream, ElementsAre(IsUpstream(
                            "GET", absl::StrCat("/v5/user/tokens/", kFixedId),
                            "teamId=team_a&slug=my-team")));
  EXPECT_EQ(upstream[0].headers().at("authorization"),
            absl::StrCat("Bearer ", kSeedSecret));
  EXPECT_EQ(upstream[0].headers().at("accept"), "application/json");
  EXPECT_THAT(upstream[0].headers().at("user-agent"),
              StartsWith("vercel-user-tokens/"));
  EXPECT_EQ(upstream[0].body(), "");
}

TEST_F(UserTokensServiceTest, GetAuthTokenCurrentReturnsTheCallersToken) {
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  ASSERT_TRUE(IsOk(Client().GetAuthToken(request, &response)));

  EXPECT_EQ(response.token().id(), seed().id());
  EXPECT_EQ(response.token().name(), "seed");
  EXPECT_FALSE(response.token().has_expires_at());
  EXPECT_THAT(Requests(),
              ElementsAre(IsUpstream("GET", "/v5/user/tokens/current", "")));
}

TEST_F(UserTokensServiceTest, ListAuthTokensReadsTodaysListing) {
  std::vector<VercelToken> seeded = Reset(NumberedTokens(5, 2));
  ASSERT_EQ(seeded.size(), 5u);

  v1::ListAuthTokensResponse response;
  ASSERT_TRUE(IsOk(Client().ListAuthTokens({}, &response)));

  EXPECT_THAT(Names(response.tokens()),
              ElementsAre("t5", "t4", "t3", "t2", "t1"));
  EXPECT_EQ(response.tokens(0).id(), seeded[4].id());
  EXPECT_THAT(response.tokens(4).created_at(),
              IsEpochMillis(seeded[0].created_at()));
  // 100 a page: today's largest, where the fake's default is 2 here.
  EXPECT_THAT(Requests(),
              ElementsAre(IsUpstream("GET", "/v6/user/tokens", "limit=100")));
}

TEST_F(UserTokensServiceTest, ListAuthTokensRawReturnsOnePageAsVercelSendsIt) {
  ResetRequest reset = NumberedTokens(3, 2);
  reset.set_testing_token(true);
  std::vector<VercelToken> seeded = Reset(reset);
  ASSERT_EQ(seeded.size(), 3u);

  v1::ListAuthTokensRawResponse response;
  ASSERT_TRUE(IsOk(Client().ListAuthTokensRaw({}, &response)));

  EXPECT_THAT(Names(response.tokens()), ElementsAre("t3", "t2"));
  EXPECT_EQ(response.pagination().count(), 2);
  ASSERT_TRUE(response.pagination().has_next());
  EXPECT_EQ(response.pagination().next(), seeded[1].created_at());
  EXPECT_EQ(response.pagination().next_cursor(),
            absl::StrCat(seeded[1].created_at()));
  ASSERT_TRUE(response.pagination().has_prev());
  EXPECT_EQ(response.pagination().prev(), seeded[2].created_at());
  EXPECT_EQ(response.pagination().prev_cursor(),
            absl::StrCat(seeded[2].created_at()));
  EXPECT_TRUE(response.has_testing_token());
  EXPECT_THAT(response.testing_token().id(), Not(""));
  EXPECT_THAT(Requests(),
              ElementsAre(IsUpstream("GET", "/v5/user/tokens", "")));
}

TEST_F(UserTokensServiceTest, ListAuthTokensRawLastPageHasNoNextCursor) {
  v1::ListAuthTokensRawRequest request;
  request.set_team_id("team_a");
  v1::ListAuthTokensRawResponse response;
  ASSERT_TRUE(IsOk(Client().ListAuthTokensRaw(request, &response)));

  EXPECT_THAT(Names(response.tokens()), ElementsAre("seed"));
  EXPECT_EQ(response.pagination().count(), 1);
  EXPECT_FALSE(response.pagination().has_next());
  EXPECT_EQ(response.pagination().next_cursor(), "");
  EXPECT_FALSE(response.has_testing_token());
  EXPECT_THAT(Requests(), ElementsAre(IsUpstream("GET", "/v5/user/tokens",
                                                 "teamId=team_a")));
}

TEST_F(UserTokensServiceTest, CreateAuthTokenReturnsASecretThatAuthenticates) {
  v1::CreateAuthTokenRequest request;
  request.set_team_id("team_a");
  request.set_name("ci");
  *request.mutable_expires_at() =
      TimeUtil::MillisecondsToTimestamp(kExpiresAtMs);
  v1::CreateAuthTokenResponse created;
  ASSERT_TRUE(IsOk(Client().CreateAuthToken(request, &created)));

  EXPECT_EQ(created.token().name(), "ci");
  EXPECT_EQ(created.token().type(), "oauth2-token");
  EXPECT_THAT(created.token().expires_at(), IsEpochMillis(kExpiresAtMs));
  ASSERT_EQ(created.token().scopes_size(), 1);
  EXPECT_EQ(created.token().scopes(0).team_id(), "team_a");
  EXPECT_THAT(created.bearer_token(), Not(""));
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream, ElementsAre(IsUpstream("POST", "/v3/user/tokens",
                                               "teamId=team_a")));
  EXPECT_EQ(upstream[0].body_json(),
            R"({"expiresAt":1700000000123,"name":"ci"})");
  EXPECT_THAT(upstream[0].headers().at("content-type"),
              StartsWith("application/json"));
  EXPECT_EQ(upstream[0].headers().at("authorization"),
            absl::StrCat("Bearer ", kSeedSecret));

  v1::GetAuthTokenRequest current;
  current.set_token_id("current");
  v1::GetAuthTokenResponse got;
  ASSERT_TRUE(IsOk(Client(created.bearer_token()).GetAuthToken(current, &got)));
  EXPECT_EQ(got.token().id(), created.token().id());
}

TEST_F(UserTokensServiceTest, CreateAuthTokenSendsAnOAuth2Body) {
  v1::CreateAuthTokenRequest request;
  request.set_team_id("team_a");
  request.set_slug("my-team");
  request.set_name("app");
  request.set_type("oauth2-token");
  request.set_client_id("cl_1");
  request.set_installation_id("icfg_1");
  v1::CreateAuthTokenResponse created;
  ASSERT_TRUE(IsOk(Client().CreateAuthToken(request, &created)));

  EXPECT_EQ(created.token().name(), "app");
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream, ElementsAre(IsUpstream("POST", "/v3/user/tokens",
                                               "teamId=team_a&slug=my-team")));
  EXPECT_EQ(
      upstream[0].body_json(),
      R"({"clientId":"cl_1","installationId":"icfg_1","name":"app","type":"oauth2-token"})");
}

// Creates a token for kSeedTeam through `client` and returns the response.
v1::CreateAuthTokenResponse CreateToken(const UserTokensClient& client,
                                        const std::string& name) {
  v1::CreateAuthTokenRequest request;
  request.set_team_id(kSeedTeam);
  request.set_name(name);
  v1::CreateAuthTokenResponse created;
  EXPECT_TRUE(IsOk(client.CreateAuthToken(request, &created)));
  return created;
}

TEST_F(UserTokensServiceTest, DeleteAuthTokenRevokesTheToken) {
  v1::CreateAuthTokenResponse created = CreateToken(Client(), "short-lived");
  ASSERT_THAT(created.bearer_token(), Not(""));

  v1::DeleteAuthTokenRequest request;
  request.set_token_id(created.token().id());
  request.set_team_id(kSeedTeam);
  v1::DeleteAuthTokenResponse response;
  ASSERT_TRUE(IsOk(Client().DeleteAuthToken(request, &response)));

  EXPECT_EQ(response.token_id(), created.token().id());
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  EXPECT_THAT(upstream[1],
              IsUpstream("DELETE",
                         absl::StrCat("/v3/user/tokens/", created.token().id()),
                         absl::StrCat("teamId=", kSeedTeam)));
  EXPECT_EQ(upstream[1].headers().at("authorization"),
            absl::StrCat("Bearer ", kSeedSecret));

  v1::GetAuthTokenRequest current;
  current.set_token_id("current");
  v1::GetAuthTokenResponse got;
  // Vercel answers a revoked token 403 invalidToken: a new token is needed.
  EXPECT_TRUE(
      HasCode(Client(created.bearer_token()).GetAuthToken(current, &got),
              grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(UserTokensServiceTest, DeleteAuthTokenCurrentRevokesTheCallersToken) {
  v1::CreateAuthTokenResponse created = CreateToken(Client(), "self-revoking");
  ASSERT_THAT(created.bearer_token(), Not(""));
  UserTokensClient self = Client(created.bearer_token());

  v1::DeleteAuthTokenRequest request;
  request.set_token_id("current");
  v1::DeleteAuthTokenResponse response;
  ASSERT_TRUE(IsOk(self.DeleteAuthToken(request, &response)));

  EXPECT_EQ(response.token_id(), created.token().id());
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  EXPECT_THAT(upstream[1], IsUpstream("DELETE", "/v3/user/tokens/current", ""));
  EXPECT_EQ(upstream[1].headers().at("authorization"),
            absl::StrCat("Bearer ", created.bearer_token()));
  v1::GetAuthTokenResponse got;
  v1::GetAuthTokenRequest current;
  current.set_token_id("current");
  EXPECT_TRUE(HasCode(self.GetAuthToken(current, &got),
                      grpc::StatusCode::UNAUTHENTICATED));
}

TEST_F(UserTokensServiceTest, EmailLoginSendsTheEmailWithoutAuthorization) {
  v1::EmailLoginRequest request;
  request.set_email("ada@example.com");
  request.set_token_name("laptop");
  v1::EmailLoginResponse response;
  ASSERT_TRUE(IsOk(Client().EmailLogin(request, &response)));

  EXPECT_THAT(response.token(), Not(""));
  EXPECT_THAT(response.security_code(), Not(""));
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream, ElementsAre(IsUpstream("POST", "/registration", "")));
  EXPECT_EQ(upstream[0].body_json(),
            R"({"email":"ada@example.com","tokenName":"laptop"})");
  EXPECT_EQ(upstream[0].headers().count("authorization"), 0u);
}

TEST_F(UserTokensServiceTest, VerifyTokenFailsUntilConfirmedThenReturnsToken) {
  v1::EmailLoginRequest login;
  login.set_email("ada@example.com");
  login.set_token_name("laptop");
  v1::EmailLoginResponse started;
  ASSERT_TRUE(IsOk(Client().EmailLogin(login, &started)));

  v1::VerifyTokenRequest request;
  request.set_token(started.token());
  request.set_email("ada@example.com");
  request.set_team_name("Ada Team");
  request.set_team_slug("ada-team");
  request.set_team_plan("pro");
  v1::VerifyTokenResponse response;
  grpc::Status early = Client().VerifyToken(request, &response);
  EXPECT_TRUE(HasCode(early, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_THAT(early.error_message(),
              ::testing::HasSubstr("Confirmation incomplete"));

  ASSERT_TRUE(IsOk(fake().Confirm("ada@example.com")));
  ASSERT_TRUE(IsOk(Client().VerifyToken(request, &response)));

  EXPECT_THAT(response.token(), Not(""));
  EXPECT_EQ(response.email(), "ada@example.com");
  EXPECT_EQ(response.team_id(), "team_ada-team");
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 3u);
  for (int i : {1, 2}) {
    EXPECT_EQ(upstream[i].method(), "GET");
    EXPECT_EQ(upstream[i].path(), "/registration/verify");
    EXPECT_THAT(upstream[i].raw_query(), StartsWith("token="));
    EXPECT_THAT(upstream[i].raw_query(),
                EndsWith("&email=ada%40example.com&teamName=Ada%20Team"
                         "&teamSlug=ada-team&teamPlan=pro"));
    EXPECT_EQ(upstream[i].query().at("token"), started.token());
    EXPECT_EQ(upstream[i].headers().count("authorization"), 0u);
  }

  v1::GetAuthTokenRequest current;
  current.set_token_id("current");
  v1::GetAuthTokenResponse got;
  ASSERT_TRUE(IsOk(Client(response.token()).GetAuthToken(current, &got)));
  EXPECT_EQ(got.token().name(), "laptop");
  EXPECT_EQ(got.token().origin(), "email");
}

}  // namespace
}  // namespace vercel_tokens::integration
