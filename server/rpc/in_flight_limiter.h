#ifndef VERCEL_USER_TOKENS_SERVER_RPC_IN_FLIGHT_LIMITER_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_IN_FLIGHT_LIMITER_H_

#include <atomic>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace vercel_tokens {

// How long a caller refused by an InFlightLimiter is told to wait (RetryInfo)
// before it tries again.
inline constexpr absl::Duration kOverloadedRetryDelay = absl::Seconds(1);

// Caps how many calls the service serves at once, so that a flood of calls
// is refused at once instead of growing memory.
//
// Each call takes a Permit when it arrives and holds it until the call is
// done (destroying the Permit gives the slot back). Thread-safe and
// lock-free; the limiter must outlive every Permit it handed out.
class InFlightLimiter {
 public:
  // A slot taken from a limiter; move-only. Gives the slot back when
  // destroyed.
  class Permit {
   public:
    Permit(Permit&& other) noexcept
        : limiter_(std::exchange(other.limiter_, nullptr)) {}
    Permit& operator=(Permit&& other) noexcept;
    Permit(const Permit&) = delete;
    Permit& operator=(const Permit&) = delete;
    ~Permit();

   private:
    friend class InFlightLimiter;
    explicit Permit(InFlightLimiter* limiter) : limiter_(limiter) {}
    InFlightLimiter* limiter_;
  };

  // At most `max_in_flight` (positive) permits are out at once.
  explicit InFlightLimiter(int max_in_flight) : max_(max_in_flight) {}
  InFlightLimiter(const InFlightLimiter&) = delete;
  InFlightLimiter& operator=(const InFlightLimiter&) = delete;

  // A permit, or nullopt when `max_in_flight` are already out.
  std::optional<Permit> TryAcquire();

  // Permits out now.
  int in_flight() const { return in_flight_.load(std::memory_order_relaxed); }

 private:
  void Release() { in_flight_.fetch_sub(1, std::memory_order_acq_rel); }

  const int max_;
  std::atomic<int> in_flight_{0};
};

// The error of a call refused by an InFlightLimiter: RESOURCE_EXHAUSTED with
// ErrorInfo reason SERVER_OVERLOADED (domain vercel-user-tokens) and a
// RetryInfo of kOverloadedRetryDelay.
absl::Status ServerOverloadedError();

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_IN_FLIGHT_LIMITER_H_
