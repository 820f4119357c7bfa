// Vercel's API as it is today (shared/reference "Today's API"), through the
// real server: team-less and project-scoped create, the new token fields,
// the /v6 listing with opaque cursors and its bounds, the raw listing's
// cursors, today's 403 bodies, Vercel's request id, and what is retried.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/process.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Ge;
using ::testing::HasSubstr;
using ::testing::Le;
using ::testing::Not;
using ::testing::StartsWith;

using TodaysApiTest = IntegrationTest;

constexpr char kLeakUrl[] = "https://github.com/acme/app/blob/main/.env";

std::vector<std::string> Names(
    const google::protobuf::RepeatedPtrField<v1::AuthToken>& tokens) {
  std::vector<std::string> names;
  for (const v1::AuthToken& token : tokens) names.push_back(token.name());
  return names;
}

// t<count> (newest) ... t1, as every listing returns them.
std::vector<std::string> NewestFirst(int count) {
  std::vector<std::string> names;
  for (int i = count; i >= 1; --i) names.push_back(absl::StrCat("t", i));
  return names;
}

TEST_F(TodaysApiTest, CreateWithoutTeamIsAnAccountWideToken) {
  v1::CreateAuthTokenRequest request;
  request.set_name("cli");
  v1::CreateAuthTokenResponse created;
  ASSERT_TRUE(IsOk(Client().CreateAuthToken(request, &created)));

  ASSERT_EQ(created.token().scopes_size(), 1);
  EXPECT_EQ(created.token().scopes(0).type(), "user");
  EXPECT_EQ(created.token().scopes(0).team_id(), "");
  EXPECT_EQ(created.token().prefix(), created.bearer_token().substr(0, 6));
  EXPECT_TRUE(absl::EndsWith(created.bearer_token(), created.token().suffix()));
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream, ElementsAre(IsUpstream("POST", "/v3/user/tokens", "")));
  EXPECT_EQ(upstream[0].body_json(), R"({"name":"cli"})");
}

TEST_F(TodaysApiTest, CreateWithProjectIdIsProjectScoped) {
  v1::CreateAuthTokenRequest request;
  request.set_team_id("team_a");
  request.set_name("deploy");
  request.set_project_id("prj_1");
  v1::CreateAuthTokenResponse created;
  ASSERT_TRUE(IsOk(Client().CreateAuthToken(request, &created)));

  EXPECT_EQ(created.token().project_id(), "prj_1");
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_THAT(upstream, ElementsAre(IsUpstream("POST", "/v3/user/tokens",
                                               "teamId=team_a")));
  EXPECT_EQ(upstream[0].body_json(),
            R"({"name":"deploy","projectId":"prj_1"})");
}

TEST_F(TodaysApiTest, FreeTextRefusesC1ControlsAndBidiOverrides) {
  for (const char* name : {"ci\xC2\x85", "invoice\xE2\x80\xAEgpj.exe",
                           "a\xE2\x81\xA6"
                           "b"}) {
    v1::CreateAuthTokenRequest request;
    request.set_name(name);
    v1::CreateAuthTokenResponse created;
    EXPECT_TRUE(HasCode(Client().CreateAuthToken(request, &created),
                        grpc::StatusCode::INVALID_ARGUMENT));
    v1::EmailLoginRequest login;
    login.set_email("ada@example.com");
    login.set_token_name(name);
    v1::EmailLoginResponse started;
    EXPECT_TRUE(HasCode(Client().EmailLogin(login, &started),
                        grpc::StatusCode::INVALID_ARGUMENT));
  }
  EXPECT_THAT(Requests(), ElementsAre());
}

