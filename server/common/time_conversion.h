#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_TIME_CONVERSION_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_TIME_CONVERSION_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "google/protobuf/timestamp.pb.h"

namespace vercel_tokens {

// Converts Vercel's milliseconds since the Unix epoch to a Timestamp,
// exactly. Fails (INVALID_ARGUMENT) outside Timestamp's range, years 1 to
// 9999.
absl::StatusOr<google::protobuf::Timestamp> MillisToTimestamp(int64_t millis);

// Converts a Timestamp to milliseconds since the Unix epoch, rounding toward
// the past. Fails (INVALID_ARGUMENT) when the Timestamp is not valid.
absl::StatusOr<int64_t> TimestampToMillis(
    const google::protobuf::Timestamp& timestamp);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_TIME_CONVERSION_H_
