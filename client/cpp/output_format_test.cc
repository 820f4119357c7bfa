#include "output_format.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

// 2024-01-02T03:04:05Z.
constexpr int64_t kCreatedSeconds = 1704164645;

v1::AuthToken FullToken() {
  v1::AuthToken token;
  token.set_id("tok_1");
  token.set_name("ci");
  token.set_type("oauth2-token");
  token.set_origin("manual");
  token.mutable_created_at()->set_seconds(kCreatedSeconds);
  token.mutable_expires_at()->set_seconds(kCreatedSeconds + 86400);
  token.mutable_active_at()->set_seconds(kCreatedSeconds + 60);
  token.mutable_active_at()->set_nanos(500000000);
  return token;
}

v1::AuthToken SparseToken() {
  v1::AuthToken token;
  token.set_id("tok_22");
  token.set_name("laptop");
  token.mutable_created_at()->set_seconds(kCreatedSeconds);
  return token;
}

TEST(FormatJsonTest, PrintsOneLineWithProtoFieldNames) {
  v1::CreateAuthTokenResponse response;
  response.mutable_token()->set_id("tok_1");
  response.mutable_token()->mutable_created_at()->set_seconds(kCreatedSeconds);
  response.set_bearer_token("secret");
  const auto json = FormatJson(response);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json,
            "{\"token\":{\"id\":\"tok_1\",\"created_at\":"
            "\"2024-01-02T03:04:05Z\"},\"bearer_token\":\"secret\"}\n");
}

TEST(FormatTableTest, PrintsTokenListAsAlignedTable) {
  v1::ListAuthTokensResponse response;
  *response.add_tokens() = FullToken();
  *response.add_tokens() = SparseToken();
  EXPECT_EQ(FormatTable(response),
            "ID      NAME    TYPE          ORIGIN  CREATED               "
            "EXPIRES               ACTIVE\n"
            "tok_1   ci      oauth2-token  manual  2024-01-02T03:04:05Z  "
            "2024-01-03T03:04:05Z  2024-01-02T03:05:05.5Z\n"
            "tok_22  laptop  -             -       2024-01-02T03:04:05Z  "
            "-                     -\n");
}

TEST(FormatTableTest, PrintsHeaderOfEmptyList) {
  EXPECT_EQ(FormatTable(v1::ListAuthTokensResponse()),
            "ID  NAME  TYPE  ORIGIN  CREATED  EXPIRES  ACTIVE\n");
}

TEST(FormatTableTest, PrintsSingleTokenAndOtherFields) {
  v1::CreateAuthTokenResponse response;
  *response.mutable_token() = SparseToken();
  response.set_bearer_token("secret");
  EXPECT_EQ(FormatTable(response),
            "ID      NAME    TYPE  ORIGIN  CREATED               EXPIRES  "
            "ACTIVE\n"
            "tok_22  laptop  -     -       2024-01-02T03:04:05Z  -        -\n"
            "bearer_token: secret\n");
}

TEST(FormatTableTest, PrintsNestedFieldsWithDottedKeys) {
  v1::ListAuthTokensRawResponse response;
  *response.add_tokens() = SparseToken();
  response.mutable_testing_token()->set_id("tok_test");
  auto* scope = response.mutable_testing_token()->add_scopes();
  scope->set_type("team");
  scope->set_team_id("team_1");
  response.mutable_pagination()->set_count(1);
  response.mutable_pagination()->set_next(1704164645000);
  EXPECT_EQ(FormatTable(response),
            "ID      NAME    TYPE  ORIGIN  CREATED               EXPIRES  "
            "ACTIVE\n"
            "tok_22  laptop  -     -       2024-01-02T03:04:05Z  -        -\n"
            "testing_token.id: tok_test\n"
            "testing_token.scopes[0].type: team\n"
            "testing_token.scopes[0].team_id: team_1\n"
            "pagination.count: 1\n"
            "pagination.next: 1704164645000\n");
}

TEST(FormatTableTest, PrintsKeyValueLinesForOtherResponses) {
  v1::VerifyTokenResponse response;
  response.set_token("new-token");
  response.set_email("ada@example.com");
  EXPECT_EQ(FormatTable(response),
            "token: new-token\nemail: ada@example.com\n");
}

TEST(FormatTimestampTest, PrintsUtcWithFractionOnlyWhenPresent) {
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(kCreatedSeconds);
  EXPECT_EQ(FormatTimestamp(timestamp), "2024-01-02T03:04:05Z");
  timestamp.set_nanos(123000000);
  EXPECT_EQ(FormatTimestamp(timestamp), "2024-01-02T03:04:05.123Z");
}

TEST(FormatErrorTest, PrintsCodeMessageAndDetails) {
  google::rpc::Status rpc_status;
  google::rpc::ErrorInfo info;
  info.set_reason("INVALID_ARGUMENT");
  info.set_domain("vercel-user-tokens");
  rpc_status.add_details()->PackFrom(info);
  google::rpc::RetryInfo retry;
  retry.mutable_retry_delay()->set_seconds(3);
  rpc_status.add_details()->PackFrom(retry);
  google::rpc::BadRequest bad_request;
  auto* violation = bad_request.add_field_violations();
  violation->set_field("token_id");
  violation->set_description("must not be empty");
  rpc_status.add_details()->PackFrom(bad_request);
  const grpc::Status status(grpc::StatusCode::INVALID_ARGUMENT,
                            "token_id is required",
                            rpc_status.SerializeAsString());
  EXPECT_EQ(FormatError(status),
            "error: INVALID_ARGUMENT: token_id is required\n"
            "reason: INVALID_ARGUMENT\n"
            "domain: vercel-user-tokens\n"
            "retry after: 3s\n"
            "field token_id: must not be empty\n");
}

TEST(FormatErrorTest, PrintsOneLineWithoutDetails) {
  EXPECT_EQ(FormatError(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                     "Deadline Exceeded")),
            "error: DEADLINE_EXCEEDED: Deadline Exceeded\n");
}

}  // namespace
}  // namespace vercel_tokens
