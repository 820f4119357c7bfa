#include "server/common/time_conversion.h"

#include "absl/status/status.h"

namespace vercel_tokens {
namespace {

// Timestamp's range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

}  // namespace

absl::StatusOr<google::protobuf::Timestamp> MillisToTimestamp(int64_t millis) {
  int64_t seconds = millis / 1000;
  int64_t remainder = millis % 1000;
  if (remainder < 0) {
    remainder += 1000;
    seconds -= 1;
  }
  if (seconds < kMinSeconds || seconds > kMaxSeconds) {
    return absl::InvalidArgumentError(
        "milliseconds out of the range of google.protobuf.Timestamp");
  }
  google::protobuf::Timestamp out;
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(remainder * 1000000));
  return out;
}

absl::StatusOr<int64_t> TimestampToMillis(
    const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() < kMinSeconds || timestamp.seconds() > kMaxSeconds ||
      timestamp.nanos() < 0 || timestamp.nanos() > 999999999) {
    return absl::InvalidArgumentError("not a valid google.protobuf.Timestamp");
  }
  return timestamp.seconds() * 1000 + timestamp.nanos() / 1000000;
}

}  // namespace vercel_tokens
