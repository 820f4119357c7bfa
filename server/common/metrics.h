#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace vercel_tokens {

// The service's Prometheus metrics, registered in one registry:
//
//   vercel_tokens_grpc_calls_total{method,code}            counter
//   vercel_tokens_grpc_call_duration_seconds{method}       histogram
//   vercel_tokens_grpc_calls_in_flight{method}             gauge
//   vercel_tokens_upstream_requests_total{endpoint,status} counter
//   vercel_tokens_upstream_request_duration_seconds{endpoint} histogram
//   vercel_tokens_upstream_retries_total{endpoint}         counter
//   vercel_tokens_upstream_queue_length{endpoint}          gauge
//   vercel_tokens_upstream_queue_wait_seconds{endpoint}    histogram
//   vercel_tokens_orphaned_tokens_total{outcome}           counter
//   vercel_tokens_upstream_reachable                       gauge (1 or 0)
//   vercel_tokens_policy_info{sha256}                      gauge (1)
//   vercel_tokens_policy_reload_failures_total             counter
//   vercel_tokens_idempotency_store_commands_total         counter
//   vercel_tokens_idempotency_store_unavailable_total{action} counter
//   vercel_tokens_token_reviews_total{outcome}             counter
//   vercel_tokens_workload_tokens_total{result}            counter
//
// `method` is the RPC's short name (GetAuthToken), `code` a gRPC code name
// (NOT_FOUND), `endpoint` a Vercel route ("GET /v5/user/tokens/{tokenId}"),
// `status` an HTTP status the error mapping names ("404"), else its class
// ("4xx", "other" outside 100..599), or a transport failure ("timeout",
// "cancelled", "unavailable", "too_large"), `outcome` of an orphan "revoked",
// "revoke_failed" or "orphan_unknown" (a create abandoned unanswered: a
// token may exist that nobody holds), `outcome` of a TokenReview
// (authenticated, invalid, expired, audience, forbidden, unavailable),
// `result` how a workload token was decided (cached, shared, verified,
// refused_locally, over_capacity), `sha256` the hex SHA-256 of the policy
// file in force (one series at a time), `action` what a create did when the
// shared idempotency store could not be reached ("refused" or "memory").
// The orphan and idempotency-store series exist at zero from the start, so
// that increase() sees a pod's first event. Label values come from fixed sets,
// so cardinality stays bounded. Thread-safe.
class Metrics {
 public:
  explicit Metrics(std::shared_ptr<prometheus::Registry> registry);

  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  const std::shared_ptr<prometheus::Registry>& registry() const {
    return registry_;
  }

  void CallStarted(absl::string_view method);
  void CallFinished(absl::string_view method, absl::string_view code,
                    absl::Duration latency);
  void UpstreamFinished(absl::string_view endpoint, absl::string_view status,
                        absl::Duration latency);
  void UpstreamRetried(absl::string_view endpoint);

  // The HTTP client's queue of one endpoint: how many requests wait in it
  // for a connection, and how long each waited. The pointers stay valid as
  // long as this object; both are thread-safe.
  struct UpstreamQueue {
    prometheus::Gauge* length;
    prometheus::Histogram* wait;
  };
  UpstreamQueue UpstreamQueueOf(absl::string_view endpoint);
  // A token created for a caller that was gone was revoked, or not.
  void OrphanHandled(bool revoked);
  // A create whose caller was gone was abandoned before Vercel answered.
  void OrphanUnknown();
  // The policy in force is the file whose SHA-256 is `sha256` (hex).
  void SetPolicy(absl::string_view sha256);
  void PolicyReloadFailed();
  // One command sent to the shared idempotency store.
  void IdempotencyStoreCommand();
  // The shared idempotency store could not be reached; the create was
  // refused or remembered in memory only.
  void IdempotencyStoreUnavailable(bool fell_back_to_memory);
  void SetUpstreamReachable(bool reachable);
  // A TokenReview ended with `outcome` (a fixed name, above).
  void TokenReviewed(absl::string_view outcome);
  // A workload token was decided `how` (a fixed name, above).
  void WorkloadTokenDecided(absl::string_view how);

 private:
  const std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& call_duration_;
  prometheus::Family<prometheus::Gauge>& in_flight_;
  prometheus::Family<prometheus::Counter>& upstream_requests_;
  prometheus::Family<prometheus::Histogram>& upstream_duration_;
  prometheus::Family<prometheus::Counter>& upstream_retries_;
  prometheus::Family<prometheus::Gauge>& upstream_queue_length_;
  prometheus::Family<prometheus::Histogram>& upstream_queue_wait_;
  prometheus::Family<prometheus::Counter>& orphans_;
  prometheus::Family<prometheus::Counter>& token_reviews_;
  prometheus::Family<prometheus::Counter>& workload_tokens_;
  prometheus::Gauge& upstream_reachable_;
  prometheus::Family<prometheus::Gauge>& policy_info_;
  prometheus::Counter& policy_reload_failures_;
  prometheus::Counter& store_commands_;
  prometheus::Family<prometheus::Counter>& store_unavailable_;

  absl::Mutex policy_mu_;
  prometheus::Gauge* policy_series_ ABSL_GUARDED_BY(policy_mu_) = nullptr;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_H_
