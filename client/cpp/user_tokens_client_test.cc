#include "user_tokens_client.h"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
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
using ::testing::ElementsAre;
using ::testing::MatchesRegex;
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

TEST(ParseResponseMetadataTest, InitialMetadataFirstTrailersFillTheGaps) {
  const std::multimap<grpc::string_ref, grpc::string_ref> initial = {
      {"x-ratelimit-remaining", "5"}};
  const std::multimap<grpc::string_ref, grpc::string_ref> trailing = {
      {"x-ratelimit-limit", "100"},
      {"x-ratelimit-remaining", "9"},
      {"x-ratelimit-reset", "1700000000"},
      {"x-vercel-id", "iad1::from-trailers"}};
  const ResponseMetadata metadata = ParseResponseMetadata(initial, trailing);
  EXPECT_EQ(metadata.limit, 100);
  EXPECT_EQ(metadata.remaining, 5);
  EXPECT_EQ(metadata.reset_unix_seconds, 1700000000);
  EXPECT_EQ(metadata.vercel_request_id, "iad1::from-trailers");
}

TEST(DecodeErrorDetailsTest, ResponseMetadataGivesRateLimitAndRequestId) {
  ResponseMetadata metadata;
  metadata.remaining = 0;
  metadata.reset_unix_seconds = 1700000060;
  metadata.vercel_request_id = "fra1::header";
  const ErrorDetails details = DecodeErrorDetails(RichError(), metadata);
  EXPECT_EQ(details.family, ErrorFamily::kRateLimited);
  EXPECT_EQ(details.reason, "RATE_LIMITED");
  EXPECT_EQ(details.retry_delay, absl::Milliseconds(3500));
  EXPECT_EQ(details.rate_limit.remaining, 0);
  EXPECT_EQ(details.rate_limit.reset_unix_seconds, 1700000060);
  EXPECT_EQ(details.vercel_request_id, "fra1::header");
}

TEST(DecodeErrorDetailsTest, ErrorInfoRequestIdStandsWithoutTheHeader) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(grpc::StatusCode::NOT_FOUND);
  google::rpc::ErrorInfo info;
  (*info.mutable_metadata())["vercel_request_id"] = "fra1::xyz";
  rpc_status.add_details()->PackFrom(info);
  const ErrorDetails details =
      DecodeErrorDetails(grpc::Status(grpc::StatusCode::NOT_FOUND, "gone",
                                      rpc_status.SerializeAsString()),
                         ResponseMetadata{});
  EXPECT_EQ(details.vercel_request_id, "fra1::xyz");
  EXPECT_FALSE(details.rate_limit.remaining.has_value());
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
  ClientOptions options;
  options.bearer_token = "caller-token";
  options.timeout = timeout;
  const UserTokensClient client(server_.NewChannel(), options);
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

TEST_F(UserTokensClientTest, ErrorCarriesRateLimitAndVercelIdOfItsMetadata) {
  server_.service().get_auth_token = [](grpc::ServerContext* context,
                                        const v1::GetAuthTokenRequest&,
                                        v1::GetAuthTokenResponse*) {
    context->AddInitialMetadata("x-vercel-id", "cdg1::rate-limited");
    context->AddInitialMetadata("x-ratelimit-remaining", "0");
    context->AddInitialMetadata("x-ratelimit-reset", "1700000060");
    return RichError();
  };
  const UserTokensClient client(server_.NewChannel(), {});
  v1::GetAuthTokenResponse response;
  ResponseMetadata metadata;
  const grpc::Status status = client.GetAuthToken({}, &response, &metadata);
  const ErrorDetails details = DecodeErrorDetails(status, metadata);
  EXPECT_EQ(details.family, ErrorFamily::kRateLimited);
  EXPECT_EQ(details.retry_delay, absl::Milliseconds(3500));
  EXPECT_EQ(details.rate_limit.remaining, 0);
  EXPECT_EQ(details.rate_limit.reset_unix_seconds, 1700000060);
  EXPECT_EQ(details.vercel_request_id, "cdg1::rate-limited");
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
  ClientOptions options;
  options.timeout = absl::Seconds(5);
  const UserTokensClient client(
      grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()),
      options);
  v1::ListAuthTokensResponse response;
  RateLimit rate_limit;
  rate_limit.limit = 1;
  const grpc::Status status = client.ListAuthTokens({}, &response, &rate_limit);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_FALSE(rate_limit.limit.has_value());
}