TEST_F(TodaysApiTest, TokensCarryPrefixSuffixLeakAndSudo) {
  ResetRequest reset;
  SeedToken* leaked = reset.add_tokens();
  leaked->set_name("leaked");
  leaked->set_bearer_token("vcp_leakedsecret");
  leaked->set_id("tok_leaked");
  leaked->set_leaked_url(kLeakUrl);
  SeedToken* sudo = reset.add_tokens();
  sudo->set_name("sudo");
  sudo->set_bearer_token(kSeedSecret);
  sudo->set_id("tok_sudo");
  sudo->mutable_sudo()->set_origin("totp");
  sudo->mutable_sudo()->set_expires_at(1700000600000);
  sudo->mutable_sudo()->set_verified_at(1700000000000);
  std::vector<VercelToken> seeded = Reset(reset);
  ASSERT_EQ(seeded.size(), 2u);

  v1::ListAuthTokensResponse listed;
  ASSERT_TRUE(IsOk(Client().ListAuthTokens({}, &listed)));

  ASSERT_THAT(Names(listed.tokens()), ElementsAre("sudo", "leaked"));
  const v1::AuthToken& with_sudo = listed.tokens(0);
  EXPECT_EQ(with_sudo.prefix(), "secret");
  EXPECT_FALSE(with_sudo.has_leaked_at());
  EXPECT_FALSE(with_sudo.has_revoked_at());
  EXPECT_EQ(with_sudo.leaked_url(), "");
  ASSERT_TRUE(with_sudo.scopes(0).has_sudo());
  EXPECT_EQ(with_sudo.scopes(0).sudo().origin(), "totp");
  EXPECT_THAT(with_sudo.scopes(0).sudo().expires_at(),
              IsEpochMillis(1700000600000));
  EXPECT_THAT(with_sudo.scopes(0).sudo().verified_at(),
              IsEpochMillis(1700000000000));
  const v1::AuthToken& leak = listed.tokens(1);
  EXPECT_EQ(leak.prefix(), "vcp_le");
  EXPECT_EQ(leak.suffix(), "cret");
  EXPECT_EQ(leak.leaked_url(), kLeakUrl);
  EXPECT_THAT(leak.leaked_at(), IsEpochMillis(seeded[0].leaked_at()));
  EXPECT_THAT(leak.revoked_at(), IsEpochMillis(seeded[0].revoked_at()));
  EXPECT_FALSE(leak.scopes(0).has_sudo());
}

TEST_F(TodaysApiTest, ListAuthTokensReadsMoreThan100TokensFromV6) {
  ASSERT_EQ(Reset(NumberedTokens(250, 20)).size(), 250u);

  v1::ListAuthTokensResponse response;
  ASSERT_TRUE(IsOk(Client().ListAuthTokens({}, &response)));

  EXPECT_EQ(Names(response.tokens()), NewestFirst(250));
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 3u);
  EXPECT_THAT(upstream[0], IsUpstream("GET", "/v6/user/tokens", "limit=100"));
  for (int i : {1, 2}) {
    EXPECT_EQ(upstream[i].path(), "/v6/user/tokens");
    EXPECT_THAT(upstream[i].raw_query(), StartsWith("limit=100&until="));
    EXPECT_THAT(upstream[i].query().at("until"), Not(""));
  }
  EXPECT_NE(upstream[1].query().at("until"), upstream[2].query().at("until"));
  for (const RecordedRequest& r : upstream) {
    EXPECT_EQ(r.headers().at("authorization"),
              absl::StrCat("Bearer ", kSeedSecret));
  }
}

TEST_F(TodaysApiTest, ListAuthTokensSendsTheTeamWithEveryPage) {
  ASSERT_EQ(Reset(NumberedTokens(101, 20)).size(), 101u);
  v1::ListAuthTokensRequest request;
  request.set_team_id("team_a");
  request.set_slug("my-team");
  v1::ListAuthTokensResponse response;
  ASSERT_TRUE(IsOk(Client().ListAuthTokens(request, &response)));

  EXPECT_EQ(response.tokens_size(), 101);
  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  EXPECT_THAT(upstream[0], IsUpstream("GET", "/v6/user/tokens",
                                      "teamId=team_a&slug=my-team&limit=100"));
  EXPECT_THAT(upstream[1].raw_query(),
              StartsWith("teamId=team_a&slug=my-team&limit=100&until="));
}

// Checks that `status` is LIST_INCOMPLETE with `code` and `cause`.
void ExpectListIncomplete(const grpc::Status& status, grpc::StatusCode code,
                          const std::string& cause) {
  EXPECT_TRUE(HasCode(status, code));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "LIST_INCOMPLETE");
  EXPECT_EQ(details.domain, "vercel-user-tokens");
  EXPECT_EQ(details.metadata["cause"], cause);
}

