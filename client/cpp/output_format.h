#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_OUTPUT_FORMAT_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_OUTPUT_FORMAT_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/grpcpp.h"

// How `vercel-tokens` prints responses and errors. Pure functions; every
// returned text ends with a newline.

namespace vercel_tokens {

// Returns `message` as one line of JSON (protobuf's JSON mapping, with the
// proto field names, e.g. `bearer_token`).
absl::StatusOr<std::string> FormatJson(
    const google::protobuf::Message& message);

// Returns `message` for humans. The message's first AuthToken field (`token`
// or `tokens`) becomes a table with the columns ID, NAME, TYPE, ORIGIN,
// CREATED, EXPIRES and ACTIVE (`-` where unset); every other set field
// becomes a `key: value` line, nested fields with dotted keys
// (`pagination.count: 2`) and repeated ones with an index (`scopes[0].type`).
// Times are RFC 3339 in UTC.
std::string FormatTable(const google::protobuf::Message& message);

// Returns `timestamp` in RFC 3339, UTC, e.g. `2024-01-02T03:04:05Z`, with
// fractional seconds only when it has some.
std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp);

// Returns a failed call's report: `error: <CODE_NAME>: <message>`, then one
// line per decoded detail: `reason: X`, `domain: Y`, `retry after: 3s`,
// `field <f>: <description>`.
std::string FormatError(const grpc::Status& status);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_OUTPUT_FORMAT_H_
