#include "server/rpc/in_flight_limiter.h"

#include <utility>

#include "server/common/service_error.h"

namespace vercel_tokens {

InFlightLimiter::Permit& InFlightLimiter::Permit::operator=(
    Permit&& other) noexcept {
  if (this != &other) {
    if (limiter_ != nullptr) limiter_->Release();
    limiter_ = std::exchange(other.limiter_, nullptr);
  }
  return *this;
}

InFlightLimiter::Permit::~Permit() {
  if (limiter_ != nullptr) limiter_->Release();
}

std::optional<InFlightLimiter::Permit> InFlightLimiter::TryAcquire() {
  int current = in_flight_.load(std::memory_order_relaxed);
  do {
    if (current >= max_) return std::nullopt;
  } while (!in_flight_.compare_exchange_weak(current, current + 1,
                                             std::memory_order_acq_rel,
                                             std::memory_order_relaxed));
  return Permit(this);
}

absl::Status ServerOverloadedError() {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kResourceExhausted;
  spec.message = "the server is serving as many calls as it may; retry later";
  spec.reason = "SERVER_OVERLOADED";
  spec.retry_delay = kOverloadedRetryDelay;
  return MakeError(spec);
}

}  // namespace vercel_tokens
