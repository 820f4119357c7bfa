#include "server/identity/forwarded_cert_source.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/identity/test_certificates.h"

namespace vercel_tokens {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

constexpr absl::string_view kDeployer =
    "spiffe://cluster.local/ns/ci/sa/deployer";

absl::StatusOr<std::string> Id(absl::string_view header, int hops = 1) {
  return IdentityFromForwardedClientCert({std::string(header)}, hops);
}

TEST(ParseForwardedClientCertTest, ReadsElementsPairsAndQuotedValues) {
  auto parsed = ParseForwardedClientCert(
      "By=spiffe://td/a;Hash=ab;Subject=\"CN=x,OU=y;\\\"q\\\"\";URI=,"
      "DNS=b.svc");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_THAT((*parsed)[0],
              ElementsAre(Pair("By", "spiffe://td/a"), Pair("Hash", "ab"),
                          Pair("Subject", "CN=x,OU=y;\"q\""), Pair("URI", "")));
  EXPECT_THAT((*parsed)[1], ElementsAre(Pair("DNS", "b.svc")));
}

TEST(ParseForwardedClientCertTest, RefusesWhatDoesNotParse) {
  for (absl::string_view bad :
       {"", "URI", "=x", "URI=\"open", "URI=a\"b", "URI=\"a\"b", "URI=a;",
        "URI=a,", "URI=a;;DNS=b", "U RI=a", "URI=\"a\\"}) {
    EXPECT_FALSE(ParseForwardedClientCert(bad).ok()) << bad;
  }
}

// The attack of issue 16: a client opens a quote that never closes; an
// appending sidecar adds its own element after it. The old parser took the
// client's URI; the whole header is now malformed.
TEST(IdentityFromForwardedClientCertTest, QuoteInjectionIsRefused) {
  const std::string client = absl::StrCat("URI=", kDeployer, ";By=\"");
  for (absl::string_view sidecar :
       {",By=spiffe://cluster.local/ns/tokens/sa/server;Hash=abc;"
        "Subject=\"\";URI=spiffe://cluster.local/ns/low/sa/x",
        ",By=spiffe://cluster.local/ns/tokens/sa/server;Hash=abc;"
        "URI=spiffe://cluster.local/ns/low/sa/x"}) {
    absl::StatusOr<std::string> id = Id(absl::StrCat(client, sidecar));
    EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated)
        << sidecar;
  }
}

// Whatever a client sends before an appending sidecar's element, the header
// either is refused or names the sidecar's caller: built from every
// sequence of up to four pieces an attacker would try.
TEST(IdentityFromForwardedClientCertTest, NoClientPrefixOverridesTheSidecar) {
  const std::vector<std::string> pieces = {"\"",
                                           "\\",
                                           ",",
                                           ";",
                                           "=",
                                           "URI=",
                                           absl::StrCat("URI=", kDeployer),
                                           "By=\"",
                                           "Subject=\"",
                                           "\\\"",
                                           " ",
                                           "x"};
  const std::string sidecar =
      ",By=spiffe://td/ns/tokens/sa/server;Hash=ab;Subject=\"CN=low\";"
      "URI=spiffe://td/ns/low/sa/x";
  std::vector<std::string> prefixes = {""};
  for (int depth = 0; depth < 4; ++depth) {
    std::vector<std::string> longer;
    for (const std::string& prefix : prefixes) {
      for (const std::string& piece : pieces) longer.push_back(prefix + piece);
    }
    prefixes.insert(prefixes.end(), longer.begin(), longer.end());
    if (prefixes.size() > 30000) break;
  }
  for (const std::string& prefix : prefixes) {
    absl::StatusOr<std::string> id = Id(prefix + sidecar);
    if (id.ok()) {
      ASSERT_EQ(*id, "spiffe://td/ns/low/sa/x") << prefix;
    }
  }
}

TEST(IdentityFromForwardedClientCertTest, TrustsTheHopsthElementFromTheEnd) {
  const std::string header =
      absl::StrCat("URI=", kDeployer, ",By=x;URI=spiffe://td/ns/gw/sa/client",
                   ",By=y;URI=spiffe://td/ns/mesh/sa/gateway");
  EXPECT_EQ(*Id(header, 1), "spiffe://td/ns/mesh/sa/gateway");
  EXPECT_EQ(*Id(header, 2), "spiffe://td/ns/gw/sa/client");
  EXPECT_EQ(Id("URI=spiffe://td/a", 2).status().code(),
            absl::StatusCode::kUnauthenticated);
}

TEST(IdentityFromForwardedClientCertTest, NamespacesAndMissingNames) {
  EXPECT_EQ(*Id("Hash=1;DNS=deployer.svc"), "dns:deployer.svc");
  EXPECT_EQ(*Id("URI=\"spiffe://td/ns/a;b\";DNS=x"), "spiffe://td/ns/a;b");
  // The trusted element has no name: an earlier element's does not count.
  EXPECT_FALSE(Id("URI=spiffe://td/a,Hash=1;Subject=\"CN=x\"").ok());
  EXPECT_FALSE(Id("URI=anonymous").ok());
  EXPECT_FALSE(Id("URI=dns:x").ok());
}

