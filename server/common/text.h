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

// Makes text from upstream safe to put in an error message or in ErrorInfo
// metadata: replaces every occurrence of each non-empty secret (as is and
// percent-encoded) with "[redacted]", replaces invalid UTF-8 bytes and
// control characters with '?', and cuts the result to at most `max_bytes`
// bytes on a character boundary.
std::string SanitizeUpstreamText(absl::string_view text,
                                 const std::vector<std::string>& secrets,
                                 size_t max_bytes);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_TEXT_H_
