#include "server/common/url.h"

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

TEST(PercentEncodeTest, KeepsUnreservedAndEncodesEverythingElse) {
  EXPECT_EQ(PercentEncode("aZ09-._~"), "aZ09-._~");
  EXPECT_EQ(PercentEncode("../x"), "..%2Fx");
  EXPECT_EQ(PercentEncode("a/b?c#d&e=f g%"), "a%2Fb%3Fc%23d%26e%3Df%20g%25");
  EXPECT_EQ(PercentEncode("\r\n"), "%0D%0A");
  EXPECT_EQ(PercentEncode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(PercentEncode(""), "");
}

TEST(WithQueryTest, KeepsOrderAndSkipsEmptyValues) {
  EXPECT_EQ(WithQuery("/p", {}), "/p");
  EXPECT_EQ(WithQuery("/p", {{"teamId", ""}, {"slug", ""}}), "/p");
  EXPECT_EQ(WithQuery("/p", {{"teamId", "t1"}, {"slug", ""}, {"until", "5"}}),
            "/p?teamId=t1&until=5");
  EXPECT_EQ(WithQuery("/p", {{"token", "a&b=c"}}), "/p?token=a%26b%3Dc");
}

TEST(ParseBaseUrlTest, AcceptsHttpsAnyHost) {
  auto url = ParseBaseUrl("https://api.vercel.com");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->origin, "https://api.vercel.com");
  EXPECT_TRUE(url->is_https);

  url = ParseBaseUrl("https://api.vercel.com:8443/");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->origin, "https://api.vercel.com:8443");
}

TEST(ParseBaseUrlTest, AcceptsHttpOnlyForLoopback) {
  for (const char* ok :
       {"http://127.0.0.1:8080", "http://localhost:1", "http://127.1.2.3",
        "http://[::1]:9000", "http://LOCALHOST"}) {
    auto url = ParseBaseUrl(ok);
    ASSERT_TRUE(url.ok()) << ok << ": " << url.status();
    EXPECT_FALSE(url->is_https);
    EXPECT_EQ(url->origin, ok);
  }
  for (const char* bad :
       {"http://example.com", "http://10.0.0.1", "http://128.0.0.1",
        "http://127.0.0.1.example.com", "http://localhost.evil.com",
        "http://127.0.0.256", "http://[::2]"}) {
    auto url = ParseBaseUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_NE(url.status().message().find("loopback"), std::string::npos)
        << bad << ": " << url.status();
  }
}

TEST(ParseBaseUrlTest, RejectsAnythingButSchemeHostPort) {
  for (const char* bad :
       {"", "api.vercel.com", "ftp://api.vercel.com", "https://",
        "https://api.vercel.com/v1", "https://user:pw@api.vercel.com",
        "https://api.vercel.com?x=1", "https://api.vercel.com#f",
        "https://api.vercel.com:0", "https://api.vercel.com:70000",
        "https://api.vercel.com:x", "https://a b.com", "https://api_x.com"}) {
    EXPECT_FALSE(ParseBaseUrl(bad).ok()) << bad;
  }
}

TEST(SplitUrlTest, SplitsOriginAndPath) {
  absl::StatusOr<OriginAndPath> url = SplitUrl("https://oidc.vercel.com/acme");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->origin.origin, "https://oidc.vercel.com");
  EXPECT_EQ(url->path, "/acme");
  url = SplitUrl("https://token.actions.githubusercontent.com");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->path, "");
}

TEST(SplitUrlTest, RefusesQueryFragmentUserInfoAndRemotePlainHttp) {
  for (const char* bad : {"https://i.example/a?b=c", "https://i.example/a#f",
                          "https://user@i.example/", "http://i.example/",
                          "i.example/a", "https:///path"}) {
    EXPECT_FALSE(SplitUrl(bad).ok()) << bad;
  }
  EXPECT_TRUE(SplitUrl("http://127.0.0.1:8080/x").ok());
}

}  // namespace
}  // namespace vercel_tokens
