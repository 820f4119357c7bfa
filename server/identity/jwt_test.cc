#include "server/identity/jwt.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/identity/test_jwt.h"

namespace vercel_tokens {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

std::string ReasonOf(const absl::Status& status) {
  // The message names the check; the reason is checked through the
  // source and integration tests. Here: the code and that no token leaks.
  return std::string(status.message());
}

TEST(ParseUnverifiedJwtTest, ReadsAServiceAccountToken) {
  const std::string token =
      MakeServiceAccountJwt("vercel-user-tokens", kNow + absl::Hours(1));
  absl::StatusOr<UnverifiedJwt> jwt = ParseUnverifiedJwt(token);
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
  EXPECT_TRUE(CheckUnverifiedClaims(*jwt, "vercel-user-tokens", kNow).ok());
}

TEST(ParseUnverifiedJwtTest, RefusesWhatCannotBeAToken) {
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
    absl::StatusOr<UnverifiedJwt> jwt = ParseUnverifiedJwt(bad);
    EXPECT_EQ(jwt.status().code(), absl::StatusCode::kUnauthenticated) << bad;
    EXPECT_THAT(ReasonOf(jwt.status()), Not(HasSubstr(bad)));
  }
}

TEST(ParseUnverifiedJwtTest, AcceptsEachAsymmetricAlgorithm) {
  for (const char* alg : {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
                          "PS256", "PS384", "PS512"}) {
    EXPECT_TRUE(
        ParseUnverifiedJwt(MakeJwt(absl::StrCat(R"({"alg":")", alg, R"("})"),
                                   R"({"aud":"a"})"))
            .ok())
        << alg;
  }
}

TEST(CheckUnverifiedClaimsTest, RefusesExpiredFutureAndForeignTokens) {
  auto check = [](const std::string& token, absl::string_view audience) {
    return CheckUnverifiedClaims(*ParseUnverifiedJwt(token), audience, kNow);
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