TEST_F(TodaysApiTest, ListAuthTokensFailsRatherThanStopAtMaxListPages) {
  ASSERT_EQ(Reset(NumberedTokens(250, 20)).size(), 250u);
  ServerOptions options;
  options.flags = {"--max_list_pages=2"};
  std::unique_ptr<ServerProcess> bounded = StartServer(options);
  ASSERT_NE(bounded, nullptr);

  v1::ListAuthTokensResponse response;
  grpc::Status status = ClientOf(*bounded).ListAuthTokens({}, &response);

  ExpectListIncomplete(status, grpc::StatusCode::FAILED_PRECONDITION,
                       "max_list_pages");
  EXPECT_EQ(DecodeErrorDetails(status).metadata["tokens_read"], "200");
  EXPECT_EQ(response.tokens_size(), 0);
  EXPECT_EQ(Requests().size(), 2u);
}

TEST_F(TodaysApiTest, ListAuthTokensBoundsTheBytesReadAcrossPages) {
  ASSERT_EQ(Reset(NumberedTokens(250, 20)).size(), 250u);
  ServerOptions options;
  options.flags = {"--max_list_bytes=60000"};
  std::unique_ptr<ServerProcess> bounded = StartServer(options);
  ASSERT_NE(bounded, nullptr);

  v1::ListAuthTokensResponse response;
  grpc::Status status = ClientOf(*bounded).ListAuthTokens({}, &response);

  ExpectListIncomplete(status, grpc::StatusCode::FAILED_PRECONDITION,
                       "max_list_bytes");
  EXPECT_THAT(Requests().size(), AllOf(Ge(1u), Le(2u)));
}

TEST_F(TodaysApiTest, ListAuthTokensFailsWhenVercelRepeatsACursor) {
  Fault stuck;
  stuck.set_path("/v6/user/tokens");
  stuck.set_times(5);
  stuck.set_body(
      R"({"tokens":[{"id":"loop","name":"loop","type":"t","activeAt":1,)"
      R"("createdAt":1}],"pagination":{"count":1,"next":"same","prev":null}})");
  ASSERT_TRUE(IsOk(fake().AddFault(stuck)));

  v1::ListAuthTokensResponse response;
  grpc::Status status = Client().ListAuthTokens({}, &response);

  ExpectListIncomplete(status, grpc::StatusCode::INTERNAL, "repeated_cursor");
  EXPECT_THAT(Requests(),
              ElementsAre(IsUpstream("GET", "/v6/user/tokens", "limit=100"),
                          IsUpstream("GET", "/v6/user/tokens",
                                     "limit=100&until=same")));
}

TEST_F(TodaysApiTest, ListAuthTokensRawReadsPageTwoWithTheCursor) {
  std::vector<VercelToken> seeded = Reset(NumberedTokens(5, 20));
  ASSERT_EQ(seeded.size(), 5u);
  v1::ListAuthTokensRawRequest request;
  request.set_limit(2);
  v1::ListAuthTokensRawResponse first;
  ASSERT_TRUE(IsOk(Client().ListAuthTokensRaw(request, &first)));
  EXPECT_THAT(Names(first.tokens()), ElementsAre("t5", "t4"));
  EXPECT_EQ(first.pagination().next_cursor(),
            absl::StrCat(seeded[3].created_at()));

  request.set_until(first.pagination().next_cursor());
  v1::ListAuthTokensRawResponse second;
  ASSERT_TRUE(IsOk(Client().ListAuthTokensRaw(request, &second)));
  EXPECT_THAT(Names(second.tokens()), ElementsAre("t3", "t2"));

  v1::ListAuthTokensRawRequest back;
  back.set_limit(2);
  back.set_since(second.pagination().prev_cursor());
  v1::ListAuthTokensRawResponse previous;
  ASSERT_TRUE(IsOk(Client().ListAuthTokensRaw(back, &previous)));
  EXPECT_THAT(Names(previous.tokens()), ElementsAre("t5", "t4"));

  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 3u);
  EXPECT_THAT(upstream[0], IsUpstream("GET", "/v5/user/tokens", "limit=2"));
  EXPECT_THAT(upstream[1],
              IsUpstream("GET", "/v5/user/tokens",
                         absl::StrCat("limit=2&until=",
                                      first.pagination().next_cursor())));
  EXPECT_THAT(upstream[2],
              IsUpstream("GET", "/v5/user/tokens",
                         absl::StrCat("limit=2&since=",
                                      second.pagination().prev_cursor())));
}