// A Vercel 503 as the server relays it: UNAVAILABLE with RetryInfo.
grpc::Status Unavailable(absl::Duration retry_delay) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(grpc::StatusCode::UNAVAILABLE);
  rpc_status.set_message("Vercel API error 503");
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(absl::ToInt64Seconds(retry_delay));
  retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(retry_delay % absl::Seconds(1))));
  rpc_status.add_details()->PackFrom(retry);
  return grpc::Status(grpc::StatusCode::UNAVAILABLE, rpc_status.message(),
                      rpc_status.SerializeAsString());
}

std::string MetadataOf(const grpc::ServerContext& context,
                       const std::string& key) {
  auto it = context.client_metadata().find(key);
  if (it == context.client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

TEST(FamilyOfTest, EveryCodeTheServerReturnsHasItsFamily) {
  EXPECT_EQ(FamilyOf(grpc::StatusCode::INVALID_ARGUMENT),
            ErrorFamily::kInvalidArgument);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::FAILED_PRECONDITION),
            ErrorFamily::kFailedPrecondition);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::UNAUTHENTICATED),
            ErrorFamily::kUnauthenticated);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::PERMISSION_DENIED),
            ErrorFamily::kPermissionDenied);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::NOT_FOUND), ErrorFamily::kNotFound);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::ALREADY_EXISTS),
            ErrorFamily::kAlreadyExists);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::RESOURCE_EXHAUSTED),
            ErrorFamily::kRateLimited);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::UNAVAILABLE), ErrorFamily::kUnavailable);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::DEADLINE_EXCEEDED),
            ErrorFamily::kDeadlineExceeded);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::CANCELLED), ErrorFamily::kCancelled);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::INTERNAL), ErrorFamily::kInternal);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::UNIMPLEMENTED),
            ErrorFamily::kUnimplemented);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::UNKNOWN), ErrorFamily::kUnknown);
  EXPECT_EQ(FamilyOf(grpc::StatusCode::DATA_LOSS), ErrorFamily::kOther);
}

TEST(DecodeErrorDetailsTest, HttpStatusAndVercelRequestId) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(grpc::StatusCode::NOT_FOUND);
  google::rpc::ErrorInfo info;
  (*info.mutable_metadata())["http_status"] = "404";
  (*info.mutable_metadata())["vercel_request_id"] = "fra1::xyz";
  rpc_status.add_details()->PackFrom(info);
  const ErrorDetails details = DecodeErrorDetails(grpc::Status(
      grpc::StatusCode::NOT_FOUND, "gone", rpc_status.SerializeAsString()));
  EXPECT_EQ(details.family, ErrorFamily::kNotFound);
  EXPECT_EQ(details.http_status, 404);
  EXPECT_EQ(details.vercel_request_id, "fra1::xyz");
}

TEST(ClientOptionsTest, TlsByDefaultAndDefaultDeadline) {
  EXPECT_FALSE(ClientOptions().plaintext);
  EXPECT_EQ(ClientOptions().timeout, absl::Seconds(30));
  EXPECT_EQ(kDefaultDeadline, absl::Seconds(30));
  EXPECT_FALSE(ClientOptions().retry.has_value());
}

TEST(MakeChannelTest, RefusesHalfAClientCertificateAndTlsWithPlaintext) {
  ClientOptions half;
  half.tls_cert_file = "cert.pem";
  EXPECT_FALSE(MakeChannel("localhost:1", half).ok());
  ClientOptions mixed;
  mixed.plaintext = true;
  mixed.tls_ca_file = "ca.pem";
  EXPECT_FALSE(MakeChannel("localhost:1", mixed).ok());
  ClientOptions missing_ca;
  missing_ca.tls_ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(MakeChannel("localhost:1", missing_ca).ok());
}

