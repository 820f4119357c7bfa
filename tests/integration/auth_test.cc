// Whose Vercel token reaches Vercel: the caller's, else the server's, else
// none at all.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/temp_file.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kOtherSecret[] = "secret-other-2";

class AuthTest : public IntegrationTest {
 protected:
  // Seeds two tokens: "seed" (kSeedSecret) and "other" (kOtherSecret).
  void SetUp() override {
    IntegrationTest::SetUp();
    ResetRequest request;
    for (auto [name, secret] :
         {std::pair{"seed", kSeedSecret}, std::pair{"other", kOtherSecret}}) {
      SeedToken* token = request.add_tokens();
      token->set_name(name);
      token->set_bearer_token(secret);
      token->set_team_id(kSeedTeam);
    }
    ASSERT_EQ(Reset(request).size(), 2u);
  }

  // Starts a server whose own token (env VERCEL_TOKEN) is kOtherSecret.
  std::unique_ptr<ServerProcess> StartServerWithOtherToken() {
    ServerOptions options;
    options.env["VERCEL_TOKEN"] = kOtherSecret;
    return StartServer(options);
  }

  // Calls GetAuthToken("current") on `client`; returns the token's name.
  static grpc::Status GetCurrent(const UserTokensClient& client,
                                 std::string* name) {
    v1::GetAuthTokenRequest request;
    request.set_token_id("current");
    v1::GetAuthTokenResponse response;
    grpc::Status status = client.GetAuthToken(request, &response);
    *name = response.token().name();
    return status;
  }

  // Expects exactly one upstream request, authenticated with `secret`.
  void ExpectOneRequestWithBearer(const std::string& secret) {
    std::vector<RecordedRequest> upstream = Requests();
    ASSERT_THAT(upstream,
                ElementsAre(IsUpstream("GET", "/v5/user/tokens/current", "")));
    EXPECT_EQ(upstream[0].headers().at("authorization"),
              absl::StrCat("Bearer ", secret));
  }
};

TEST_F(AuthTest, CallersTokenIsForwarded) {
  std::string name;
  ASSERT_TRUE(IsOk(GetCurrent(Client(kOtherSecret), &name)));

  EXPECT_EQ(name, "other");
  ExpectOneRequestWithBearer(kOtherSecret);
}

TEST_F(AuthTest, WithoutCallerTokenTheServerTokenFromEnvironmentIsUsed) {
  std::unique_ptr<ServerProcess> server = StartServerWithOtherToken();
  ASSERT_NE(server, nullptr);

  std::string name;
  ASSERT_TRUE(IsOk(GetCurrent(ClientOf(*server, ""), &name)));

  EXPECT_EQ(name, "other");
  ExpectOneRequestWithBearer(kOtherSecret);
}

TEST_F(AuthTest, WithoutCallerTokenTheServerTokenFromFileIsUsed) {
  TempFile token_file(absl::StrCat(kOtherSecret, "\n"));
  ServerOptions options;
  options.flags.push_back(
      absl::StrCat("--vercel_token_file=", token_file.path()));
  std::unique_ptr<ServerProcess> server = StartServer(options);
  ASSERT_NE(server, nullptr);

  std::string name;
  ASSERT_TRUE(IsOk(GetCurrent(ClientOf(*server, ""), &name)));

  EXPECT_EQ(name, "other");
  ExpectOneRequestWithBearer(kOtherSecret);
}

TEST_F(AuthTest, CallerTokenWinsOverTheServerToken) {
  std::unique_ptr<ServerProcess> server = StartServerWithOtherToken();
  ASSERT_NE(server, nullptr);

  std::string name;
  ASSERT_TRUE(IsOk(GetCurrent(ClientOf(*server, kSeedSecret), &name)));

  EXPECT_EQ(name, "seed");
  ExpectOneRequestWithBearer(kSeedSecret);
}

TEST_F(AuthTest, WithoutAnyTokenTheCallIsUnauthenticatedAndNothingIsSent) {
  std::string name;
  grpc::Status status = GetCurrent(Client(""), &name);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAUTHENTICATED));
  ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "MISSING_CREDENTIALS");
  EXPECT_EQ(details.domain, "vercel-user-tokens");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(AuthTest, MalformedAuthorizationIsRejectedAndNothingIsSent) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Basic dXNlcjpwYXNz");
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  grpc::Status status = v1::UserTokensService::NewStub(server().NewChannel())
                            ->GetAuthToken(&context, request, &response);

  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAUTHENTICATED));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "MALFORMED_CREDENTIALS");
  EXPECT_THAT(Requests(), IsEmpty());
}

TEST_F(AuthTest, EmailLoginAndVerifyTokenNeverSendAuthorization) {
  std::unique_ptr<ServerProcess> server = StartServerWithOtherToken();
  ASSERT_NE(server, nullptr);
  UserTokensClient client = ClientOf(*server, kSeedSecret);

  v1::EmailLoginRequest login;
  login.set_email("ada@example.com");
  v1::EmailLoginResponse started;
  ASSERT_TRUE(IsOk(client.EmailLogin(login, &started)));
  ASSERT_TRUE(IsOk(fake().Confirm("ada@example.com")));
  v1::VerifyTokenRequest verify;
  verify.set_token(started.token());
  v1::VerifyTokenResponse verified;
  ASSERT_TRUE(IsOk(client.VerifyToken(verify, &verified)));

  std::vector<RecordedRequest> upstream = Requests();
  ASSERT_EQ(upstream.size(), 2u);
  EXPECT_EQ(upstream[0].path(), "/registration");
  EXPECT_EQ(upstream[1].path(), "/registration/verify");
  for (const RecordedRequest& r : upstream) {
    EXPECT_EQ(r.headers().count("authorization"), 0u) << r.path();
  }
}

}  // namespace
}  // namespace vercel_tokens::integration
