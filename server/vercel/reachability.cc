#include "server/vercel/reachability.h"

namespace vercel_tokens {

Reach ReachOf(const absl::StatusOr<UpstreamResponse>& result) {
  if (result.ok()) return Reach::kReached;
  if (result.status().GetPayload(kNotConnectedPayload).has_value()) {
    return Reach::kNotReached;
  }
  return Reach::kUnknown;
}

std::optional<bool> ReachabilityWindow::Record(Reach reach, absl::Time now) {
  bool reachable = reachable_;
  switch (reach) {
    case Reach::kReached:
      last_reached_ = std::max(last_reached_, now);
      reachable = true;
      break;
    case Reach::kNotReached:
      if (now - last_reached_ > window_) reachable = false;
      break;
    case Reach::kUnknown:
      break;
  }
  if (reachable == reachable_) return std::nullopt;
  reachable_ = reachable;
  return reachable;
}

UpstreamReachability::UpstreamReachability(absl::Duration window,
                                           Logger* logger, Metrics* metrics)
    : logger_(logger), metrics_(metrics), window_(window) {
  metrics_->SetUpstreamReachable(true);
}

void UpstreamReachability::Record(
    const absl::StatusOr<UpstreamResponse>& result, absl::Time now) {
  std::optional<bool> changed;
  {
    absl::MutexLock lock(&mu_);
    changed = window_.Record(ReachOf(result), now);
    // Set under the lock, so that the gauge ends with the last change.
    if (changed.has_value()) metrics_->SetUpstreamReachable(*changed);
  }
  if (!changed.has_value()) return;
  if (*changed) {
    logger_->Log(LogLevel::kInfo, "upstream reachable");
  } else {
    logger_->Log(LogLevel::kWarning, "upstream unreachable",
                 {{"error", result.status().message()}});
  }
}

}  // namespace vercel_tokens