TEST_F(TodaysApiTest, RevokedTokenIsUnauthenticatedInvalidToken) {
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  grpc::Status status =
      Client("vcp_revoked_or_expired").GetAuthToken(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAUTHENTICATED));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "INVALID_TOKEN");
  EXPECT_EQ(details.metadata["http_status"], "403");
}

TEST_F(TodaysApiTest, MissingTokenAtVercelIsUnauthenticatedMissingToken) {
  Fault fault;
  fault.set_path("/v5/user/tokens/current");
  fault.set_status(403);
  fault.set_body(R"({"error":{"code":"forbidden","message":"Missing token",)"
                 R"("missingToken":true}})");
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  grpc::Status status = Client().GetAuthToken(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "MISSING_TOKEN");
}

TEST_F(TodaysApiTest, SamlEnforcementIsPermissionDeniedWithTeamAndScope) {
  ResetRequest reset = NumberedTokens(1, 20);
  reset.add_saml_teams("team_saml");
  ASSERT_EQ(Reset(reset).size(), 1u);
  v1::ListAuthTokensRequest request;
  request.set_team_id("team_saml");
  v1::ListAuthTokensResponse response;
  grpc::Status status = Client().ListAuthTokens(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::PERMISSION_DENIED));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "SAML_REQUIRED");
  EXPECT_EQ(details.metadata["team_id"], "team_saml");
  EXPECT_EQ(details.metadata["scope"], "scope-team_saml");
}

TEST_F(TodaysApiTest, LegacyEmailLoginDisabledIsFailedPrecondition) {
  ResetRequest reset;
  reset.set_legacy_login_disabled(true);
  Reset(reset);
  v1::EmailLoginRequest login;
  login.set_email("ada@example.com");
  v1::EmailLoginResponse started;
  grpc::Status status = Client().EmailLogin(login, &started);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "LEGACY_LOGIN_DISABLED");
  EXPECT_THAT(status.error_message(),
              HasSubstr("legacy authentication flow is disabled"));

  v1::VerifyTokenRequest verify;
  verify.set_token("verification-token");
  v1::VerifyTokenResponse verified;
  status = Client().VerifyToken(verify, &verified);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "LEGACY_LOGIN_DISABLED");
}

TEST_F(TodaysApiTest, RateLimitResetInMillisecondsIsUnderstood) {
  Fault fault;
  fault.set_path("/v5/user/tokens/current");
  fault.set_status(429);
  fault.set_body(R"({"error":{"code":"rate_limited","message":"Slow"}})");
  const int64_t reset_ms = absl::ToUnixMillis(absl::Now()) + 20000;
  (*fault.mutable_headers())["X-RateLimit-Reset"] = absl::StrCat(reset_ms);
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  grpc::Status status = Client().GetAuthToken(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED));
  ASSERT_TRUE(DecodeErrorDetails(status).retry_delay.has_value());
  EXPECT_THAT(*DecodeErrorDetails(status).retry_delay,
              AllOf(Ge(absl::Seconds(10)), Le(absl::Seconds(20))));
}

