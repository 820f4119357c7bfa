#include "server/identity/forwarded_cert_source.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

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
