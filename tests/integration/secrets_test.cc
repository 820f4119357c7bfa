// Secrets (caller tokens, new bearer tokens, verification tokens, security
// codes) never appear in the server's logs or in any error it returns.

#include <signal.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kWrongSecret[] = "secret-wrong-7f3e";

// Everything an error shows its caller: message and ErrorInfo metadata.
std::string Visible(const grpc::Status& status) {
  std::string text = status.error_message();
  for (const auto& [key, value] : DecodeErrorDetails(status).metadata) {
    absl::StrAppend(&text, "\n", key, "=", value);
  }
  return text;
}

class SecretsTest : public IntegrationTest {
 protected:
  // Through `server`: creates a token and calls with it, logs in by email
  // (verify before and after confirmation, then once more), and calls with
  // a wrong token. Appends every secret involved to `secrets` and what the
  // failed calls showed to `errors`. Its channels end with it: an idle
  // client connection would delay the server's shutdown until gRPC's
  // client-side backup poll (5 s) answers the server's GOAWAY.
  void UseEverySecret(const ServerProcess& server,
                      std::vector<std::string>* secrets, std::string* errors) {
    UserTokensClient client = ClientOf(server, kSeedSecret);

    v1::CreateAuthTokenRequest create;
    create.set_team_id(kSeedTeam);
    create.set_name("ci");
    v1::CreateAuthTokenResponse created;
    ASSERT_TRUE(IsOk(client.CreateAuthToken(create, &created)));
    secrets->push_back(created.bearer_token());
    v1::GetAuthTokenRequest current;
    current.set_token_id("current");
    v1::GetAuthTokenResponse got;
    ASSERT_TRUE(IsOk(
        ClientOf(server, created.bearer_token()).GetAuthToken(current, &got)));

    v1::EmailLoginRequest login;
    login.set_email("ada@example.com");
    v1::EmailLoginResponse started;
    ASSERT_TRUE(IsOk(client.EmailLogin(login, &started)));
    secrets->push_back(started.token());
    secrets->push_back(started.security_code());
    v1::VerifyTokenRequest verify;
    verify.set_token(started.token());
    v1::VerifyTokenResponse verified;
    grpc::Status unconfirmed = client.VerifyToken(verify, &verified);
    EXPECT_TRUE(HasCode(unconfirmed, grpc::StatusCode::FAILED_PRECONDITION));
    absl::StrAppend(errors, Visible(unconfirmed));
    ASSERT_TRUE(IsOk(fake().Confirm("ada@example.com")));
    ASSERT_TRUE(IsOk(client.VerifyToken(verify, &verified)));
    secrets->push_back(verified.token());
    v1::VerifyTokenResponse unused;
    grpc::Status consumed = client.VerifyToken(verify, &unused);
    EXPECT_TRUE(HasCode(consumed, grpc::StatusCode::PERMISSION_DENIED));
    absl::StrAppend(errors, Visible(consumed));

    grpc::Status wrong =
        ClientOf(server, kWrongSecret).GetAuthToken(current, &got);
    EXPECT_TRUE(HasCode(wrong, grpc::StatusCode::UNAUTHENTICATED));
    absl::StrAppend(errors, Visible(wrong));
  }
};

TEST_F(SecretsTest, NoSecretReachesLogsOrErrors) {
  std::unique_ptr<ServerProcess> server = StartServer({});
  ASSERT_NE(server, nullptr);
  std::vector<std::string> secrets = {kSeedSecret, kWrongSecret};
  std::string errors;
  ASSERT_NO_FATAL_FAILURE(UseEverySecret(*server, &secrets, &errors));

  // Once the server has exited, its captured output is complete.
  ASSERT_TRUE(IsOk(server->process().Signal(SIGTERM)));
  EXPECT_TRUE(IsOk(server->process().Wait(absl::Seconds(15)).status()));
  const std::string logs = server->Output();
  for (const std::string& secret : secrets) {
    ASSERT_THAT(secret, Not(""));
    EXPECT_THAT(logs, Not(HasSubstr(secret))) << "secret in the server's logs";
    EXPECT_THAT(errors, Not(HasSubstr(secret))) << "secret in an error";
  }
}

}  // namespace
}  // namespace vercel_tokens::integration
