#include "server/vercel/response_mapping.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"

namespace vercel_tokens {
namespace {

constexpr char kToken[] = R"({
  "id": "5d9f2ebd38ddca62e5d51e9c1704c72530bdc8bfdd41e782a6687c48399e8391",
  "name": "deploy",
  "type": "oauth2-token",
  "origin": "github",
  "scopes": [
    {"type": "user", "origin": "email", "createdAt": 1632816536002},
    {"type": "team", "teamId": "team_1", "origin": "saml",
     "createdAt": 1632816536003, "expiresAt": 1732816536004,
     "futureScopeField": true}
  ],
  "expiresAt": 1732816536005,
  "activeAt": 1632816536006,
  "createdAt": 1632816536007,
  "futureTokenField": {"nested": [1, 2, 3]}
})";

void ExpectMalformed(const absl::Status& status) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal) << status;
  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UPSTREAM_MALFORMED_RESPONSE");
}

TEST(MapGetAuthTokenResponseTest, MapsEveryFieldAndIgnoresUnknownOnes) {
  auto out = MapGetAuthTokenResponse(std::string(R"({"token": )") + kToken +
                                     R"(, "extra": "ignored"})");
  ASSERT_TRUE(out.ok()) << out.status();
  const auto& token = out->token();
  EXPECT_EQ(token.id(),
            "5d9f2ebd38ddca62e5d51e9c1704c72530bdc8bfdd41e782a6687c48399e8391");
  EXPECT_EQ(token.name(), "deploy");
  EXPECT_EQ(token.type(), "oauth2-token");
  EXPECT_EQ(token.origin(), "github");
  EXPECT_EQ(token.expires_at().seconds(), 1732816536);
  EXPECT_EQ(token.expires_at().nanos(), 5000000);
  EXPECT_EQ(token.active_at().seconds(), 1632816536);
  EXPECT_EQ(token.active_at().nanos(), 6000000);
  EXPECT_EQ(token.created_at().nanos(), 7000000);
  ASSERT_EQ(token.scopes_size(), 2);
  EXPECT_EQ(token.scopes(0).type(), "user");
  EXPECT_EQ(token.scopes(0).team_id(), "");
  EXPECT_EQ(token.scopes(0).origin(), "email");
  EXPECT_EQ(token.scopes(0).created_at().nanos(), 2000000);
  EXPECT_FALSE(token.scopes(0).has_expires_at());
  EXPECT_EQ(token.scopes(1).team_id(), "team_1");
  EXPECT_EQ(token.scopes(1).expires_at().seconds(), 1732816536);
  EXPECT_EQ(token.scopes(1).expires_at().nanos(), 4000000);
}

TEST(MapGetAuthTokenResponseTest, AbsentAndNullTimesStayUnset) {
  auto out = MapGetAuthTokenResponse(
      R"({"token": {"id": "a", "name": "n", "type": "t", "expiresAt": null,
                    "activeAt": 1, "origin": null, "scopes": null}})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->token().has_expires_at());
  EXPECT_FALSE(out->token().has_created_at());
  EXPECT_TRUE(out->token().has_active_at());
  EXPECT_EQ(out->token().active_at().nanos(), 1000000);
  EXPECT_EQ(out->token().origin(), "");
  EXPECT_EQ(out->token().scopes_size(), 0);
}

TEST(MapGetAuthTokenResponseTest, RejectsMalformedBodies) {
  for (const char* body : {
           "",
           "not json",
           "[]",
           R"({"token": )",
           R"({"token": "a string"})",
           R"({"token": {"id": "a", "createdAt": "yesterday"}})",
           R"({"token": {"id": "a", "createdAt": 1.5}})",
           R"({"token": {"id": "a", "scopes": ["user"]}})",
           R"({"token": {"id": 42}})",
           R"({})",
           R"({"token": {"name": "x"}})",
           R"({"token": {"id": "a", "createdAt": 999999999999999999}})",
       }) {
    auto out = MapGetAuthTokenResponse(body);
    ASSERT_FALSE(out.ok()) << body;
    ExpectMalformed(out.status());
  }
}

