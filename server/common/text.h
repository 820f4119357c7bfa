#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_TEXT_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_TEXT_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace vercel_tokens {

// Returns the length of the valid UTF-8 sequence starting at `s[i]` (1 to
// 4), or 0 when there is none there (truncated, overlong, surrogate or past
// U+10FFFF). Requires i < s.size().
size_t Utf8SequenceLength(absl::string_view s, size_t i);

// Returns the code point of the valid `length`-byte UTF-8 sequence at `s[i]`
// (`length` as returned by Utf8SequenceLength, not 0).
char32_t Utf8CodePoint(absl::string_view s, size_t i, size_t length);

// Whether a code point must not appear in free text (a token's name, a team
// name): C0 controls and DEL, C1 controls (U+0080..U+009F, e.g. U+0085 NEXT
// LINE), and the invisible bidirectional formatting characters that can make
// text display other than it reads: marks (U+061C, U+200E, U+200F),
// embeddings and overrides (U+202A..U+202E) and isolates (U+2066..U+2069).
bool IsUnsafeInText(char32_t code_point);

// One way a secret may appear in text that echoes it.
struct SecretForm {
  std::string text;
  // Whether the form matches whatever the case of its letters.
  bool ignore_case = false;
};

// The forms of `secret` that RedactSecrets removes: the secret itself,
// percent-encoded (either hex case) and form-encoded ('+' for a space), all
// matched ignoring case (which covers a lower- or upper-cased echo); and
// base64 in the standard and URL-safe alphabets, with or without padding,
// also where the secret is part of a longer encoded text (the characters
// that depend on the secret alone, when there are at least 8). Longest
// first; none for an empty secret. Pure.
std::vector<SecretForm> SecretForms(absl::string_view secret);

// Returns `text` with every occurrence of any SecretForms of each of
// `secrets` replaced by "[redacted]", the longest form first. Pure.
std::string RedactSecrets(absl::string_view text,
                          const std::vector<std::string>& secrets);

// Makes text from upstream safe to put in an error message or in ErrorInfo
// metadata: redacts `secrets` (RedactSecrets), replaces invalid UTF-8 bytes
// and every character IsUnsafeInText with '?', and cuts the result to at most
// `max_bytes` bytes on a character boundary.
std::string SanitizeUpstreamText(absl::string_view text,
                                 const std::vector<std::string>& secrets,
                                 size_t max_bytes);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_TEXT_H_
