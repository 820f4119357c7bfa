#include "server/rpc/credentials.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"

namespace vercel_tokens {
namespace {

std::string ReasonOf(const absl::Status& status) {
  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  return info.has_value() ? info->reason() : "";
}

TEST(ResolveBearerTokenTest, CallerTokenWinsOverServerToken) {
  auto token = ResolveBearerToken({"Bearer caller-token"}, "server-token");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "caller-token");
}

TEST(ResolveBearerTokenTest, SchemeIsCaseInsensitive) {
  auto token = ResolveBearerToken({"bEaReR abc"}, "");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "abc");
}

TEST(ResolveBearerTokenTest, FallsBackToServerToken) {
  auto token = ResolveBearerToken({}, "server-token");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, "server-token");
}

TEST(ResolveBearerTokenTest, NoTokenAnywhereIsUnauthenticated) {
  auto token = ResolveBearerToken({}, "");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(token.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(ReasonOf(token.status()), "MISSING_CREDENTIALS");
}

TEST(ResolveBearerTokenTest, MalformedMetadataIsRejectedWithoutEcho) {
  for (const char* bad :
       {"Basic dXNlcjpwdw==", "Bearer", "Bearer ", "Bearer a b",
        "Bearer secret\r\nX-Injected: 1", "secret-token", "Bearer \x7f"}) {
    auto token = ResolveBearerToken({bad}, "server-token");
    ASSERT_FALSE(token.ok()) << bad;
    EXPECT_EQ(token.status().code(), absl::StatusCode::kUnauthenticated);
    EXPECT_EQ(ReasonOf(token.status()), "MALFORMED_CREDENTIALS");
    EXPECT_EQ(token.status().message().find("secret"), std::string::npos);
    EXPECT_EQ(token.status().message().find("dXNlcjpwdw"), std::string::npos);
  }
}

TEST(ResolveBearerTokenTest, SeveralAuthorizationValuesAreRejected) {
  auto token = ResolveBearerToken({"Bearer a", "Bearer b"}, "");
  ASSERT_FALSE(token.ok());
  EXPECT_EQ(ReasonOf(token.status()), "MALFORMED_CREDENTIALS");
}

TEST(IsWellFormedTokenTest, BoundsLengthAndCharacters) {
  EXPECT_TRUE(IsWellFormedToken("vcp_AbC123-_.~+/="));
  EXPECT_FALSE(IsWellFormedToken(""));
  EXPECT_FALSE(IsWellFormedToken(std::string(4097, 'a')));
  EXPECT_TRUE(IsWellFormedToken(std::string(4096, 'a')));
  EXPECT_FALSE(IsWellFormedToken("a\nb"));
  EXPECT_FALSE(IsWellFormedToken("\xC3\xA9"));
}

}  // namespace
}  // namespace vercel_tokens
