#include "server/common/metrics.h"

#include <utility>

namespace vercel_tokens {
namespace {

// From 1 ms to about 30 s: Vercel calls take tens to hundreds of
// milliseconds; the tail shows timeouts.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
      0.25,  0.5,    1,     2.5,  5,     10,   30};
  return *buckets;
}

std::string S(absl::string_view v) { return std::string(v); }

}  // namespace

Metrics::Metrics(std::shared_ptr<prometheus::Registry> registry)
    : registry_(std::move(registry)),
      calls_(prometheus::BuildCounter()
                 .Name("vercel_tokens_grpc_calls_total")
                 .Help("gRPC calls finished, by method and status code.")
                 .Register(*registry_)),
      call_duration_(prometheus::BuildHistogram()
                         .Name("vercel_tokens_grpc_call_duration_seconds")
                         .Help("Time from a call's arrival to its status.")
                         .Register(*registry_)),
      in_flight_(prometheus::BuildGauge()
                     .Name("vercel_tokens_grpc_calls_in_flight")
                     .Help("gRPC calls started and not yet finished.")
                     .Register(*registry_)),
      upstream_requests_(
          prometheus::BuildCounter()
              .Name("vercel_tokens_upstream_requests_total")
              .Help("Requests to the Vercel API, by endpoint and HTTP status "
                    "or transport failure.")
              .Register(*registry_)),
      upstream_duration_(
          prometheus::BuildHistogram()
              .Name("vercel_tokens_upstream_request_duration_seconds")
              .Help("Time from handing a request to the HTTP client to its "
                    "outcome.")
              .Register(*registry_)),
      upstream_retries_(prometheus::BuildCounter()
                            .Name("vercel_tokens_upstream_retries_total")
                            .Help("Requests to the Vercel API sent again "
                                  "after a retryable failure.")
                            .Register(*registry_)),
      upstream_queue_length_(
          prometheus::BuildGauge()
              .Name("vercel_tokens_upstream_queue_length")
              .Help("Requests to the Vercel API waiting in the HTTP client's "
                    "queue of their endpoint for a connection.")
              .Register(*registry_)),
      upstream_queue_wait_(
          prometheus::BuildHistogram()
              .Name("vercel_tokens_upstream_queue_wait_seconds")
              .Help("Time a request to the Vercel API waited in its "
                    "endpoint's queue before it was sent (or failed).")
              .Register(*registry_)),
      orphans_(prometheus::BuildCounter()
                   .Name("vercel_tokens_orphaned_tokens_total")
                   .Help("Tokens created for a caller that was gone (cancelled "
                         "or past its deadline), by whether revoking them "
                         "succeeded.")
                   .Register(*registry_)),
      token_reviews_(
          prometheus::BuildCounter()
              .Name("vercel_tokens_token_reviews_total")
              .Help("Kubernetes TokenReviews of workload tokens, by outcome: "
                    "authenticated, invalid, expired, audience, forbidden, "
                    "unavailable.")
              .Register(*registry_)),
      workload_tokens_(
          prometheus::BuildCounter()
              .Name("vercel_tokens_workload_tokens_total")
              .Help("Workload tokens presented, by how they were decided: "
                    "cached, shared (joined a review in flight), verified "
                    "(a new review), refused_locally (no review), "
                    "over_capacity (too many reviews in flight).")
              .Register(*registry_)),
      upstream_reachable_(
          prometheus::BuildGauge()
              .Name("vercel_tokens_upstream_reachable")
              .Help("1 while the Vercel API can be reached, 0 while recent "
                    "requests cannot resolve or connect to it and none got "
                    "an answer.")
              .Register(*registry_)
              .Add({})),
      policy_info_(prometheus::BuildGauge()
                       .Name("vercel_tokens_policy_info")
                       .Help("1, labelled with the SHA-256 of the policy file "
                             "in force; replicas that disagree serve "
                             "different policies.")
                       .Register(*registry_)),
      policy_reload_failures_(
          prometheus::BuildCounter()
              .Name("vercel_tokens_policy_reload_failures_total")
              .Help("Policy file changes or SIGHUPs whose file could not be "
                    "read or parsed: the old policy stayed in force.")
              .Register(*registry_)
              .Add({})),
      store_commands_(
          prometheus::BuildCounter()
              .Name("vercel_tokens_idempotency_store_commands_total")
              .Help("Commands sent to the shared idempotency store (Redis).")
              .Register(*registry_)
              .Add({})),
      store_unavailable_(
          prometheus::BuildCounter()
              .Name("vercel_tokens_idempotency_store_unavailable_total")
              .Help("Creates with a request_id while the shared idempotency "
                    "store could not be reached, by what the server did: "
                    "refused the call, or remembered it in memory only.")
              .Register(*registry_)) {
  for (const char* outcome : {"revoked", "revoke_failed", "orphan_unknown"}) {
    orphans_.Add({{"outcome", outcome}});
  }
  for (const char* action : {"refused", "memory"}) {
    store_unavailable_.Add({{"action", action}});
  }
}

