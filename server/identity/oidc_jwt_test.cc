#include "server/identity/oidc_jwt.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/common/service_error.h"
#include "server/identity/test_keys.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::string_view kIssuer =
    "https://token.actions.githubusercontent.com";

// The ErrorInfo reason `status` carries, as the caller would see it.
std::string ReasonOf(const absl::Status& status) {
  const grpc::Status g = ToGrpcStatus(status);
  google::rpc::Status details;
  if (!details.ParseFromString(g.error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

std::string Token(absl::string_view claims) {
  return testing::RawJwt(R"({"alg":"RS256","kid":"k1"})", claims, "sig");
}

absl::Time Now() { return absl::FromUnixSeconds(1700000000); }

std::string Claims(absl::string_view extra = "") {
  return absl::StrCat(
      R"({"iss":"https://token.actions.githubusercontent.com",)",
      R"("sub":"repo:acme/web:ref:refs/heads/main","aud":"vercel-tokens",)",
      R"("exp":1700000600,"iat":1700000000,"nbf":1700000000)", extra, "}");
}

ClaimExpectations Expect() {
  ClaimExpectations e;
  e.issuer = std::string(kIssuer);
  e.audiences = {"vercel-tokens"};
  return e;
}

absl::Status Check(absl::string_view claims, absl::Time now = Now()) {
  auto jwt = ParseJwt(Token(claims));
  if (!jwt.ok()) return jwt.status();
  return CheckClaims(*jwt, Expect(), now, "oidc");
}

TEST(Base64UrlTest, RoundTripsEveryLength) {
  std::string data;
  for (int i = 0; i < 40; ++i) {
    data.push_back(static_cast<char>(i * 37));
    auto decoded = Base64UrlDecode(Base64UrlEncode(data));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, data);
  }
}

TEST(Base64UrlTest, RefusesPaddingOtherAlphabetsAndTrailingBits) {
  EXPECT_FALSE(Base64UrlDecode("YQ==").ok());
  EXPECT_FALSE(Base64UrlDecode("a+b/").ok());
  EXPECT_FALSE(Base64UrlDecode("YR").ok());  // "a" is YQ; R sets spare bits
  EXPECT_FALSE(Base64UrlDecode("Y").ok());
  EXPECT_EQ(*Base64UrlDecode("YQ"), "a");
}

TEST(ParseJwtTest, SplitsAndDecodes) {
  auto jwt = ParseJwt(Token(Claims()));
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->alg, "RS256");
  EXPECT_EQ(jwt->kid, "k1");
  EXPECT_EQ(jwt->signature, "sig");
  EXPECT_EQ(ClaimText(jwt->claims, "sub"), "repo:acme/web:ref:refs/heads/main");
}

TEST(ParseJwtTest, RefusesMalformedTokensWithoutQuotingThem) {
  const std::string secretish = "eyJzZWNyZXQiOiJzM2NyM3QifQ";
  for (const std::string& token :
       {std::string("a.b"), absl::StrCat(secretish, ".", secretish),
        absl::StrCat(secretish, ".", secretish, ".", secretish, ".x"),
        absl::StrCat("!!.", secretish, ".x"), testing::RawJwt("[1]", "{}", "s"),
        testing::RawJwt("{}", "{}", "s"),
        testing::RawJwt(R"({"alg":5})", "{}", "s"),
        testing::RawJwt(R"({"alg":"RS256","crit":["b64"]})", "{}", "s"),
        testing::RawJwt(R"({"alg":"RS256"})", "not json", "s")}) {
    auto jwt = ParseJwt(token);
    ASSERT_FALSE(jwt.ok()) << token;
    EXPECT_EQ(jwt.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(ReasonOf(jwt.status()), kWorkloadTokenInvalid);
    EXPECT_THAT(jwt.status().message(), Not(HasSubstr(secretish)));
  }
}

TEST(ParseJwtTest, RefusesATokenOver8KiB) {
  const std::string big = Token(
      Claims(absl::StrCat(R"(,"pad":")", std::string(8 * 1024, 'x'), "\"")));
  auto jwt = ParseJwt(big);
  ASSERT_FALSE(jwt.ok());
  EXPECT_EQ(ReasonOf(jwt.status()), kWorkloadTokenInvalid);
  EXPECT_THAT(jwt.status().message(), HasSubstr("8192"));
}

TEST(CheckClaimsTest, AcceptsAValidToken) {
  EXPECT_TRUE(Check(Claims()).ok()) << Check(Claims());
}

TEST(CheckClaimsTest, AcceptsAnAudienceInAList) {
  const std::string claims = absl::StrCat(
      R"({"iss":"https://token.actions.githubusercontent.com","sub":"s",)",
      R"("aud":["other","vercel-tokens"],"exp":1700000600})");
  EXPECT_TRUE(Check(claims).ok());
}

TEST(CheckClaimsTest, RefusesAnotherIssuer) {
  const absl::Status s = Check(
      R"({"iss":"https://evil.example","sub":"s","aud":"vercel-tokens","exp":1700000600})");
  EXPECT_EQ(ReasonOf(s), kWorkloadTokenInvalid);
}

TEST(CheckClaimsTest, RefusesAnExpiredTokenBeyondTheSkew) {
  EXPECT_TRUE(Check(Claims(), absl::FromUnixSeconds(1700000600 + 59)).ok());
  const absl::Status s =
      Check(Claims(), absl::FromUnixSeconds(1700000600 + 60));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(s), kWorkloadTokenExpired);
}

TEST(CheckClaimsTest, RefusesNbfOrIatInTheFutureBeyondTheSkew) {
  EXPECT_TRUE(Check(Claims(), absl::FromUnixSeconds(1700000000 - 60)).ok());
  const absl::Status s =
      Check(Claims(), absl::FromUnixSeconds(1700000000 - 61));
  EXPECT_EQ(ReasonOf(s), kWorkloadTokenInvalid);
  EXPECT_THAT(s.message(), HasSubstr("in the future"));
}

TEST(CheckClaimsTest, RefusesAMissingOrWrongAudience) {
  EXPECT_EQ(
      ReasonOf(Check(
          R"({"iss":"https://token.actions.githubusercontent.com","sub":"s","aud":"other","exp":1700000600})")),
      kWorkloadTokenAudience);
  EXPECT_EQ(
      ReasonOf(Check(
          R"({"iss":"https://token.actions.githubusercontent.com","sub":"s","exp":1700000600})")),
      kWorkloadTokenAudience);
}

TEST(CheckClaimsTest, RefusesAMissingExpOrSub) {
  EXPECT_EQ(
      ReasonOf(Check(
          R"({"iss":"https://token.actions.githubusercontent.com","sub":"s","aud":"vercel-tokens"})")),
      kWorkloadTokenInvalid);
  EXPECT_EQ(
      ReasonOf(Check(
          R"({"iss":"https://token.actions.githubusercontent.com","aud":"vercel-tokens","exp":1700000600})")),
      kWorkloadTokenInvalid);
}

TEST(ClaimTextTest, RendersScalarsForExactComparison) {
  auto jwt = ParseJwt(
      Token(R"({"s":"x","b":true,"n":42,"f":1.5,"l":[1],"o":{},"z":null})"));
  ASSERT_TRUE(jwt.ok());
  EXPECT_EQ(ClaimText(jwt->claims, "s"), "x");
  EXPECT_EQ(ClaimText(jwt->claims, "b"), "true");
  EXPECT_EQ(ClaimText(jwt->claims, "n"), "42");
  EXPECT_EQ(ClaimText(jwt->claims, "f"), std::nullopt);
  EXPECT_EQ(ClaimText(jwt->claims, "l"), std::nullopt);
  EXPECT_EQ(ClaimText(jwt->claims, "missing"), std::nullopt);
  EXPECT_EQ(ScalarClaims(jwt->claims).size(), 3u);
}

}  // namespace
}  // namespace vercel_tokens
