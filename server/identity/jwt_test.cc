#include "server/identity/jwt.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/common/service_error.h"
#include "server/identity/test_jwt.h"
#include "server/identity/test_keys.h"

namespace vercel_tokens {
namespace {

using ::testing::ElementsAre;
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

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

std::string MessageOf(const absl::Status& status) {
  // The message names the check; the reason is checked through the
  // source and integration tests. Here: the code and that no token leaks.
  return std::string(status.message());
}

// The expectations of the TokenReview path (workload_token_source.cc).
ClaimExpectations Kubernetes(absl::string_view audience) {
  ClaimExpectations e;
  e.audiences = {std::string(audience)};
  e.require_subject = false;
  e.expiry_skew = absl::ZeroDuration();
  return e;
}

TEST(ParseJwtTest, ReadsAServiceAccountToken) {
  const std::string token =
      MakeServiceAccountJwt("vercel-user-tokens", kNow + absl::Hours(1));
  absl::StatusOr<Jwt> jwt = ParseJwt(token);
  ASSERT_TRUE(jwt.ok()) << jwt.status();
  EXPECT_EQ(jwt->alg, "RS256");
  EXPECT_EQ(jwt->kid, "k1");
  EXPECT_EQ(jwt->iss, "https://kubernetes.default.svc.cluster.local");
  EXPECT_EQ(jwt->sub, "system:serviceaccount:billing:deployer");
  EXPECT_EQ(jwt->jti, "j-1");
  EXPECT_THAT(jwt->aud, ElementsAre("vercel-user-tokens"));
  EXPECT_EQ(jwt->exp, kNow + absl::Hours(1));
  EXPECT_EQ(jwt->signature, "signature");
  EXPECT_EQ(jwt->signing_input, token.substr(0, token.rfind('.')));
  EXPECT_TRUE(
      CheckClaims(*jwt, Kubernetes("vercel-user-tokens"), kNow, "k").ok());
}

TEST(ParseJwtTest, RefusesWhatCannotBeAToken) {
  const std::string payload = R"({"aud":"a","exp":1})";
  for (const std::string& bad : {
           std::string("garbage"),
           std::string("a.b"),
           std::string("a.b.c.d"),
           std::string("..."),
           MakeJwt(R"({"alg":"none"})", payload),
           MakeJwt(R"({"alg":"HS256"})", payload),
           MakeJwt(R"({})", payload),
           MakeJwt(R"({"alg":"RS256"})", "[1]"),
           MakeJwt(R"({"alg":"RS256"})", "not json"),
           MakeJwt(R"({"alg":"RS256"})", R"({"aud":1})"),
           MakeJwt(R"({"alg":"RS256"})", R"({"exp":"soon"})"),
           MakeJwt(R"({"alg":"RS256"})", R"({"iss":7})"),
           MakeJwt(R"({"alg":"RS256"})", payload) + "=",
           std::string(kMaxWorkloadTokenBytes + 1, 'a'),
       }) {
    absl::StatusOr<Jwt> jwt = ParseJwt(bad);
    EXPECT_EQ(jwt.status().code(), absl::StatusCode::kUnauthenticated) << bad;
    EXPECT_THAT(MessageOf(jwt.status()), Not(HasSubstr(bad)));
  }
}

TEST(ParseJwtTest, AcceptsEachAsymmetricAlgorithm) {
  for (const char* alg : {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                          "PS256", "PS384", "PS512"}) {
    EXPECT_TRUE(ParseJwt(MakeJwt(absl::StrCat(R"({"alg":")", alg, R"("})"),
                                 R"({"aud":"a"})"))
                    .ok())
        << alg;
  }
}

TEST(KubernetesClaimsTest, RefusesExpiredFutureAndForeignTokens) {
  auto check = [](const std::string& token, absl::string_view audience) {
    return CheckClaims(*ParseJwt(token), Kubernetes(audience), kNow, "k");
  };
  const std::string expired =
      MakeServiceAccountJwt("vercel-user-tokens", kNow - absl::Seconds(1));
  EXPECT_THAT(check(expired, "vercel-user-tokens").message(),
              HasSubstr("expired"));
  const std::string other =
      MakeServiceAccountJwt("something-else", kNow + absl::Hours(1));
  EXPECT_THAT(check(other, "vercel-user-tokens").message(),
              HasSubstr("audience"));
  const std::string no_exp =
      MakeJwt(R"({"alg":"RS256"})", R"({"aud":"vercel-user-tokens"})");
  EXPECT_EQ(check(no_exp, "vercel-user-tokens").code(),
            absl::StatusCode::kUnauthenticated);
  const std::string future = MakeJwt(
      R"({"alg":"RS256"})",
      absl::StrCat(R"({"aud":"vercel-user-tokens","exp":)",
                   absl::ToUnixSeconds(kNow + absl::Hours(2)), R"(,"nbf":)",
                   absl::ToUnixSeconds(kNow + absl::Hours(1)), "}"));
  EXPECT_EQ(check(future, "vercel-user-tokens").code(),
            absl::StatusCode::kUnauthenticated);
}

}  // namespace
}  // namespace vercel_tokens