void Metrics::OrphanUnknown() {
  orphans_.Add({{"outcome", "orphan_unknown"}}).Increment();
}

void Metrics::SetPolicy(absl::string_view sha256) {
  absl::MutexLock lock(&policy_mu_);
  if (policy_series_ != nullptr) policy_info_.Remove(policy_series_);
  policy_series_ = &policy_info_.Add({{"sha256", S(sha256)}});
  policy_series_->Set(1);
}

void Metrics::PolicyReloadFailed() { policy_reload_failures_.Increment(); }

void Metrics::IdempotencyStoreCommand() { store_commands_.Increment(); }

void Metrics::IdempotencyStoreUnavailable(bool fell_back_to_memory) {
  store_unavailable_
      .Add({{"action", fell_back_to_memory ? "memory" : "refused"}})
      .Increment();
}

void Metrics::OrphanHandled(bool revoked) {
  orphans_.Add({{"outcome", revoked ? "revoked" : "revoke_failed"}})
      .Increment();
}

void Metrics::TokenReviewed(absl::string_view outcome) {
  token_reviews_.Add({{"outcome", S(outcome)}}).Increment();
}

void Metrics::WorkloadTokenDecided(absl::string_view how) {
  workload_tokens_.Add({{"result", S(how)}}).Increment();
}

void Metrics::CallStarted(absl::string_view method) {
  in_flight_.Add({{"method", S(method)}}).Increment();
}

void Metrics::CallFinished(absl::string_view method, absl::string_view code,
                           absl::Duration latency) {
  in_flight_.Add({{"method", S(method)}}).Decrement();
  calls_.Add({{"method", S(method)}, {"code", S(code)}}).Increment();
  call_duration_.Add({{"method", S(method)}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
}

void Metrics::UpstreamFinished(absl::string_view endpoint,
                               absl::string_view status,
                               absl::Duration latency) {
  upstream_requests_.Add({{"endpoint", S(endpoint)}, {"status", S(status)}})
      .Increment();
  upstream_duration_.Add({{"endpoint", S(endpoint)}}, LatencyBuckets())
      .Observe(absl::ToDoubleSeconds(latency));
}

Metrics::UpstreamQueue Metrics::UpstreamQueueOf(absl::string_view endpoint) {
  return {
      &upstream_queue_length_.Add({{"endpoint", S(endpoint)}}),
      &upstream_queue_wait_.Add({{"endpoint", S(endpoint)}}, LatencyBuckets())};
}

void Metrics::UpstreamRetried(absl::string_view endpoint) {
  upstream_retries_.Add({{"endpoint", S(endpoint)}}).Increment();
}

void Metrics::SetUpstreamReachable(bool reachable) {
  upstream_reachable_.Set(reachable ? 1 : 0);
}

}  // namespace vercel_tokens
