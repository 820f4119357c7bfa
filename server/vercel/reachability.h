#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_REACHABILITY_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_REACHABILITY_H_

#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// What one transfer's outcome says about reaching the Vercel API.
enum class Reach {
  // Vercel answered (any HTTP status).
  kReached,
  // The transfer never got a connection (kNotConnectedPayload): DNS,
  // connect, proxy or TLS failed, or timed out before connecting.
  kNotReached,
  // Nothing either way (cancelled, body too large, a connection that broke
  // after the request went out).
  kUnknown,
};

// Classifies the outcome HttpClient handed to a transfer's callback. Pure.
Reach ReachOf(const absl::StatusOr<UpstreamResponse>& result);

// Whether Vercel is reachable, from the outcomes of the last `window`:
// reachable after any answer; unreachable after a failure to connect when
// no answer came within the window before it. Starts reachable; unknown
// outcomes change nothing. Pure state machine; not thread-safe.
class ReachabilityWindow {
 public:
  explicit ReachabilityWindow(absl::Duration window) : window_(window) {}

  // Records an outcome at `now`; returns the new state when it changed.
  std::optional<bool> Record(Reach reach, absl::Time now);

  bool reachable() const { return reachable_; }

 private:
  const absl::Duration window_;
  bool reachable_ = true;
  absl::Time last_reached_ = absl::InfinitePast();
};

// Feeds transfer outcomes to a ReachabilityWindow, keeps the gauge
// vercel_tokens_upstream_reachable up to date and logs a line when the state
// changes (`upstream reachable` at info, `upstream unreachable` at warning
// with the failure's message, which never holds a secret). Thread-safe; the
// logger and metrics are borrowed and must outlive it.
class UpstreamReachability {
 public:
  UpstreamReachability(absl::Duration window, Logger* logger, Metrics* metrics);

  UpstreamReachability(const UpstreamReachability&) = delete;
  UpstreamReachability& operator=(const UpstreamReachability&) = delete;

  void Record(const absl::StatusOr<UpstreamResponse>& result, absl::Time now);

 private:
  Logger* const logger_;
  Metrics* const metrics_;
  absl::Mutex mu_;
  ReachabilityWindow window_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_REACHABILITY_H_
