#include "server/common/text.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "server/common/url.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kRedacted = "[redacted]";

// Shorter base64 runs match too much unrelated text to be worth redacting.
constexpr size_t kMinBase64FormChars = 8;

}  // namespace

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

std::vector<SecretForm> SecretForms(absl::string_view secret) {
  std::vector<SecretForm> forms;
  if (secret.empty()) return forms;
  const std::string percent = PercentEncode(secret);
  forms.push_back({std::string(secret), /*ignore_case=*/true});
  forms.push_back({percent, /*ignore_case=*/true});
  forms.push_back(
      {absl::StrReplaceAll(percent, {{"%20", "+"}}), /*ignore_case=*/true});
  // Base64 of a longer text holding the secret: the secret may start at any
  // of the three byte offsets of a 3-byte group. For each, the characters
  // whose 6 bits all come from the secret are the same whatever surrounds
  // it.
  for (size_t offset = 0; offset < 3; ++offset) {
    const std::string padded =
        absl::StrCat(std::string(offset, '\0'), secret, std::string(2, '\0'));
    const size_t secret_bits_begin = 8 * offset;
    const size_t secret_bits_end = 8 * (offset + secret.size());
    const size_t first = (secret_bits_begin + 5) / 6;
    const size_t last = secret_bits_end / 6;  // One past the last whole char.
    if (last <= first || last - first < kMinBase64FormChars) continue;
    for (const std::string& encoded :
         {absl::Base64Escape(padded), absl::WebSafeBase64Escape(padded)}) {
      forms.push_back({encoded.substr(first, last - first),
                       /*ignore_case=*/false});
    }
  }
  std::sort(forms.begin(), forms.end(),
            [](const SecretForm& a, const SecretForm& b) {
              return a.text.size() > b.text.size();
            });
  return forms;
}

std::string RedactSecrets(absl::string_view text,
                          const std::vector<std::string>& secrets) {
  std::vector<SecretForm> forms;
  for (const std::string& secret : secrets) {
    std::vector<SecretForm> more = SecretForms(secret);
    forms.insert(forms.end(), std::make_move_iterator(more.begin()),
                 std::make_move_iterator(more.end()));
  }
  if (forms.empty()) return std::string(text);
  std::stable_sort(forms.begin(), forms.end(),
                   [](const SecretForm& a, const SecretForm& b) {
                     return a.text.size() > b.text.size();
                   });
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const absl::string_view rest = text.substr(i);
    const auto match = std::find_if(
        forms.begin(), forms.end(), [rest](const SecretForm& form) {
          const absl::string_view head = rest.substr(0, form.text.size());
          return head.size() == form.text.size() &&
                 (form.ignore_case ? absl::EqualsIgnoreCase(head, form.text)
                                   : head == form.text);
        });
    if (match == forms.end()) {
      out.push_back(text[i]);
      ++i;
    } else {
      out.append(kRedacted.data(), kRedacted.size());
      i += match->text.size();
    }
  }
  return out;
}

std::string SanitizeUpstreamText(absl::string_view text,
                                 const std::vector<std::string>& secrets,
                                 size_t max_bytes) {
  const std::string redacted = RedactSecrets(text, secrets);
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