TEST(IdentityFromForwardedClientCertTest, MoreThanOneHeaderIsRefused) {
  EXPECT_EQ(IdentityFromForwardedClientCert(
                {"URI=spiffe://td/a", "URI=spiffe://td/b"}, 1)
                .status()
                .code(),
            absl::StatusCode::kUnauthenticated);
}

// `pem` percent-encoded as nginx's $ssl_client_escaped_cert writes it:
// everything but letters, digits and "-._~" as %XX.
std::string Escaped(absl::string_view pem) {
  std::string out;
  for (char c : pem) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      absl::StrAppend(
          &out, "%", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
    }
  }
  return out;
}

TEST(PercentDecodeTest, DecodesAndRefusesBrokenEscapes) {
  EXPECT_EQ(*PercentDecode("a%20b%2Fc%2fd+e"), "a b/c/d+e");
  EXPECT_EQ(*PercentDecode(""), "");
  for (absl::string_view bad : {"%", "%2", "%zz", "a%g0", "%%41"}) {
    EXPECT_FALSE(PercentDecode(bad).ok()) << bad;
  }
}

// The chart's nginx sends `Cert="<escaped PEM>"`: the caller is who the
// certificate names, derived as on the direct mTLS path.
TEST(IdentityFromForwardedClientCertTest, CertGivesTheCertificatesIdentity) {
  EXPECT_EQ(*Id(absl::StrCat("Cert=\"", Escaped(kUriCertPem), "\"")),
            "spiffe://cluster.local/ns/ci/sa/deployer");
  EXPECT_EQ(*Id(absl::StrCat("Cert=", Escaped(kDnsCertPem))),
            "dns:deployer.ci.svc");
  EXPECT_EQ(*Id(absl::StrCat("Hash=1;cert=", Escaped(kCnCertPem))),
            "cn:Jos\xC3\xA9");
}

TEST(IdentityFromForwardedClientCertTest, CertWithoutUsableNameIsUnusable) {
  absl::StatusOr<std::string> id =
      Id(absl::StrCat("Cert=", Escaped(kNoneCertPem)));
  EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(id.status().message(), ::testing::HasSubstr("no URI SAN"));
}

// Cert= and URI=/DNS= in one element must name one caller (Envoy sends
// them together when configured to); a forged or mismatched name refuses.
TEST(IdentityFromForwardedClientCertTest, CertAndNamesMustAgree) {
  const std::string cert = absl::StrCat("Cert=", Escaped(kUriCertPem));
  EXPECT_EQ(
      *Id(absl::StrCat(cert, ";URI=spiffe://cluster.local/ns/ci/sa/deployer")),
      "spiffe://cluster.local/ns/ci/sa/deployer");
  EXPECT_FALSE(
      Id(absl::StrCat(cert, ";URI=spiffe://cluster.local/ns/ci/sa/admin"))
          .ok());
  EXPECT_FALSE(Id(absl::StrCat(cert, ";DNS=deployer.ci.svc")).ok());
  EXPECT_EQ(
      *Id(absl::StrCat("DNS=deployer.ci.svc;Cert=", Escaped(kDnsCertPem))),
      "dns:deployer.ci.svc");
}

TEST(IdentityFromForwardedClientCertTest, HostileCertValuesAreRefused) {
  const std::string pem(kUriCertPem);
  for (const std::string& header :
       {std::string("Cert="), std::string("Cert=garbage"),
        absl::StrCat("Cert=", Escaped(pem.substr(0, pem.size() / 2))),
        absl::StrCat("Cert=", Escaped(pem), "%4"),
        absl::StrCat("Cert=", Escaped(absl::StrCat(pem, kDnsCertPem))),
        absl::StrCat("Cert=", Escaped(pem), ";Cert=", Escaped(pem)),
        absl::StrCat("Cert=", std::string(1 << 20, 'A')),
        // A valid URI= does not rescue a broken certificate.
        std::string(
            "Cert=garbage;URI=spiffe://cluster.local/ns/ci/sa/deployer")}) {
    absl::StatusOr<std::string> id = Id(header);
    EXPECT_EQ(id.status().code(), absl::StatusCode::kUnauthenticated)
        << header.substr(0, 200);
  }
}

TEST(ForwardedCertSourceTest, IdentifiesAsXfcc) {
  ForwardedCertSource source(1);
  CallCredentials call;
  EXPECT_FALSE(source.Presented(call));
  call.forwarded_client_certs = {"By=a;URI=spiffe://td/ns/a/sa/b"};
  ASSERT_TRUE(source.Presented(call));
  std::optional<absl::StatusOr<Caller>> got;
  source.Identify(call, [&](absl::StatusOr<Caller> c) { got = std::move(c); });
  ASSERT_TRUE(got.has_value() && got->ok());
  EXPECT_EQ((*got)->id, "spiffe://td/ns/a/sa/b");
  EXPECT_EQ((*got)->source, CallerSource::kXfcc);
}

}  // namespace
}  // namespace vercel_tokens
