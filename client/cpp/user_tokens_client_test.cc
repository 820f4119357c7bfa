#include "user_tokens_client.h"

#include <map>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "fake_user_tokens_server.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

// Returns the grpc::Status the server sends for a Vercel 429 with a
// Retry-After of 3.5s and a field violation.
grpc::Status RichError() {
  google::rpc::Status rpc_status;
  rpc_status.set_code(grpc::StatusCode::RESOURCE_EXHAUSTED);
  rpc_status.set_message("Vercel API error 429 (rate_limited): slow down");
  google::rpc::ErrorInfo info;
  info.set_reason("RATE_LIMITED");
  info.set_domain("api.vercel.com");
  (*info.mutable_metadata())["http_status"] = "429";
  (*info.mutable_metadata())["vercel_code"] = "rate_limited";
  rpc_status.add_details()->PackFrom(info);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(3);
  retry.mutable_retry_delay()->set_nanos(500000000);
  rpc_status.add_details()->PackFrom(retry);
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("name");
  violation->set_description("must not be empty");
  rpc_status.add_details()->PackFrom(bad_request);
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                      rpc_status.message(), rpc_status.SerializeAsString());
}

TEST(DecodeErrorDetailsTest, DecodesErrorInfoRetryInfoAndBadRequest) {
  const ErrorDetails details = DecodeErrorDetails(RichError());
  EXPECT_EQ(details.reason, "RATE_LIMITED");
  EXPECT_EQ(details.domain, "api.vercel.com");
  EXPECT_THAT(details.metadata,
              UnorderedElementsAre(Pair("http_status", "429"),
                                   Pair("vercel_code", "rate_limited")));
  EXPECT_EQ(details.retry_delay, absl::Milliseconds(3500));
  ASSERT_EQ(details.field_violations.size(), 1u);
  EXPECT_EQ(details.field_violations[0].field, "name");
  EXPECT_EQ(details.field_violations[0].description, "must not be empty");
}

TEST(DecodeErrorDetailsTest, StatusWithoutDetailsDecodesToNothing) {
  const ErrorDetails details =
      DecodeErrorDetails(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone"));
  EXPECT_EQ(details.reason, "");
  EXPECT_EQ(details.domain, "");
  EXPECT_TRUE(details.metadata.empty());
  EXPECT_FALSE(details.retry_delay.has_value());
  EXPECT_TRUE(details.field_violations.empty());
}

TEST(DecodeErrorDetailsTest, UndecodableDetailsAreIgnored) {
  const ErrorDetails details = DecodeErrorDetails(
      grpc::Status(grpc::StatusCode::INTERNAL, "boom", "\xff\xff not proto"));
  EXPECT_EQ(details.reason, "");
  EXPECT_TRUE(details.field_violations.empty());
}

TEST(DecodeErrorDetailsTest, OkStatusDecodesToNothing) {
  EXPECT_EQ(DecodeErrorDetails(grpc::Status::OK).reason, "");
}

TEST(ParseRateLimitTest, ReadsTheThreeHeaders) {
  const std::multimap<grpc::string_ref, grpc::string_ref> metadata = {
      {"x-ratelimit-limit", "100"},
      {"x-ratelimit-remaining", "99"},
      {"x-ratelimit-reset", "1700000000"},
      {"x-vercel-id", "fra1::abc-123"},
      {"content-type", "application/grpc"}};
  const RateLimit rate_limit = ParseRateLimit(metadata);
  EXPECT_EQ(rate_limit.limit, 100);
  EXPECT_EQ(rate_limit.remaining, 99);
  EXPECT_EQ(rate_limit.reset_unix_seconds, 1700000000);
  EXPECT_EQ(rate_limit.vercel_request_id, "fra1::abc-123");
}

TEST(ParseRateLimitTest, IgnoresUnparsableAndAbsentValues) {
  const std::multimap<grpc::string_ref, grpc::string_ref> metadata = {
      {"x-ratelimit-limit", "many"}, {"x-ratelimit-remaining", "12abc"}};
  const RateLimit rate_limit = ParseRateLimit(metadata);
  EXPECT_FALSE(rate_limit.limit.has_value());
  EXPECT_FALSE(rate_limit.remaining.has_value());
  EXPECT_FALSE(rate_limit.reset_unix_seconds.has_value());
  EXPECT_FALSE(rate_limit.vercel_request_id.has_value());
}

class UserTokensClientTest : public ::testing::Test {
 protected:
  FakeUserTokensServer server_;
};

TEST_F(UserTokensClientTest, SendsBearerTokenAndDeadline) {
  std::string authorization;
  absl::Time deadline;
  server_.service().get_auth_token = [&](grpc::ServerContext* context,
                                         const v1::GetAuthTokenRequest& request,
                                         v1::GetAuthTokenResponse* response) {
    authorization = AuthorizationOf(*context);
    deadline = absl::FromChrono(context->deadline());
    response->mutable_token()->set_id(request.token_id());
    return grpc::Status::OK;
  };
  // gRPC sends the timeout rounded up to three significant digits: for an
  // hour that may add 10 s; for 100 s, at most 1 s.
  const absl::Duration timeout = absl::Seconds(100);
  const UserTokensClient client(server_.NewChannel(),
                                {"caller-token", timeout});
  v1::GetAuthTokenRequest request;
  request.set_token_id("tok_1");
  v1::GetAuthTokenResponse response;

  const absl::Time before = absl::Now();
  const grpc::Status status = client.GetAuthToken(request, &response);
  const absl::Time after = absl::Now();

  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.token().id(), "tok_1");
  EXPECT_EQ(authorization, "Bearer caller-token");
  EXPECT_GT(deadline, before + timeout - absl::Seconds(5));
  EXPECT_LT(deadline, after + timeout + absl::Seconds(5));
}

