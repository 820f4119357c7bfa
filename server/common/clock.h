#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_CLOCK_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace vercel_tokens {

// The time, injected so that code measuring latencies and deadlines can be
// tested with a clock the test moves. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // absl::Now(). A static instance that lives as long as the program.
  static const Clock& Real();
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_CLOCK_H_
