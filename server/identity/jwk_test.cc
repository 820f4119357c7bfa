#include "server/identity/jwk.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/identity/test_keys.h"

namespace vercel_tokens {
namespace {

using testing::TestKey;

constexpr absl::string_view kClaims =
    R"({"iss":"https://issuer.example","sub":"s","aud":"a","exp":1700000600})";

absl::Status Verify(const std::string& token, const std::string& jwks) {
  auto jwt = ParseJwt(token);
  if (!jwt.ok()) return jwt.status();
  auto keys = ParseJwks(jwks);
  if (!keys.ok()) return keys.status();
  if (keys->size() != 1) return absl::NotFoundError("no usable key");
  return VerifyJwtSignature(*jwt, keys->front(), "oidc");
}

struct AlgCase {
  const char* kind;
  const char* alg;
};

class SignatureTest : public ::testing::TestWithParam<AlgCase> {};

TEST_P(SignatureTest, VerifiesAGoodSignatureAndRefusesATamperedOne) {
  const TestKey key(GetParam().kind, "k1");
  const std::string jwks = testing::Jwks({key.PublicJwk()});
  const std::string token = key.Sign(GetParam().alg, kClaims);
  EXPECT_TRUE(Verify(token, jwks).ok()) << Verify(token, jwks);

  // The same signature over other claims.
  const std::string other = absl::StrCat(
      token.substr(0, token.find('.')), ".",
      Base64UrlEncode(R"({"iss":"https://issuer.example","sub":"admin"})"),
      token.substr(token.rfind('.')));
  EXPECT_FALSE(Verify(other, jwks).ok());

  // Another key of the same kind.
  const TestKey stranger(GetParam().kind, "k1");
  EXPECT_FALSE(Verify(token, testing::Jwks({stranger.PublicJwk()})).ok());
}

INSTANTIATE_TEST_SUITE_P(
    EveryAcceptedAlgorithm, SignatureTest,
    ::testing::Values(AlgCase{"RSA", "RS256"}, AlgCase{"RSA", "RS384"},
                      AlgCase{"RSA", "RS512"}, AlgCase{"RSA", "PS256"},
                      AlgCase{"RSA", "PS384"}, AlgCase{"RSA", "PS512"},
                      AlgCase{"P-256", "ES256"}, AlgCase{"P-384", "ES384"}),
    [](const auto& info) { return std::string(info.param.alg); });

TEST(SignatureTest, RefusesAlgNone) {
  const TestKey key("RSA", "k1");
  const std::string token =
      testing::RawJwt(R"({"alg":"none","kid":"k1"})", kClaims, "sig");
  const absl::Status s = Verify(token, testing::Jwks({key.PublicJwk()}));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(s.message(), ::testing::HasSubstr("alg"));
}

TEST(SignatureTest, RefusesHs256WithThePublicKeyAsTheSecret) {
  const TestKey key("RSA", "k1");
  for (const std::string& secret : {key.PublicPem(), key.PublicJwk()}) {
    const std::string token = testing::Hs256Jwt("k1", kClaims, secret);
    EXPECT_EQ(Verify(token, testing::Jwks({key.PublicJwk()})).code(),
              absl::StatusCode::kUnauthenticated);
  }
}

TEST(SignatureTest, RefusesAKeyOfAnotherType) {
  const TestKey rsa("RSA", "k1");
  const TestKey ec("P-256", "k1");
  // An ES256 token checked against an RSA key, and RS256 against EC.
  EXPECT_FALSE(
      Verify(ec.Sign("ES256", kClaims), testing::Jwks({rsa.PublicJwk()})).ok());
  EXPECT_FALSE(
      Verify(rsa.Sign("RS256", kClaims), testing::Jwks({ec.PublicJwk()})).ok());
  // ES384 against a P-256 key.
  const TestKey p384("P-384", "k1");
  EXPECT_FALSE(
      Verify(p384.Sign("ES384", kClaims), testing::Jwks({ec.PublicJwk()}))
          .ok());
}

TEST(SignatureTest, RespectsTheKeysAlg) {
  const TestKey key("RSA", "k1");
  const std::string jwks = testing::Jwks({key.PublicJwk("RS256")});
  EXPECT_TRUE(Verify(key.Sign("RS256", kClaims), jwks).ok());
  EXPECT_FALSE(Verify(key.Sign("PS256", kClaims), jwks).ok());
}

TEST(ParseJwksTest, SkipsKeysItMustNotUse) {
  const TestKey rsa("RSA", "rsa");
  const std::string enc =
      absl::StrCat(rsa.PublicJwk().substr(0, rsa.PublicJwk().size() - 1),
                   R"(,"use":"enc"})");
  auto keys = ParseJwks(testing::Jwks(
      {R"({"kty":"oct","kid":"h","k":"c2VjcmV0"})", enc,
       R"({"kty":"EC","crv":"P-521","kid":"p521","x":"AA","y":"AA"})",
       R"({"kty":"RSA","kid":"hs","alg":"HS256","n":"AQAB","e":"AQAB"})",
       R"({"kty":"RSA","kid":"short","n":"AQAB","e":"AQAB"})",
       rsa.PublicJwk("RS256")}));
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ(keys->front().kid, "rsa");
}

TEST(ParseJwksTest, RefusesMalformedSets) {
  EXPECT_FALSE(ParseJwks("[]").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":{}})").ok());
  EXPECT_FALSE(ParseJwks(R"({"keys":[1]})").ok());
  EXPECT_FALSE(
      ParseJwks(R"({"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]})")
          .ok());
  // A point not on the curve.
  const std::string zero(43, 'A');
  EXPECT_FALSE(
      ParseJwks(absl::StrCat(R"({"keys":[{"kty":"EC","crv":"P-256","x":")",
                             zero, R"(","y":")", zero, R"("}]})"))
          .ok());
}

}  // namespace
}  // namespace vercel_tokens