TEST_F(UserTokensClientTest, SendsNoAuthorizationWithoutToken) {
  std::string authorization = "unset";
  server_.service().email_login = [&](grpc::ServerContext* context,
                                      const v1::EmailLoginRequest&,
                                      v1::EmailLoginResponse*) {
    authorization = AuthorizationOf(*context);
    return grpc::Status::OK;
  };
  const UserTokensClient client(server_.NewChannel(), {});
  v1::EmailLoginResponse response;
  ASSERT_TRUE(client.EmailLogin({}, &response).ok());
  EXPECT_EQ(authorization, "");
}

TEST_F(UserTokensClientTest, FillsRateLimitFromInitialMetadata) {
  server_.service().list_auth_tokens = [](grpc::ServerContext* context,
                                          const v1::ListAuthTokensRequest&,
                                          v1::ListAuthTokensResponse*) {
    context->AddInitialMetadata("x-ratelimit-limit", "100");
    context->AddInitialMetadata("x-ratelimit-remaining", "7");
    context->AddInitialMetadata("x-ratelimit-reset", "1700000000");
    return grpc::Status::OK;
  };
  const UserTokensClient client(server_.NewChannel(), {});
  v1::ListAuthTokensResponse response;
  RateLimit rate_limit;
  ASSERT_TRUE(client.ListAuthTokens({}, &response, &rate_limit).ok());
  EXPECT_EQ(rate_limit.limit, 100);
  EXPECT_EQ(rate_limit.remaining, 7);
  EXPECT_EQ(rate_limit.reset_unix_seconds, 1700000000);
}

TEST_F(UserTokensClientTest, ErrorDetailsSurviveTheWire) {
  server_.service().create_auth_token =
      [](grpc::ServerContext*, const v1::CreateAuthTokenRequest&,
         v1::CreateAuthTokenResponse*) { return RichError(); };
  const UserTokensClient client(server_.NewChannel(), {});
  v1::CreateAuthTokenResponse response;
  const grpc::Status status = client.CreateAuthToken({}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "RATE_LIMITED");
  EXPECT_EQ(details.retry_delay, absl::Milliseconds(3500));
}

TEST_F(UserTokensClientTest, EveryMethodCallsItsRpc) {
  FakeUserTokensService& service = server_.service();
  service.get_auth_token = [](auto*, const auto&, auto* response) {
    response->mutable_token()->set_id("get");
    return grpc::Status::OK;
  };
  service.list_auth_tokens = [](auto*, const auto&, auto* response) {
    response->add_tokens()->set_id("list");
    return grpc::Status::OK;
  };
  service.create_auth_token = [](auto*, const auto&, auto* response) {
    response->set_bearer_token("create");
    return grpc::Status::OK;
  };
  service.delete_auth_token = [](auto*, const auto&, auto* response) {
    response->set_token_id("delete");
    return grpc::Status::OK;
  };
  service.list_auth_tokens_raw = [](auto*, const auto&, auto* response) {
    response->mutable_testing_token()->set_id("raw");
    return grpc::Status::OK;
  };
  service.email_login = [](auto*, const auto&, auto* response) {
    response->set_security_code("email");
    return grpc::Status::OK;
  };
  service.verify_token = [](auto*, const auto&, auto* response) {
    response->set_email("verify");
    return grpc::Status::OK;
  };
  const UserTokensClient client(server_.NewChannel(), {});

  v1::GetAuthTokenResponse get;
  ASSERT_TRUE(client.GetAuthToken({}, &get).ok());
  v1::ListAuthTokensResponse list;
  ASSERT_TRUE(client.ListAuthTokens({}, &list).ok());
  v1::CreateAuthTokenResponse create;
  ASSERT_TRUE(client.CreateAuthToken({}, &create).ok());
  v1::DeleteAuthTokenResponse del;
  ASSERT_TRUE(client.DeleteAuthToken({}, &del).ok());
  v1::ListAuthTokensRawResponse raw;
  ASSERT_TRUE(client.ListAuthTokensRaw({}, &raw).ok());
  v1::EmailLoginResponse email;
  ASSERT_TRUE(client.EmailLogin({}, &email).ok());
  v1::VerifyTokenResponse verify;
  ASSERT_TRUE(client.VerifyToken({}, &verify).ok());

  EXPECT_EQ(get.token().id(), "get");
  ASSERT_EQ(list.tokens_size(), 1);
  EXPECT_EQ(list.tokens(0).id(), "list");
  EXPECT_EQ(create.bearer_token(), "create");
  EXPECT_EQ(del.token_id(), "delete");
  EXPECT_EQ(raw.testing_token().id(), "raw");
  EXPECT_EQ(email.security_code(), "email");
  EXPECT_EQ(verify.email(), "verify");
}

TEST_F(UserTokensClientTest, UnreachableServerIsUnavailable) {
  const UserTokensClient client(
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
      {"", absl::Seconds(5)});
  v1::ListAuthTokensResponse response;
  RateLimit rate_limit;
  rate_limit.limit = 1;
  const grpc::Status status = client.ListAuthTokens({}, &response, &rate_limit);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(rate_limit.limit.has_value());
}

}  // namespace
}  // namespace vercel_tokens
