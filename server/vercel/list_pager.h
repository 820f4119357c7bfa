#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_LIST_PAGER_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_LIST_PAGER_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "server/vercel/upstream_types.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {

// How much of Vercel's listing one ListAuthTokens call may read.
struct ListLimits {
  // Pages read at most (--max_list_pages).
  int max_pages = 100;
  // Response bytes read at most, summed over the call's pages
  // (--max_list_bytes); bounds the call's memory however large each page is.
  int64_t max_bytes = 32 << 20;
};

// Reads every page of GET /v6/user/tokens for ListAuthTokens, after a first
// request from BuildListAuthTokensPage: asks for 100 tokens a page and follows
// `until=<pagination.next>` (an opaque cursor, number or string) until Vercel
// sends no next cursor. Either the whole listing comes back or the call fails
// with reason LIST_INCOMPLETE (domain vercel-user-tokens, metadata `cause`,
// `pages_read`, `tokens_read`): FAILED_PRECONDITION when the listing needs more
// than `max_pages` pages (cause `max_list_pages`) or `max_bytes` bytes (cause
// `max_list_bytes`), INTERNAL when Vercel repeats a cursor (cause
// `repeated_cursor`), which would otherwise loop. Pure: no network; the caller
// sends the requests.
//
// Not thread-safe; one per call, used by one thread at a time. Borrows
// `response`, which must outlive it.
class ListPager {
 public:
  ListPager(absl::string_view team_id, absl::string_view slug,
            ListLimits limits,
            vercel::authentication::v1::ListAuthTokensResponse* response);

  // Takes the body of a 2xx answer to `sent`: appends its tokens to the
  // response and returns the request for the next page, nullopt when the
  // listing is complete, or an error (LIST_INCOMPLETE, or the page's
  // mapping error).
  absl::StatusOr<std::optional<UpstreamRequest>> OnPage(
      const UpstreamRequest& sent, absl::string_view body);

 private:
  absl::Status Incomplete(absl::StatusCode code, absl::string_view cause,
                          absl::string_view why) const;

  std::string team_id_;
  std::string slug_;
  ListLimits limits_;
  vercel::authentication::v1::ListAuthTokensResponse* response_;
  int pages_read_ = 0;
  int64_t bytes_read_ = 0;
  absl::flat_hash_set<std::string> cursors_seen_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_LIST_PAGER_H_