TEST_F(UserTokensClientTest, DefaultClientSpeaksTlsSoAPlaintextServerFails) {
  ClientOptions options;
  options.timeout = absl::Seconds(5);
  absl::StatusOr<UserTokensClient> tls =
      UserTokensClient::Connect(server_.address(), options);
  ASSERT_TRUE(tls.ok()) << tls.status();
  server_.service().list_auth_tokens = [](auto*, const auto&, auto*) {
    return grpc::Status::OK;
  };
  v1::ListAuthTokensResponse response;
  EXPECT_EQ(tls->ListAuthTokens({}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  options.plaintext = true;
  absl::StatusOr<UserTokensClient> plain =
      UserTokensClient::Connect(server_.address(), options);
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_TRUE(plain->ListAuthTokens({}, &response).ok());
}

TEST_F(UserTokensClientTest, RetriesAreOffByDefault) {
  std::atomic<int> calls{0};
  server_.service().get_auth_token = [&](auto*, const auto&, auto*) {
    ++calls;
    return Unavailable(absl::Milliseconds(10));
  };
  const UserTokensClient client(server_.NewChannel(), {});
  v1::GetAuthTokenResponse response;
  EXPECT_EQ(client.GetAuthToken({}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(UserTokensClientTest, RetryHonoursRetryInfoAndKeepsTheRequestId) {
  std::vector<std::string> request_ids;
  server_.service().create_auth_token =
      [&](auto*, const v1::CreateAuthTokenRequest& request,
          v1::CreateAuthTokenResponse* response) {
        request_ids.push_back(request.request_id());
        if (request_ids.size() == 1)
          return Unavailable(absl::Milliseconds(300));
        response->set_bearer_token("secret");
        return grpc::Status::OK;
      };
  ClientOptions options;
  options.retry = RetryPolicy();
  const UserTokensClient client(server_.NewChannel(), options);
  v1::CreateAuthTokenRequest request;
  request.set_name("ci");
  v1::CreateAuthTokenResponse response;

  const absl::Time start = absl::Now();
  ASSERT_TRUE(client.CreateAuthToken(request, &response).ok());
  EXPECT_GE(absl::Now() - start, absl::Milliseconds(300));
  ASSERT_EQ(request_ids.size(), 2u);
  EXPECT_THAT(request_ids[0],
              MatchesRegex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]"
                           "{3}-[0-9a-f]{12}"));
  EXPECT_EQ(request_ids[1], request_ids[0]);
  EXPECT_TRUE(request.request_id().empty());
}

TEST_F(UserTokensClientTest, CallersOwnRequestIdIsSentUnchanged) {
  std::string seen;
  server_.service().create_auth_token =
      [&](auto*, const v1::CreateAuthTokenRequest& request, auto*) {
        seen = request.request_id();
        return grpc::Status::OK;
      };
  const UserTokensClient client(server_.NewChannel(), {});
  v1::CreateAuthTokenRequest request;
  request.set_request_id("mine");
  v1::CreateAuthTokenResponse response;
  ASSERT_TRUE(client.CreateAuthToken(request, &response).ok());
  EXPECT_EQ(seen, "mine");
}

TEST_F(UserTokensClientTest, RetryInfoBeyondTheDeadlineFailsAtOnce) {
  std::atomic<int> calls{0};
  server_.service().get_auth_token = [&](auto*, const auto&, auto*) {
    ++calls;
    return Unavailable(absl::Seconds(30));
  };
  ClientOptions options;
  options.retry = RetryPolicy();
  options.timeout = absl::Seconds(5);
  const UserTokensClient client(server_.NewChannel(), options);
  v1::GetAuthTokenResponse response;
  // UNAVAILABLE, not DEADLINE_EXCEEDED: the 30 s wait was not started.
  EXPECT_EQ(client.GetAuthToken({}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(UserTokensClientTest, DeleteIsNeverRetried) {
  std::atomic<int> calls{0};
  server_.service().delete_auth_token = [&](auto*, const auto&, auto*) {
    ++calls;
    return Unavailable(absl::Milliseconds(10));
  };
  ClientOptions options;
  options.retry = RetryPolicy();
  const UserTokensClient client(server_.NewChannel(), options);
  v1::DeleteAuthTokenResponse response;
  EXPECT_FALSE(client.DeleteAuthToken({}, &response).ok());
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(UserTokensClientTest, PerCallMetadataAndDeadline) {
  std::string authorization;
  std::string custom;
  absl::Time deadline;
  server_.service().get_auth_token = [&](grpc::ServerContext* context,
                                         const auto&, auto*) {
    authorization = AuthorizationOf(*context);
    custom = MetadataOf(*context, "x-trace");
    deadline = absl::FromChrono(context->deadline());
    return grpc::Status::OK;
  };
  ClientOptions options;
  options.bearer_token = "client-token";
  const UserTokensClient client(server_.NewChannel(), options);
  CallOptions call;
  call.deadline = absl::Seconds(2);
  call.metadata = {{"authorization", "Bearer per-call"}, {"x-trace", "t1"}};
  v1::GetAuthTokenResponse response;
  ASSERT_TRUE(client.GetAuthToken({}, &response, nullptr, call).ok());
  EXPECT_EQ(authorization, "Bearer per-call");
  EXPECT_EQ(custom, "t1");
  EXPECT_LT(deadline, absl::Now() + absl::Seconds(3));
}

TEST_F(UserTokensClientTest, TokenProviderIsAskedOnEveryCall) {
  std::vector<std::string> seen;
  server_.service().list_auth_tokens = [&](grpc::ServerContext* context,
                                           const auto&, auto*) {
    seen.push_back(AuthorizationOf(*context));
    return grpc::Status::OK;
  };
  int n = 0;
  ClientOptions options;
  options.token_provider = [&n]() -> absl::StatusOr<std::string> {
    return absl::StrCat("token-", ++n);
  };
  const UserTokensClient client(server_.NewChannel(), options);
  v1::ListAuthTokensResponse response;
  ASSERT_TRUE(client.ListAuthTokens({}, &response).ok());
  ASSERT_TRUE(client.ListAuthTokens({}, &response).ok());
  EXPECT_THAT(seen, ElementsAre("Bearer token-1", "Bearer token-2"));
}

TEST_F(UserTokensClientTest, FailingProviderSendsNothing) {
  std::atomic<int> calls{0};
  server_.service().list_auth_tokens = [&](auto*, const auto&, auto*) {
    ++calls;
    return grpc::Status::OK;
  };
  ClientOptions options;
  options.token_provider = []() -> absl::StatusOr<std::string> {
    return absl::UnavailableError("vault is down");
  };
  const UserTokensClient client(server_.NewChannel(), options);
  v1::ListAuthTokensResponse response;
  const grpc::Status status = client.ListAuthTokens({}, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  const ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.reason, "CREDENTIALS_UNAVAILABLE");
  EXPECT_EQ(details.domain, "vercel-user-tokens-client");
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(UserTokensClientTest, UnreadableTokenFileFailsBeforeSending) {
  std::atomic<int> calls{0};
  server_.service().get_auth_token = [&](auto*, const auto&, auto*) {
    ++calls;
    return grpc::Status::OK;
  };
  const std::string path = ::testing::TempDir() + "client_missing_token_file";
  std::remove(path.c_str());
  ClientOptions options;
  options.token_provider = TokenFileProvider(path);
  const UserTokensClient client(server_.NewChannel(), options);
  v1::GetAuthTokenRequest request;
  request.set_token_id("unsent");
  v1::GetAuthTokenResponse response;
  const grpc::Status status = client.GetAuthToken(request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr(path));
  const ErrorDetails details = DecodeErrorDetails(status);
  EXPECT_EQ(details.family, ErrorFamily::kUnauthenticated);
  EXPECT_EQ(details.reason, "CREDENTIALS_UNAVAILABLE");
  EXPECT_EQ(details.domain, "vercel-user-tokens-client");
  EXPECT_EQ(calls.load(), 0);
}

TEST_F(UserTokensClientTest, WorkloadTokenFileIsSentOnEveryCall) {
  const std::string path = ::testing::TempDir() + "client_workload_token";
  std::ofstream(path, std::ios::trunc) << "  jwt-one\n";
  std::vector<std::string> seen;
  server_.service().email_login = [&](grpc::ServerContext* context, const auto&,
                                      auto*) {
    seen.push_back(MetadataOf(*context, "x-workload-token"));
    return grpc::Status::OK;
  };
  ClientOptions options;
  options.workload_token_file = path;
  const UserTokensClient client(server_.NewChannel(), options);
  v1::EmailLoginResponse response;
  ASSERT_TRUE(client.EmailLogin({}, &response).ok());
  // A rotated token has another size, so the next call reads it.
  std::ofstream(path, std::ios::trunc) << "jwt-rotated\n";
  ASSERT_TRUE(client.EmailLogin({}, &response).ok());
  EXPECT_THAT(seen, ElementsAre("jwt-one", "jwt-rotated"));
}

TEST_F(UserTokensClientTest, PagerFollowsNextCursorUntilTheEnd) {
  std::vector<std::string> untils;
  server_.service().list_auth_tokens_raw =
      [&](auto*, const v1::ListAuthTokensRawRequest& request,
          v1::ListAuthTokensRawResponse* response) {
        untils.push_back(request.until());
        const int page = static_cast<int>(untils.size());
        response->add_tokens()->set_id(absl::StrCat("tok_", page));
        if (page < 3) {
          response->mutable_pagination()->set_next_cursor(
              absl::StrCat("c", page));
        }
        return grpc::Status::OK;
      };
  const UserTokensClient client(server_.NewChannel(), {});
  std::vector<std::string> ids;
  const grpc::Status status = client.ListAuthTokensRawPages(
      {}, [&](const v1::ListAuthTokensRawResponse& page) {
        ids.push_back(page.tokens(0).id());
        return true;
      });
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_THAT(ids, ElementsAre("tok_1", "tok_2", "tok_3"));
  EXPECT_THAT(untils, ElementsAre("", "c1", "c2"));
}

// A handler that holds its call, as a slow Vercel would, until the client
// cancels it or kHoldLimit passes (then it succeeds, which a cancellation
// test must not see).
class HeldCall {
 public:
  static constexpr absl::Duration kHoldLimit = absl::Seconds(20);

  grpc::Status Hold(grpc::ServerContext* context) {
    started_.Notify();
    const absl::Time give_up = absl::Now() + kHoldLimit;
    // A sync handler has no callback for a cancellation: it polls for one.
    while (!context->IsCancelled() && absl::Now() < give_up) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    if (context->IsCancelled()) saw_cancel_.Notify();
    return grpc::Status::OK;
  }
  // Blocks until a call reached the handler.
  void WaitStarted() { started_.WaitForNotification(); }
  // Whether the server saw the client's cancellation within `timeout`.
  bool SawCancel(absl::Duration timeout) {
    return saw_cancel_.WaitForNotificationWithTimeout(timeout);
  }

 private:
  absl::Notification started_;
  absl::Notification saw_cancel_;
};

// What a GetAuthToken call returned, and how long it took, when another
// thread cancelled it once `ready` returned.
struct CancelledCall {
  grpc::Status status;
  absl::Duration elapsed;
};
CancelledCall GetAuthTokenCancelledAfter(const UserTokensClient& client,
                                         const std::function<void()>& ready) {
  CancellationToken cancel;
  CallOptions call;
  call.cancellation = &cancel;
  std::thread canceller([&] {
    ready();
    cancel.Cancel();
  });
  const absl::Time start = absl::Now();
  v1::GetAuthTokenResponse response;
  CancelledCall cancelled;
  cancelled.status = client.GetAuthToken({}, &response, nullptr, call);
  cancelled.elapsed = absl::Now() - start;
  canceller.join();
  return cancelled;
}

TEST_F(UserTokensClientTest, CancelEndsTheCallInFlightAndTheServerSeesIt) {
  HeldCall held;
  server_.service().get_auth_token = [&](grpc::ServerContext* context,
                                         const auto&,
                                         auto*) { return held.Hold(context); };
  const UserTokensClient client(server_.NewChannel(), {});
  const CancelledCall cancelled =
      GetAuthTokenCancelledAfter(client, [&] { held.WaitStarted(); });
  EXPECT_EQ(cancelled.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(DecodeErrorDetails(cancelled.status).family,
            ErrorFamily::kCancelled);
  // Neither the 30 s deadline nor the held call's end was waited for.
  EXPECT_LT(cancelled.elapsed, HeldCall::kHoldLimit);
  EXPECT_TRUE(held.SawCancel(absl::Seconds(10)));
}

TEST_F(UserTokensClientTest, CancelBeforeTheCallSendsNothing) {
  std::atomic<int> calls{0};
  int provider_calls = 0;
  server_.service().get_auth_token = [&](auto*, const auto&, auto*) {
    ++calls;
    return grpc::Status::OK;
  };
  ClientOptions options;
  options.token_provider = [&]() -> absl::StatusOr<std::string> {
    ++provider_calls;
    return "token";
  };
  const UserTokensClient client(server_.NewChannel(), options);
  CancellationToken cancel;
  cancel.Cancel();
  CallOptions call;
  call.cancellation = &cancel;
  v1::GetAuthTokenResponse response;
  const grpc::Status status = client.GetAuthToken({}, &response, nullptr, call);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_EQ(provider_calls, 0);
}

TEST_F(UserTokensClientTest, CancelCutsTheRetryWaitShort) {
  std::atomic<int> calls{0};
  absl::Notification first_attempt_failed;
  server_.service().get_auth_token = [&](auto*, const auto&, auto*) {
    if (++calls == 1) first_attempt_failed.Notify();
    // Without the cancellation the client would wait 20 s and try again.
    return Unavailable(absl::Seconds(20));
  };
  ClientOptions options;
  options.retry = RetryPolicy();
  const UserTokensClient client(server_.NewChannel(), options);
  const CancelledCall cancelled = GetAuthTokenCancelledAfter(
      client, [&] { first_attempt_failed.WaitForNotification(); });
  // The cancellation lands in the first attempt or in the wait after it;
  // either way the call ends CANCELLED after one attempt.
  EXPECT_EQ(cancelled.status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_LT(cancelled.elapsed, absl::Seconds(20));
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(UserTokensClientTest, CancelAfterTheCallEndedChangesNothing) {
  std::atomic<int> calls{0};
  server_.service().get_auth_token = [&](auto*, const auto&,
                                         v1::GetAuthTokenResponse* response) {
    ++calls;
    response->mutable_token()->set_id("tok_1");
    return grpc::Status::OK;
  };
  const UserTokensClient client(server_.NewChannel(), {});
  CancellationToken cancel;
  CallOptions call;
  call.cancellation = &cancel;
  v1::GetAuthTokenResponse response;
  ASSERT_TRUE(client.GetAuthToken({}, &response, nullptr, call).ok());
  EXPECT_FALSE(cancel.cancelled());
  cancel.Cancel();
  EXPECT_TRUE(cancel.cancelled());
  EXPECT_EQ(response.token().id(), "tok_1");
  // The token stays cancelled: a later call with it is not sent.
  v1::GetAuthTokenResponse later;
  EXPECT_EQ(client.GetAuthToken({}, &later, nullptr, call).error_code(),
            grpc::StatusCode::CANCELLED);
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(UserTokensClientTest, CancelStopsThePagerBeforeTheNextPage) {
  std::atomic<int> calls{0};
  server_.service().list_auth_tokens_raw =
      [&](auto*, const auto&, v1::ListAuthTokensRawResponse* response) {
        response->mutable_pagination()->set_next_cursor(
            absl::StrCat("c", ++calls));
        return grpc::Status::OK;
      };
  const UserTokensClient client(server_.NewChannel(), {});
  CancellationToken cancel;
  CallOptions call;
  call.cancellation = &cancel;
  const grpc::Status status = client.ListAuthTokensRawPages(
      {},
      [&](const v1::ListAuthTokensRawResponse&) {
        cancel.Cancel();
        return true;
      },
      call);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  EXPECT_EQ(calls.load(), 1);
}

}  // namespace
}  // namespace vercel_tokens
