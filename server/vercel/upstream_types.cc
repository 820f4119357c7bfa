#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

absl::string_view HttpMethodName(HttpMethod method) {
  switch (method) {
    case HttpMethod::kGet:
      return "GET";
    case HttpMethod::kPost:
      return "POST";
    case HttpMethod::kDelete:
      return "DELETE";
  }
  return "GET";
}

std::optional<absl::string_view> UpstreamResponse::Header(
    absl::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return absl::string_view(value);
  }
  return std::nullopt;
}

}  // namespace vercel_tokens
