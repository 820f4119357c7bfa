#include "server/vercel/list_pager.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"
#include "server/vercel/request_builder.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

// A page of `count` tokens named `<prefix>0...` whose next cursor is `next`
// (JSON text: a number, a quoted string or null).
std::string Page(const std::string& prefix, int count,
                 const std::string& next) {
  std::string tokens;
  for (int i = 0; i < count; ++i) {
    absl::StrAppend(&tokens, i == 0 ? "" : ",", R"({"id":")", prefix, i,
                    R"(","name":"n","type":"t","activeAt":1,"createdAt":1})");
  }
  return absl::StrCat(R"({"tokens":[)", tokens, R"(],"pagination":{"count":)",
                      count, R"(,"next":)", next, R"(,"prev":null}})");
}

void ExpectIncomplete(const absl::Status& status, absl::StatusCode code,
                      const std::string& cause,
                      const std::string& tokens_read) {
  EXPECT_EQ(status.code(), code) << status;
  auto info = DetailOf<google::rpc::ErrorInfo>(status);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "LIST_INCOMPLETE");
  EXPECT_EQ(info->domain(), "vercel-user-tokens");
  EXPECT_EQ(info->metadata().at("cause"), cause);
  EXPECT_EQ(info->metadata().at("tokens_read"), tokens_read);
}

TEST(ListPagerTest, FollowsNumberAndStringCursorsToTheEnd) {
  v1::ListAuthTokensResponse response;
  ListPager pager("team_1", "", ListLimits(), &response);
  const UpstreamRequest first =
      BuildListAuthTokensPage("team_1", "", "", "secret");
  EXPECT_EQ(first.target, "/v6/user/tokens?teamId=team_1&limit=100");

  auto second = pager.OnPage(first, Page("a", 100, "1700000000000"));
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_TRUE(second->has_value());
  EXPECT_EQ((*second)->target,
            "/v6/user/tokens?teamId=team_1&limit=100&until=1700000000000");
  EXPECT_EQ((*second)->bearer_token, "secret");
  EXPECT_TRUE((*second)->idempotent);

  auto third = pager.OnPage(**second, Page("b", 100, R"("cur sor/2")"));
  ASSERT_TRUE(third.ok()) << third.status();
  ASSERT_TRUE(third->has_value());
  EXPECT_EQ((*third)->target,
            "/v6/user/tokens?teamId=team_1&limit=100&until=cur%20sor%2F2");

  auto done = pager.OnPage(**third, Page("c", 5, "null"));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_FALSE(done->has_value());
  ASSERT_EQ(response.tokens_size(), 205);
  EXPECT_EQ(response.tokens(0).id(), "a0");
  EXPECT_EQ(response.tokens(204).id(), "c4");
}

TEST(ListPagerTest, FailsRatherThanReturningPartOfAListingPastMaxPages) {
  v1::ListAuthTokensResponse response;
  ListLimits limits;
  limits.max_pages = 2;
  ListPager pager("", "", limits, &response);
  const UpstreamRequest first = BuildListAuthTokensPage("", "", "", "t");
  auto second = pager.OnPage(first, Page("a", 100, "2"));
  ASSERT_TRUE(second.ok() && second->has_value());
  ExpectIncomplete(pager.OnPage(**second, Page("b", 100, "1")).status(),
                   absl::StatusCode::kFailedPrecondition, "max_list_pages",
                   "200");
}

TEST(ListPagerTest, ExactlyMaxPagesIsComplete) {
  v1::ListAuthTokensResponse response;
  ListLimits limits;
  limits.max_pages = 1;
  ListPager pager("", "", limits, &response);
  auto done = pager.OnPage(BuildListAuthTokensPage("", "", "", "t"),
                           Page("a", 3, "null"));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_FALSE(done->has_value());
  EXPECT_EQ(response.tokens_size(), 3);
}

TEST(ListPagerTest, FailsOnARepeatedCursor) {
  v1::ListAuthTokensResponse response;
  ListPager pager("", "", ListLimits(), &response);
  const UpstreamRequest first = BuildListAuthTokensPage("", "", "", "t");
  auto second = pager.OnPage(first, Page("a", 1, R"("x")"));
  ASSERT_TRUE(second.ok() && second->has_value());
  ExpectIncomplete(pager.OnPage(**second, Page("b", 1, R"("x")")).status(),
                   absl::StatusCode::kInternal, "repeated_cursor", "2");
}

TEST(ListPagerTest, BoundsTheBytesReadAcrossPages) {
  v1::ListAuthTokensResponse response;
  const std::string page = Page("a", 50, "7");
  ListLimits limits;
  limits.max_bytes = static_cast<int64_t>(page.size()) * 2;
  ListPager pager("", "", limits, &response);
  const UpstreamRequest first = BuildListAuthTokensPage("", "", "", "t");
  auto second = pager.OnPage(first, page);
  ASSERT_TRUE(second.ok() && second->has_value());
  auto third = pager.OnPage(**second, Page("b", 50, "6"));
  ASSERT_TRUE(third.ok() && third->has_value());
  ExpectIncomplete(pager.OnPage(**third, Page("c", 50, "5")).status(),
                   absl::StatusCode::kFailedPrecondition, "max_list_bytes",
                   "100");
}

TEST(ListPagerTest, AMalformedPageFailsTheCall) {
  v1::ListAuthTokensResponse response;
  ListPager pager("", "", ListLimits(), &response);
  auto out = pager.OnPage(BuildListAuthTokensPage("", "", "", "t"),
                          R"({"tokens":[],"pagination":{"next":true}})");
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInternal);
}

}  // namespace
}  // namespace vercel_tokens