TEST(MapGetAuthTokenResponseTest, ErrorNeverQuotesTheBody) {
  auto out = MapGetAuthTokenResponse(R"({"token": {"id": "secret-value-xyz")");
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(std::string(out.status().message()).find("secret-value-xyz"),
            std::string::npos);
}

TEST(MapListAuthTokensResponseTest, MapsTokensTestingTokenAndPagination) {
  auto out = MapListAuthTokensResponse(
      std::string(R"({"tokens": [)") + kToken + "," + kToken +
      R"(], "testingToken": {"id": "test", "name": "t", "type": "x"},
          "pagination": {"count": 2, "next": 1632816536007, "prev": null}})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->tokens_size(), 2);
  EXPECT_EQ(out->testing_token().id(), "test");
  EXPECT_EQ(out->pagination().count(), 2);
  ASSERT_TRUE(out->pagination().has_next());
  EXPECT_EQ(out->pagination().next(), 1632816536007);
  EXPECT_FALSE(out->pagination().has_prev());
}

TEST(MapListAuthTokensResponseTest, CursorsAreOpaqueNumbersOrStrings) {
  auto numbers = MapListAuthTokensResponse(
      R"({"tokens": [], "pagination": {"count": 0, "next": 1632816536007,
          "prev": 1632816536999}})");
  ASSERT_TRUE(numbers.ok()) << numbers.status();
  EXPECT_EQ(numbers->pagination().next_cursor(), "1632816536007");
  EXPECT_EQ(numbers->pagination().prev_cursor(), "1632816536999");
  EXPECT_EQ(numbers->pagination().prev(), 1632816536999);
  auto strings = MapListAuthTokensResponse(
      R"({"tokens": [], "pagination": {"count": 0, "next": "eyJpZCI6Mn0",
          "prev": null}})");
  ASSERT_TRUE(strings.ok()) << strings.status();
  EXPECT_EQ(strings->pagination().next_cursor(), "eyJpZCI6Mn0");
  // The seed's int64 field cannot hold a string cursor.
  EXPECT_FALSE(strings->pagination().has_next());
  EXPECT_EQ(strings->pagination().prev_cursor(), "");
  EXPECT_FALSE(strings->pagination().has_prev());
}

TEST(MapListAuthTokensResponseTest, EmptyListAndNoTestingToken) {
  auto out = MapListAuthTokensResponse(
      R"({"tokens": [], "pagination": {"count": 0, "next": null, "prev": null}})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->tokens_size(), 0);
  EXPECT_FALSE(out->has_testing_token());
  EXPECT_FALSE(out->pagination().has_next());
  EXPECT_EQ(out->pagination().next_cursor(), "");
}

TEST(MapGetAuthTokenResponseTest, MapsTodaysFields) {
  auto out = MapGetAuthTokenResponse(R"({"token": {
      "id": "tok_1", "name": "ci", "type": "token", "origin": "manual",
      "prefix": "vcp_ab", "suffix": "yz", "projectId": "prj_1",
      "leakedAt": 1700000000123, "leakedUrl": "https://github.com/a/b",
      "revokedAt": 1700000000456, "activeAt": 1, "createdAt": 1,
      "scopes": [{"type": "user", "origin": "email", "createdAt": 1,
                  "sudo": {"origin": "totp", "expiresAt": 1700000001000,
                           "verifiedAt": 1700000000000}},
                 {"type": "team", "teamId": "team_1", "origin": "saml",
                  "createdAt": 1}]}})");
  ASSERT_TRUE(out.ok()) << out.status();
  const auto& token = out->token();
  EXPECT_EQ(token.prefix(), "vcp_ab");
  EXPECT_EQ(token.suffix(), "yz");
  EXPECT_EQ(token.project_id(), "prj_1");
  EXPECT_EQ(token.leaked_url(), "https://github.com/a/b");
  EXPECT_EQ(token.leaked_at().seconds(), 1700000000);
  EXPECT_EQ(token.leaked_at().nanos(), 123000000);
  EXPECT_EQ(token.revoked_at().nanos(), 456000000);
  ASSERT_TRUE(token.scopes(0).has_sudo());
  EXPECT_EQ(token.scopes(0).sudo().origin(), "totp");
  EXPECT_EQ(token.scopes(0).sudo().expires_at().seconds(), 1700000001);
  EXPECT_EQ(token.scopes(0).sudo().verified_at().seconds(), 1700000000);
  EXPECT_FALSE(token.scopes(1).has_sudo());
}

