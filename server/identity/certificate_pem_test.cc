#include "server/identity/certificate_pem.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/identity/certificate_source.h"
#include "server/identity/test_certificates.h"

namespace vercel_tokens {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

TEST(CertificateNamesFromPemTest, ReadsSansInOrderAndTheCommonName) {
  absl::StatusOr<PeerCertificateNames> names =
      CertificateNamesFromPem(kUriCertPem);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(names->uri_sans,
              ElementsAre("spiffe://cluster.local/ns/ci/sa/deployer"));
  EXPECT_THAT(names->dns_sans, ElementsAre("deployer.ci.svc", "other.svc"));
  EXPECT_EQ(names->common_name, "deployer");
}

TEST(CertificateNamesFromPemTest, ReadsUtf8CommonNames) {
  absl::StatusOr<PeerCertificateNames> names =
      CertificateNamesFromPem(kCnCertPem);
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_THAT(names->uri_sans, IsEmpty());
  EXPECT_THAT(names->dns_sans, IsEmpty());
  EXPECT_EQ(names->common_name, "Jos\xC3\xA9");
}

// The derivation of certificate_source.h applies unchanged to what the PEM
// gives, including the refusal of a certificate without a usable name.
TEST(CertificateNamesFromPemTest, GivesTheIdentitiesOfTheDirectPath) {
  EXPECT_EQ(*IdentityFromCertificate(*CertificateNamesFromPem(kUriCertPem)),
            "spiffe://cluster.local/ns/ci/sa/deployer");
  EXPECT_EQ(*IdentityFromCertificate(*CertificateNamesFromPem(kDnsCertPem)),
            "dns:deployer.ci.svc");
  EXPECT_EQ(*IdentityFromCertificate(*CertificateNamesFromPem(kCnCertPem)),
            "cn:Jos\xC3\xA9");
  absl::StatusOr<PeerCertificateNames> none =
      CertificateNamesFromPem(kNoneCertPem);
  ASSERT_TRUE(none.ok()) << none.status();
  absl::StatusOr<std::string> id = IdentityFromCertificate(*none);
  EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(id.status().message(), HasSubstr("no URI SAN"));
}

TEST(CertificateNamesFromPemTest, AcceptsSurroundingWhitespace) {
  EXPECT_TRUE(
      CertificateNamesFromPem(absl::StrCat("\n  ", kDnsCertPem, "\n\n")).ok());
}

TEST(CertificateNamesFromPemTest, RefusesWhatIsNotOneCertificate) {
  const std::string pem(kUriCertPem);
  const std::string truncated = pem.substr(0, pem.size() / 2);
  const std::string no_end =
      pem.substr(0, pem.find("-----END CERTIFICATE-----"));
  std::string flipped = pem;
  flipped[100] = flipped[100] == 'A' ? 'B' : 'A';
  const std::string bad_base64 = absl::StrCat(
      "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
  const std::string key =
      absl::StrCat("-----BEGIN PRIVATE KEY-----\n", pem.substr(28, 64),
                   "\n-----END PRIVATE KEY-----\n");
  for (const std::string& bad :
       {std::string(), std::string("garbage"), std::string(1 << 20, 'A'),
        truncated, no_end, flipped, bad_base64, key,
        absl::StrCat(kUriCertPem, kDnsCertPem),
        absl::StrCat(kUriCertPem, "trailing"),
        absl::StrCat("leading", kUriCertPem)}) {
    absl::StatusOr<PeerCertificateNames> names = CertificateNamesFromPem(bad);
    EXPECT_EQ(names.status().code(), absl::StatusCode::kInvalidArgument)
        << bad.substr(0, 200);
  }
}

TEST(CertificateNamesFromPemTest, RefusesHugeInputBeforeParsing) {
  const std::string huge =
      absl::StrCat(kUriCertPem, std::string(kMaxCertificatePemBytes, ' '));
  absl::StatusOr<PeerCertificateNames> names = CertificateNamesFromPem(huge);
  EXPECT_EQ(names.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(names.status().message(), HasSubstr("longer than"));
}

}  // namespace
}  // namespace vercel_tokens
