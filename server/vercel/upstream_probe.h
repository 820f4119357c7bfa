#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_UPSTREAM_PROBE_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_UPSTREAM_PROBE_H_

#include <cstdint>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/periodic_task.h"
#include "server/vercel/reachability.h"
#include "server/vercel/transport.h"

namespace vercel_tokens {

// The request the probe sends: `GET /v2/user` without credentials, which
// Vercel answers at once with a small 403 (missingToken). Any HTTP answer
// counts as reached; it is never retried and never counted as a call.
UpstreamRequest ProbeRequest();

// Keeps vercel_tokens_upstream_reachable true to the Vercel API without any
// traffic: at start and then every `interval`, sends ProbeRequest() through
// `transport` (on the HTTP client's event loops, never on a gRPC thread) and
// records its outcome in `reachability`, as a call's request would be. At
// most one probe is in flight; each must finish within min(interval, 10 s).
// Bounded: one small request per interval per replica.
//
// transport and reachability are borrowed and must outlive the probe. The
// destructor stops the timer thread, cancels a probe in flight and waits for
// its callback, so destroy the probe before shutting the transport down.
// Thread-safe.
class UpstreamProbe {
 public:
  UpstreamProbe(UpstreamTransport* transport,
                UpstreamReachability* reachability, absl::Duration interval);
  ~UpstreamProbe();

  UpstreamProbe(const UpstreamProbe&) = delete;
  UpstreamProbe& operator=(const UpstreamProbe&) = delete;

 private:
  // Sends a probe unless one is in flight; runs on the timer thread.
  void Send();

  UpstreamTransport* const transport_;
  UpstreamReachability* const reachability_;
  const absl::Duration timeout_;
  absl::Mutex mu_;
  // The probe in flight, if any.
  std::optional<uint64_t> in_flight_ ABSL_GUARDED_BY(mu_);
  // Declared last, so that it stops before the members Send uses go.
  std::unique_ptr<PeriodicTask> timer_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_UPSTREAM_PROBE_H_