TEST(MapGetAuthTokenResponseTest, AbsentTimesStayUnset) {
  auto out = MapGetAuthTokenResponse(R"({"token": {"id": "t", "leakedAt": null,
      "scopes": [{"type": "user", "sudo": {"origin": "otp"}}]}})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->token().has_leaked_at());
  EXPECT_FALSE(out->token().has_revoked_at());
  EXPECT_FALSE(out->token().scopes(0).sudo().has_expires_at());
  EXPECT_FALSE(out->token().scopes(0).sudo().has_verified_at());
}

TEST(MapListAuthTokensResponseTest, RejectsWrongTypes) {
  ExpectMalformed(MapListAuthTokensResponse(R"({"tokens": {}})").status());
  ExpectMalformed(
      MapListAuthTokensResponse(R"({"pagination": {"next": true}})").status());
  ExpectMalformed(
      MapListAuthTokensResponse(R"({"pagination": {"prev": {"a": 1}}})")
          .status());
  ExpectMalformed(
      MapListAuthTokensResponse(R"({"tokens": [{"name": "no id"}]})").status());
}

TEST(MapCreateAuthTokenResponseTest, MapsTokenAndSecret) {
  auto out = MapCreateAuthTokenResponse(std::string(R"({"token": )") + kToken +
                                        R"(, "bearerToken": "vcp_secret"})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->bearer_token(), "vcp_secret");
  EXPECT_EQ(out->token().name(), "deploy");
}

TEST(MapCreateAuthTokenResponseTest, RequiresTokenAndSecret) {
  ExpectMalformed(
      MapCreateAuthTokenResponse(R"({"bearerToken": "x"})").status());
  ExpectMalformed(
      MapCreateAuthTokenResponse(std::string(R"({"token": )") + kToken + "}")
          .status());
}

TEST(MapDeleteAuthTokenResponseTest, MapsTokenId) {
  auto out = MapDeleteAuthTokenResponse(R"({"tokenId": "abc"})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->token_id(), "abc");
  ExpectMalformed(MapDeleteAuthTokenResponse("{}").status());
}

TEST(MapEmailLoginResponseTest, MapsTokenAndSecurityCode) {
  auto out = MapEmailLoginResponse(
      R"({"token": "T", "securityCode": "Practical Saola"})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->token(), "T");
  EXPECT_EQ(out->security_code(), "Practical Saola");
  ExpectMalformed(MapEmailLoginResponse(R"({"securityCode": "x"})").status());
}

TEST(MapVerifyTokenResponseTest, MapsTokenEmailAndTeam) {
  auto out = MapVerifyTokenResponse(
      R"({"token": "B", "email": "a@b.com", "teamId": "team_1"})");
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->token(), "B");
  EXPECT_EQ(out->email(), "a@b.com");
  EXPECT_EQ(out->team_id(), "team_1");
  auto no_team =
      MapVerifyTokenResponse(R"({"token": "B", "email": "a@b.com"})");
  ASSERT_TRUE(no_team.ok());
  EXPECT_EQ(no_team->team_id(), "");
  ExpectMalformed(MapVerifyTokenResponse(R"({"email": "a@b.com"})").status());
}

}  // namespace
}  // namespace vercel_tokens
