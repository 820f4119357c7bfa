#include "server/identity/caller.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::EndsWith;
using ::testing::Not;

TEST(PrintableIdentityTest, KeepsPlainIdentities) {
  EXPECT_EQ(PrintableIdentity("spiffe://td/ns/a/sa/b"),
            "spiffe://td/ns/a/sa/b");
  EXPECT_EQ(PrintableIdentity("cn:Jos\xC3\xA9"), "cn:Jos\xC3\xA9");
}

TEST(PrintableIdentityTest, EscapesControlsBidiAndInvalidUtf8) {
  EXPECT_EQ(PrintableIdentity("a\nb"), "a\\u{000A}b");
  EXPECT_EQ(PrintableIdentity("a\x1b[31m"), "a\\u{001B}[31m");
  EXPECT_EQ(PrintableIdentity(std::string("a\0b", 3)), "a\\u{0000}b");
  EXPECT_EQ(PrintableIdentity("a\xE2\x80\xAE"
                              "b"),
            "a\\u{202E}b");
  EXPECT_EQ(PrintableIdentity("a\xFF"), "a\\xFF");
  // A backslash is escaped too, so an escape cannot be forged.
  EXPECT_EQ(PrintableIdentity("a\\u{000A}"), "a\\\\u{000A}");
}

TEST(PrintableIdentityTest, BoundsTheLength) {
  const std::string huge = "spiffe://td/" + std::string(16 << 10, 'x');
  const std::string printed = PrintableIdentity(huge);
  EXPECT_LE(printed.size(), kMaxPrintedIdentityBytes + 32);
  EXPECT_THAT(printed, EndsWith("...(16396 bytes)"));
  EXPECT_THAT(PrintableIdentity(std::string(kMaxPrintedIdentityBytes, 'x')),
              Not(EndsWith("bytes)")));
}

TEST(CallerSourceNameTest, NamesEachSource) {
  EXPECT_EQ(CallerSourceName(CallerSource::kAnonymous), "anonymous");
  EXPECT_EQ(CallerSourceName(CallerSource::kMtls), "mtls");
  EXPECT_EQ(CallerSourceName(CallerSource::kXfcc), "xfcc");
  EXPECT_EQ(CallerSourceName(CallerSource::kKubernetes), "kubernetes");
  EXPECT_EQ(CallerSourceName(CallerSource::kOidc), "oidc");
  EXPECT_EQ(Caller().id, "anonymous");
}

}  // namespace
}  // namespace vercel_tokens
