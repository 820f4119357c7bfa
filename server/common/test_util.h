#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_TEST_UTIL_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_TEST_UTIL_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "google/rpc/error_details.pb.h"

namespace vercel_tokens {

// Decodes one google.rpc detail that MakeError attached to `status`.
template <typename Detail>
std::optional<Detail> DetailOf(const absl::Status& status) {
  auto payload = status.GetPayload("type.googleapis.com/" +
                                   Detail::descriptor()->full_name());
  if (!payload.has_value()) return std::nullopt;
  Detail detail;
  if (!detail.ParseFromString(std::string(*payload))) return std::nullopt;
  return detail;
}

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_TEST_UTIL_H_