TEST_F(TodaysApiTest, VercelsRequestIdComesBackOnSuccessAndError) {
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  RateLimit metadata;
  ASSERT_TRUE(IsOk(Client().GetAuthToken(request, &response, &metadata)));
  request.set_token_id("tok_missing");
  grpc::Status missing = Client().GetAuthToken(request, &response);
  EXPECT_TRUE(HasCode(missing, grpc::StatusCode::NOT_FOUND));

  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  ASSERT_THAT(upstream[0].vercel_id(), Not(""));
  EXPECT_EQ(metadata.vercel_request_id, upstream[0].vercel_id());
  EXPECT_EQ(DecodeErrorDetails(missing).metadata["vercel_request_id"],
            upstream[1].vercel_id());
  // The server logs each call before answering it; its stderr arrives
  // through a pipe, so wait for the lines.
  for (const RecordedRequest& r : upstream) {
    absl::StatusOr<std::string> line = server().process().WaitForLine(
        Stream::kStderr,
        absl::StrCat(R"("vercel_request_id":")", r.vercel_id(), R"(")"),
        absl::Seconds(10));
    EXPECT_TRUE(IsOk(line.status()));
    if (line.ok()) {
      EXPECT_THAT(*line, HasSubstr(R"("msg":"call")"));
    }
  }
}

TEST_F(TodaysApiTest, VerifyTokenNotYetConfirmedHasItsOwnReason) {
  v1::EmailLoginRequest login;
  login.set_email("ada@example.com");
  v1::EmailLoginResponse started;
  ASSERT_TRUE(IsOk(Client().EmailLogin(login, &started)));
  v1::VerifyTokenRequest request;
  request.set_token(started.token());
  v1::VerifyTokenResponse response;
  grpc::Status status = Client().VerifyToken(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::FAILED_PRECONDITION));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "CONFIRMATION_INCOMPLETE");
}

// A server that retries (the shared one does not).
class RetryTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    ServerOptions options;
    options.flags = {"--upstream_max_attempts=3"};
    retrying_ = StartServer(options);
    ASSERT_NE(retrying_, nullptr);
  }
  std::unique_ptr<ServerProcess> retrying_;
};

Fault Unavailable(const std::string& path) {
  Fault fault;
  fault.set_path(path);
  fault.set_status(503);
  fault.set_body(R"({"error":{"code":"service_unavailable","message":"x"}})");
  return fault;
}

TEST_F(RetryTest, VerifyTokenIsNeverRetried) {
  ASSERT_TRUE(IsOk(fake().AddFault(Unavailable("/registration/verify"))));
  v1::VerifyTokenRequest request;
  request.set_token("vt_1");
  v1::VerifyTokenResponse response;
  grpc::Status status = ClientOf(*retrying_).VerifyToken(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(RetryTest, ReadsAreRetried) {
  ASSERT_TRUE(IsOk(fake().AddFault(Unavailable("/v6/user/tokens"))));
  v1::ListAuthTokensResponse response;
  ASSERT_TRUE(IsOk(ClientOf(*retrying_).ListAuthTokens({}, &response)));
  EXPECT_EQ(response.tokens_size(), 1);
  EXPECT_EQ(Requests().size(), 2u);
}

TEST_F(RetryTest, AResponseCutInsideItsHeadersIsUnavailableAndRetried) {
  Fault cut;
  cut.set_path("/v5/user/tokens/current");
  cut.set_cut_headers(true);
  ASSERT_TRUE(IsOk(fake().AddFault(cut)));
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  ASSERT_TRUE(IsOk(ClientOf(*retrying_).GetAuthToken(request, &response)));
  EXPECT_EQ(response.token().name(), "seed");

  ASSERT_TRUE(IsOk(fake().AddFault(cut)));
  // The shared server does not retry: the caller sees why.
  grpc::Status status = Client().GetAuthToken(request, &response);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "UPSTREAM_UNAVAILABLE");
}

TEST_F(RetryTest, ARedirectIsNeitherFollowedNorRetried) {
  Fault redirect;
  redirect.set_path("/v5/user/tokens/current");
  redirect.set_status(301);
  (*redirect.mutable_headers())["Location"] = "http://127.0.0.1:1/elsewhere";
  ASSERT_TRUE(IsOk(fake().AddFault(redirect)));
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  grpc::Status status = ClientOf(*retrying_).GetAuthToken(request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::INTERNAL));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "UPSTREAM_REDIRECT");
  EXPECT_EQ(Requests().size(), 1u);
}

}  // namespace
}  // namespace vercel_tokens::integration
