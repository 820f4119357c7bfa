#include "server/identity/certificate_source.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/identity/identity_errors.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

TEST(IdentityFromCertificateTest, PrefersUriSanThenDnsSanThenCommonName) {
  PeerCertificateNames names;
  names.uri_sans = {"spiffe://cluster.local/ns/billing/sa/deployer"};
  names.dns_sans = {"deployer.billing.svc", "other.svc"};
  names.common_name = "deployer";
  EXPECT_EQ(*IdentityFromCertificate(names),
            "spiffe://cluster.local/ns/billing/sa/deployer");
  names.uri_sans.clear();
  EXPECT_EQ(*IdentityFromCertificate(names), "dns:deployer.billing.svc");
  names.dns_sans.clear();
  EXPECT_EQ(*IdentityFromCertificate(names), "cn:deployer");
}

// The attack: a certificate whose CN or DNS SAN spells a SPIFFE id got the
// rule of that SPIFFE id; one with CN=anonymous was the anonymous caller.
TEST(IdentityFromCertificateTest, EachKindOfNameKeepsItsOwnNamespace) {
  const std::string deployer = "spiffe://cluster.local/ns/ci/sa/deployer";
  PeerCertificateNames cn_only;
  cn_only.common_name = deployer;
  EXPECT_EQ(*IdentityFromCertificate(cn_only), "cn:" + deployer);
  PeerCertificateNames dns_only;
  dns_only.dns_sans = {deployer};
  EXPECT_EQ(*IdentityFromCertificate(dns_only), "dns:" + deployer);
  PeerCertificateNames anonymous;
  anonymous.common_name = "anonymous";
  EXPECT_EQ(*IdentityFromCertificate(anonymous), "cn:anonymous");
  // A URI SAN cannot pose as another namespace or as anonymous.
  PeerCertificateNames uri;
  uri.uri_sans = {"dns:deployer.billing.svc", "anonymous", "CN:x", ":x"};
  EXPECT_EQ(IdentityFromCertificate(uri).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(IdentityFromCertificateTest, RefusesACertificateWithoutNames) {
  absl::StatusOr<std::string> id = IdentityFromCertificate({});
  EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(id.status().message(), HasSubstr("no URI SAN"));
}

TEST(IsUriIdentityTest, NeedsASchemeOfAnotherNamespace) {
  EXPECT_TRUE(IsUriIdentity("spiffe://td/ns/a/sa/b"));
  EXPECT_TRUE(IsUriIdentity("urn:example:x"));
  EXPECT_FALSE(IsUriIdentity("anonymous"));
  EXPECT_FALSE(IsUriIdentity("dns:x"));
  EXPECT_FALSE(IsUriIdentity("Cn:x"));
  EXPECT_FALSE(IsUriIdentity("1x:y"));
  EXPECT_FALSE(IsUriIdentity("a b:y"));
}

TEST(CertificateSourceTest, IdentifiesInlineAsMtls) {
  CertificateSource source;
  CallCredentials call;
  EXPECT_FALSE(source.Presented(call));
  call.peer_certificate.emplace();
  call.peer_certificate->uri_sans = {"spiffe://td/ns/a/sa/b"};
  ASSERT_TRUE(source.Presented(call));
  std::optional<absl::StatusOr<Caller>> got;
  source.Identify(call, [&](absl::StatusOr<Caller> c) { got = std::move(c); });
  ASSERT_TRUE(got.has_value() && got->ok());
  EXPECT_EQ((*got)->id, "spiffe://td/ns/a/sa/b");
  EXPECT_EQ((*got)->source, CallerSource::kMtls);
}

}  // namespace
}  // namespace vercel_tokens
