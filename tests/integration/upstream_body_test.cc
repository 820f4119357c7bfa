// Success bodies the server cannot use: malformed, wrongly typed, too large.
// Each fails the one call with INTERNAL and leaves the server serving.

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kTokenPath[] = "/v5/user/tokens/tok_1";

class UpstreamBodyTest : public IntegrationTest {
 protected:
  // Makes the fake answer the next `GET path` with 200 and `body`.
  void AnswerOnce(const std::string& path, const std::string& body) {
    Fault fault;
    fault.set_method("GET");
    fault.set_path(path);
    fault.set_status(200);
    fault.set_body(body);
    ASSERT_TRUE(IsOk(fake().AddFault(fault)));
  }

  static grpc::Status GetToken(const UserTokensClient& client,
                               const std::string& token_id) {
    v1::GetAuthTokenRequest request;
    request.set_token_id(token_id);
    v1::GetAuthTokenResponse response;
    return client.GetAuthToken(request, &response);
  }

  // Expects `status` to be INTERNAL with `reason`, and a next call through
  // `client` to succeed.
  static void ExpectInternalAndStillServing(const grpc::Status& status,
                                            const std::string& reason,
                                            const UserTokensClient& client) {
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::INTERNAL));
    EXPECT_EQ(DecodeErrorDetails(status).reason, reason);
    EXPECT_TRUE(IsOk(GetToken(client, "current")));
  }
};

TEST_F(UpstreamBodyTest, MalformedJsonIsInternal) {
  AnswerOnce(kTokenPath, R"({"token": {"id": "tok_1", "name": )");

  ExpectInternalAndStillServing(GetToken(Client(), "tok_1"),
                                "UPSTREAM_MALFORMED_RESPONSE", Client());
}

TEST_F(UpstreamBodyTest, WronglyTypedFieldIsInternal) {
  AnswerOnce(
      kTokenPath,
      R"({"token":{"id":"tok_1","name":"n","type":"oauth2-token","activeAt":1,"createdAt":"x"}})");

  ExpectInternalAndStillServing(GetToken(Client(), "tok_1"),
                                "UPSTREAM_MALFORMED_RESPONSE", Client());
}

TEST_F(UpstreamBodyTest, WronglyTypedListIsInternal) {
  AnswerOnce("/v6/user/tokens",
             R"({"tokens":"none","pagination":{"count":0,"next":null}})");

  v1::ListAuthTokensResponse response;
  ExpectInternalAndStillServing(Client().ListAuthTokens({}, &response),
                                "UPSTREAM_MALFORMED_RESPONSE", Client());
}

TEST_F(UpstreamBodyTest, OversizedBodyIsInternal) {
  ServerOptions options;
  options.flags.push_back("--max_response_bytes=1024");
  std::unique_ptr<ServerProcess> server = StartServer(options);
  ASSERT_NE(server, nullptr);
  AnswerOnce("/v5/user/tokens",
             absl::StrCat(R"({"tokens":[],"pagination":{"count":0},"pad":")",
                          std::string(8192, 'x'), R"("})"));

  v1::ListAuthTokensRawResponse response;
  grpc::Status status = ClientOf(*server).ListAuthTokensRaw({}, &response);

  ExpectInternalAndStillServing(status, "UPSTREAM_RESPONSE_TOO_LARGE",
                                ClientOf(*server));
  EXPECT_THAT(status.error_message(), Not(HasSubstr("xxxxxxxx")));
}

}  // namespace
}  // namespace vercel_tokens::integration
