#include "server/rpc/trace_context.h"

namespace vercel_tokens {
namespace {

// The version, trace-id, parent-id and flags fields with their dashes.
constexpr size_t kVersion00Length = 55;
// The largest value accepted (a later version's extra fields included).
constexpr size_t kMaxLength = 512;

bool IsLowerHex(absl::string_view text) {
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool AllZeros(absl::string_view text) {
  return text.find_first_not_of('0') == absl::string_view::npos;
}

}  // namespace

std::optional<std::string> ValidTraceparent(absl::string_view value) {
  if (value.size() < kVersion00Length || value.size() > kMaxLength ||
      value[2] != '-' || value[35] != '-' || value[52] != '-') {
    return std::nullopt;
  }
  const absl::string_view version = value.substr(0, 2);
  const absl::string_view trace_id = value.substr(3, 32);
  const absl::string_view parent_id = value.substr(36, 16);
  const absl::string_view flags = value.substr(53, 2);
  if (!IsLowerHex(version) || !IsLowerHex(trace_id) || !IsLowerHex(parent_id) ||
      !IsLowerHex(flags) || version == "ff" || AllZeros(trace_id) ||
      AllZeros(parent_id)) {
    return std::nullopt;
  }
  if (value.size() > kVersion00Length) {
    if (version == "00" || value[kVersion00Length] != '-') return std::nullopt;
    for (char c : value.substr(kVersion00Length)) {
      if (c < 0x21 || c > 0x7e) return std::nullopt;
    }
  }
  return std::string(value);
}

}  // namespace vercel_tokens
