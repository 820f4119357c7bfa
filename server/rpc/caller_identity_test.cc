#include "server/rpc/caller_identity.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::Eq;
using ::testing::Optional;

TEST(IdentityFromCertificateTest, PrefersUriSanThenDnsSanThenCommonName) {
  PeerCertificateNames names;
  names.uri_sans = {"spiffe://cluster.local/ns/billing/sa/deployer"};
  names.dns_sans = {"deployer.billing.svc", "other.svc"};
  names.common_name = "deployer";
  EXPECT_THAT(IdentityFromCertificate(names),
              Optional(Eq("spiffe://cluster.local/ns/billing/sa/deployer")));
  names.uri_sans.clear();
  EXPECT_THAT(IdentityFromCertificate(names),
              Optional(Eq("deployer.billing.svc")));
  names.dns_sans.clear();
  EXPECT_THAT(IdentityFromCertificate(names), Optional(Eq("deployer")));
  names.common_name.clear();
  EXPECT_EQ(IdentityFromCertificate(names), std::nullopt);
}

TEST(IdentityFromForwardedClientCertTest, TakesTheUriOfTheLastElement) {
  EXPECT_THAT(
      IdentityFromForwardedClientCert(
          "By=spiffe://cluster.local/ns/a/sa/front;"
          "URI=spiffe://cluster.local/ns/evil/sa/forged,"
          "By=spiffe://cluster.local/ns/tokens/sa/server;Hash=ab12;"
          "Subject=\"CN=x,OU=y\";URI=spiffe://cluster.local/ns/ci/sa/deployer"),
      Optional(Eq("spiffe://cluster.local/ns/ci/sa/deployer")));
}

TEST(IdentityFromForwardedClientCertTest, HandlesQuotesAndMissingUri) {
  EXPECT_THAT(IdentityFromForwardedClientCert(
                  "Hash=1;URI=\"spiffe://td/ns/a;b,c\";DNS=x"),
              Optional(Eq("spiffe://td/ns/a;b,c")));
  // The sidecar's element has no URI: an earlier element's does not count.
  EXPECT_EQ(IdentityFromForwardedClientCert("URI=spiffe://td/a,Hash=1;DNS=x"),
            std::nullopt);
  EXPECT_EQ(IdentityFromForwardedClientCert(""), std::nullopt);
  EXPECT_EQ(IdentityFromForwardedClientCert("URI="), std::nullopt);
}

}  // namespace
}  // namespace vercel_tokens
