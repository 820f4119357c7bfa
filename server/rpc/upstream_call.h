#ifndef VERCEL_USER_TOKENS_SERVER_RPC_UPSTREAM_CALL_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_UPSTREAM_CALL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/vercel/error_mapping.h"
#include "server/vercel/http_client.h"
#include "server/vercel/retry_policy.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// Decides what a 2xx upstream response to `sent` means for the RPC: fills
// the RPC's response and returns nullopt when the call is done, returns the
// next request to send (e.g. the next page of a listing), or returns an
// error. Runs on the HttpClient's thread; must not block.
using OnUpstreamSuccess =
    absl::AnyInvocable<absl::StatusOr<std::optional<UpstreamRequest>>(
        const UpstreamRequest& sent, const UpstreamResponse& response)>;

// What an UpstreamCall needs besides its first request. The pointers are
// borrowed and must outlive the call.
struct UpstreamCallParams {
  grpc::CallbackServerContext* context = nullptr;
  HttpClient* http = nullptr;
  Logger* logger = nullptr;
  Metrics* metrics = nullptr;
  RetryPolicy retry_policy;
  // The RPC's short name (GetAuthToken), for logs and metrics.
  absl::string_view method;
  // When the call arrived.
  absl::Time start;
  // Bounds every upstream transfer of the call.
  absl::Time deadline;
  ErrorContext error_context = ErrorContext::kDefault;
  // Strings redacted from any upstream text that reaches an error message.
  std::vector<std::string> secrets;
};

// The reactor of one unary RPC served by zero or more upstream requests.
//
// Start submits the first request and returns at once; the gRPC thread never
// waits. Each 2xx response goes to `on_success`; a retryable failure of an
// idempotent request is sent again after a backoff (RetryPolicy) without
// blocking any thread; any other non-2xx response or failed transfer ends the
// call with MapUpstreamError / MapTransportError. The call finishes exactly
// once, from the HttpClient's thread (or from Start / Reject), after copying
// Vercel's x-ratelimit-* headers and its request id (x-vercel-id, also into
// the error's ErrorInfo metadata as vercel_request_id) of the last response
// into initial metadata, counting the call in Metrics and writing one log
// line (method, code, latency, upstream status and count, peer, Vercel's
// request id; never a secret).
//
// Cancellation: OnCancel aborts the transfer in flight (or waiting for its
// backoff); its callback then receives CANCELLED and finishes the call. A
// cancel and a completing transfer race only inside the HttpClient's thread,
// where whichever comes first wins; the loser is a no-op. `cancelled_` also
// stops a follow-up request from being submitted after a cancel.
//
// Lifetime: owned by gRPC from Start / Reject; deletes itself in OnDone,
// which gRPC calls after Finish and after OnCancel has returned. Nothing
// touches it after Finish.
class UpstreamCall final : public grpc::ServerUnaryReactor {
 public:
  static grpc::ServerUnaryReactor* Start(UpstreamCallParams params,
                                         UpstreamRequest first,
                                         OnUpstreamSuccess on_success);

  // Finishes the call at once with `status` (bad input, missing
  // credentials): nothing goes upstream.
  static grpc::ServerUnaryReactor* Reject(UpstreamCallParams params,
                                          const absl::Status& status);

  void OnCancel() override;
  void OnDone() override;

 private:
  UpstreamCall(UpstreamCallParams params, OnUpstreamSuccess on_success);

  // Submits `request` to start no earlier than `not_before`, or finishes the
  // call when it was cancelled or the HttpClient is shutting down.
  void Submit(UpstreamRequest request, absl::Time not_before);
  // The HttpClient's callback for `request`, sent at `sent`.
  void OnResult(UpstreamRequest request, absl::Time sent,
                absl::StatusOr<UpstreamResponse> result);
  void FinishWith(absl::Status status, const UpstreamResponse* last_response);

  const UpstreamCallParams params_;
  OnUpstreamSuccess on_success_;
  // Touched by one thread at a time: the submitter, then the HttpClient's.
  int attempts_ = 0;
  int upstream_requests_ = 0;
  std::string upstream_status_;

  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  // The transfer in flight; 0 before the first is submitted.
  uint64_t transfer_id_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_UPSTREAM_CALL_H_
