#ifndef VERCEL_USER_TOKENS_SERVER_RPC_TRACE_CONTEXT_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_TRACE_CONTEXT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace vercel_tokens {

// The metadata key (and HTTP header) of W3C Trace Context.
inline constexpr char kTraceparentKey[] = "traceparent";

// Returns `value` when it is a well-formed W3C `traceparent`
// (https://www.w3.org/TR/trace-context/#traceparent-header):
// "<version>-<trace-id>-<parent-id>-<flags>" in lower-case hex, 2-32-16-2
// digits, version not "ff", trace and parent ids not all zeros; version 00
// has exactly these four fields, a later version may append "-..." fields of
// printable ASCII. Anything else is nullopt, so a caller cannot push
// arbitrary text into a log line or an upstream header. Pure.
std::optional<std::string> ValidTraceparent(absl::string_view value);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_TRACE_CONTEXT_H_
