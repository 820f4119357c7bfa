#include "server/common/text.h"

#include <cstdint>

#include "absl/strings/str_replace.h"
#include "server/common/url.h"

namespace vercel_tokens {

size_t Utf8SequenceLength(absl::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) return 1;
  size_t length = 0;
  uint32_t code_point = 0;
  if ((b0 & 0xE0) == 0xC0) {
    length = 2;
    code_point = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    length = 3;
    code_point = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    length = 4;
    code_point = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + length > s.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (b & 0x3F);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinForLength[length] || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

char32_t Utf8CodePoint(absl::string_view s, size_t i, size_t length) {
  static constexpr unsigned char kLeadMask[] = {0, 0x7F, 0x1F, 0x0F, 0x07};
  char32_t code_point = static_cast<unsigned char>(s[i]) & kLeadMask[length];
  for (size_t k = 1; k < length; ++k) {
    code_point =
        (code_point << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  }
  return code_point;
}

bool IsUnsafeInText(char32_t c) {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F) || c == 0x061C || c == 0x200E ||
         c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

std::string SanitizeUpstreamText(absl::string_view text,
                                 const std::vector<std::string>& secrets,
                                 size_t max_bytes) {
  std::string redacted(text);
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    redacted = absl::StrReplaceAll(
        redacted,
        {{secret, "[redacted]"}, {PercentEncode(secret), "[redacted]"}});
  }
  std::string out;
  out.reserve(std::min(redacted.size(), max_bytes));
  for (size_t i = 0; i < redacted.size();) {
    const size_t length = Utf8SequenceLength(redacted, i);
    const bool replace =
        length == 0 || IsUnsafeInText(Utf8CodePoint(redacted, i, length));
    const size_t consumed = length == 0 ? 1 : length;
    if (out.size() + (replace ? 1 : length) > max_bytes) break;
    if (replace) {
      out.push_back('?');
    } else {
      out.append(redacted, i, length);
    }
    i += consumed;
  }
  return out;
}

}  // namespace vercel_tokens
