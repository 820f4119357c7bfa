#include "server/vercel/list_pager.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/service_error.h"
#include "server/vercel/request_builder.h"
#include "server/vercel/response_mapping.h"

namespace vercel_tokens {

namespace v1 = ::vercel::authentication::v1;

ListPager::ListPager(absl::string_view team_id, absl::string_view slug,
                     ListLimits limits, v1::ListAuthTokensResponse* response)
    : team_id_(team_id), slug_(slug), limits_(limits), response_(response) {}

absl::StatusOr<std::optional<UpstreamRequest>> ListPager::OnPage(
    const UpstreamRequest& sent, absl::string_view body) {
  bytes_read_ += static_cast<int64_t>(body.size());
  if (bytes_read_ > limits_.max_bytes) {
    return Incomplete(absl::StatusCode::kFailedPrecondition, "max_list_bytes",
                      absl::StrCat("its pages exceed ", limits_.max_bytes,
                                   " bytes (--max_list_bytes)"));
  }
  absl::StatusOr<v1::ListAuthTokensRawResponse> page =
      MapListAuthTokensResponse(body);
  if (!page.ok()) return page.status();
  for (v1::AuthToken& token : *page->mutable_tokens()) {
    *response_->add_tokens() = std::move(token);
  }
  ++pages_read_;
  const std::string& next = page->pagination().next_cursor();
  if (next.empty()) return std::nullopt;
  if (pages_read_ >= limits_.max_pages) {
    return Incomplete(absl::StatusCode::kFailedPrecondition, "max_list_pages",
                      absl::StrCat("it has more than ", limits_.max_pages,
                                   " pages (--max_list_pages)"));
  }
  if (!cursors_seen_.insert(next).second) {
    return Incomplete(absl::StatusCode::kInternal, "repeated_cursor",
                      "Vercel repeated a pagination cursor");
  }
  return BuildListAuthTokensPage(team_id_, slug_, next, sent.bearer_token);
}

absl::Status ListPager::Incomplete(absl::StatusCode code,
                                   absl::string_view cause,
                                   absl::string_view why) const {
  ErrorSpec spec;
  spec.code = code;
  spec.reason = "LIST_INCOMPLETE";
  spec.message =
      absl::StrCat("cannot list every token: ", why, "; read ",
                   response_->tokens_size(), " tokens in ", pages_read_,
                   " pages (ListAuthTokensRaw reads the listing page by page)");
  spec.metadata["cause"] = std::string(cause);
  spec.metadata["pages_read"] = absl::StrCat(pages_read_);
  spec.metadata["tokens_read"] = absl::StrCat(response_->tokens_size());
  return MakeError(spec);
}

}  // namespace vercel_tokens
