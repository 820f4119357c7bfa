#ifndef VERCEL_USER_TOKENS_SERVER_RPC_UPSTREAM_CALL_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_UPSTREAM_CALL_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/alarm.h"
#include "grpcpp/grpcpp.h"
#include "server/common/clock.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/vercel/error_mapping.h"
#include "server/vercel/reachability.h"
#include "server/vercel/retry_policy.h"
#include "server/vercel/transport.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// Decides what a 2xx upstream response to `sent` means for the RPC: fills
// the RPC's response and returns nullopt when the call is done, returns the
// next request to send (e.g. the next page of a listing), or returns an
// error. Runs on a transport thread; must not block.
using OnUpstreamSuccess =
    absl::AnyInvocable<absl::StatusOr<std::optional<UpstreamRequest>>(
        const UpstreamRequest& sent, const UpstreamResponse& response)>;

// What an UpstreamCall needs besides its first request. The pointers are
// borrowed and must outlive the call.
struct UpstreamCallParams {
  // The RPC's context (for CallReactor, and the caller's deadline).
  grpc::CallbackServerContext* context = nullptr;
  UpstreamTransport* transport = nullptr;
  const Clock* clock = &Clock::Real();
  Logger* logger = nullptr;
  Metrics* metrics = nullptr;
  RetryPolicy retry_policy;
  // The RPC's short name (GetAuthToken), for logs and metrics.
  absl::string_view method;
  // The caller's address, for the log line.
  std::string peer;
  // When the call arrived.
  absl::Time start;
  // The caller's deadline. Upstream transfers are bounded a little before
  // it (UpstreamDeadline), so that a slow upstream ends the call with this
  // service's answer rather than a bare deadline.
  absl::Time deadline;
  ErrorContext error_context = ErrorContext::kDefault;
  // Strings redacted from any upstream text that reaches an error message.
  std::vector<std::string> secrets;
  // Who calls, printable (identity/caller.h: PrintableIdentity), and the
  // source of that identity (CallerSourceName), for the log line; empty
  // while the call is not identified.
  std::string caller;
  absl::string_view caller_source;
  // Runs once as the call finishes, before Finish, with its status and
  // Vercel's checked request id (VercelRequestId) of the last upstream
  // response, empty when there is none: the audit trail's hook.
  std::function<void(const absl::Status& status,
                     absl::string_view vercel_request_id)>
      on_finish;
  // When set, the call's transfers are not aborted when the caller cancels
  // or its deadline passes: they may run `orphan_grace` past the deadline
  // (UserTokensServiceOptions::orphan_transfer_limit),
  // and a 2xx response that nobody will receive goes to `on_orphan` (which
  // must not block and must not touch the call) before the call finishes
  // CANCELLED. For CreateAuthToken, so that a created token is revoked
  // rather than orphaned.
  std::function<void(const UpstreamResponse& orphaned)> on_orphan;
  // With on_orphan: runs when a transfer ends without an answer because it
  // ran out of time or was cancelled (the HTTP client shutting down), so
  // that a token Vercel may have created is at least recorded. Must not
  // block and must not touch the call.
  std::function<void(const absl::Status& why)> on_abandoned;
  // Runs once when nothing of the call runs any more: just after on_finish
  // for most calls; for a call answered at its deadline while an on_orphan
  // transfer still runs (Expire), when that transfer ends, with a non-OK
  // status. Hooks that must outlive the answer go here (idempotency entries,
  // shutdown's debts); an OK status means the RPC's response is still
  // readable.
  std::function<void(const absl::Status& status)> on_settled;
  absl::Duration orphan_grace = absl::ZeroDuration();
  // The caller's valid W3C traceparent (trace_context.h), or empty: sent
  // with every upstream request and logged.
  std::string traceparent;
  // Told every transfer's outcome; borrowed, may be null.
  UpstreamReachability* reachability = nullptr;
};

// When the upstream transfers of a call that arrived at `start` with
// deadline `deadline` must be done: 5% of the call's time before the
// deadline (at most 250 ms before it), which leaves the call time to answer.
absl::Time UpstreamDeadline(absl::Time start, absl::Time deadline);

// How a call ends: its status (an error carries Vercel's request id in its
// ErrorInfo metadata `vercel_request_id`), and the initial metadata to send
// with it (Vercel's x-ratelimit-* headers and x-vercel-id of the last
// response).
struct CallOutcome {
  absl::Status status;
  std::vector<std::pair<std::string, std::string>> initial_metadata;
};

// The state machine of one unary RPC served by zero or more upstream
// requests, free of gRPC's reactor so that it can be tested in-process with
// a fake transport and clock.
//
// Run submits the first request and returns at once; no thread ever waits.
// Each 2xx response goes to `on_success`; a retryable failure of an
// idempotent request (UpstreamRequest::idempotent) is sent again after a
// backoff (RetryPolicy) by submitting it with a not_before, without blocking
// any thread; any other non-2xx response or failed transfer ends the call
// with MapUpstreamError / MapTransportError. The call ends exactly once, by
// running `on_done` (from a transport thread, or from Run / Fail), after
// counting the call in Metrics and writing one log line (method, code,
// latency, upstream status and count, peer, caller, traceparent, Vercel's
// request id; never a secret). `on_done` runs once; after it the call touches
// nothing but the released hook (SetOnReleased), which is the last thing it
// does and may destroy it.
//
// Cancellation: unless `on_orphan` is set, Cancel aborts the transfer in
// flight (or waiting for its backoff or a connection); its callback then
// receives CANCELLED and ends the call. A cancel and a completing transfer
// race only inside the transport, where whichever comes first wins;
// `cancelled_` also stops a follow-up request (a retry, the next page) from
// being submitted.
//
// Thread-safe: Cancel may be called from any thread at any time while the
// object lives, also after `on_done` has run (then the transport ignores the
// finished transfer's id).
class UpstreamCall {
 public:
  using OnDone = absl::AnyInvocable<void(CallOutcome) &&>;

  UpstreamCall(UpstreamCallParams params, OnUpstreamSuccess on_success,
               OnDone on_done);

  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Starts the call with `first`.
  void Run(UpstreamRequest first);
  // Ends the call at once with `status` (bad input, missing credentials):
  // nothing goes upstream.
  void Fail(const absl::Status& status);
  void Cancel();
  // For a call with on_orphan whose transfer is still in flight at its
  // upstream deadline: answers the caller now with DEADLINE_EXCEEDED
  // (UPSTREAM_TIMEOUT), as any RPC, and leaves the transfer running; its
  // outcome then goes to on_orphan or on_abandoned, then on_settled. Does
  // nothing when the call has ended or is ending.
  void Expire();
  // When the call's upstream transfers must be done (UpstreamDeadline).
  absl::Time upstream_deadline() const { return upstream_deadline_; }
  // Runs last, once nothing of the call runs any more (after on_done, or
  // after a transfer that outlived an Expire). Set before Run by the owner.
  void SetOnReleased(absl::AnyInvocable<void() &&> on_released) {
    on_released_ = std::move(on_released);
  }

 private:
  // Submits `request` to start no earlier than `not_before`, or ends the
  // call when it was cancelled or the transport is shutting down.
  void Submit(UpstreamRequest request, absl::Time not_before);
  // The transport's callback for `request`, sent at `sent`.
  void OnResult(UpstreamRequest request, absl::Time sent,
                absl::StatusOr<UpstreamResponse> result);
  // Whether nobody will receive the call's response: it was cancelled, or
  // its caller's deadline has passed at `now`.
  bool CallerGone(absl::Time now);
  // Answers the call; `settled` when nothing of it runs afterwards.
  void FinishWith(const absl::Status& status,
                  const UpstreamResponse* last_response, bool settled = true);
  // The outcome of a transfer that outlived the call's answer (Expire).
  void OnLateResult(const absl::StatusOr<UpstreamResponse>& result);

  const UpstreamCallParams params_;
  const absl::Time upstream_deadline_;
  OnUpstreamSuccess on_success_;
  OnDone on_done_;
  absl::AnyInvocable<void() &&> on_released_;
  // Touched by one thread at a time: the submitter, then a transport thread.
  int attempts_ = 0;
  int upstream_requests_ = 0;
  std::string upstream_status_;

  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  // The transfer in flight; 0 before the first is submitted.
  uint64_t transfer_id_ ABSL_GUARDED_BY(mu_) = 0;
  // The caller has its answer (FinishWith ran or runs).
  bool answered_ ABSL_GUARDED_BY(mu_) = false;
  // A transfer's result is being handled: Expire stays out.
  bool in_result_ ABSL_GUARDED_BY(mu_) = false;
};

// The gRPC reactor of one unary RPC. The handler creates it and returns it at
// once, before the call is served: identifying the caller may take a network
// round trip (identity/identity_source.h), after which, on whichever thread
// identified it, the call is served by exactly one of Start, Defer, Reject or
// Attach (then Complete).
//
// Owned by gRPC and by its call: it deletes itself once gRPC is done with it
// (OnDone, which gRPC calls after Finish, which only the serving side
// triggers, and after OnCancel has returned), its UpstreamCall, if any, is
// released (nothing of it runs any more, which for a create answered at its
// deadline is when its transfer ends) and its expiry alarm, if any, has fired
// or been cancelled. So the reactor outlives whatever serves it; a caller
// that cancels before the call is served still gets its answer (CANCELLED)
// once it is.
//
// Thread-safe: OnCancel may race with Start, Defer, Reject and Attach;
// whichever comes second sees the other (mu_), and a call started after a
// cancel, or after its caller's deadline, ends CANCELLED without going
// upstream.
class CallReactor final : public grpc::ServerUnaryReactor {
 public:
  explicit CallReactor(grpc::CallbackServerContext* context)
      : context_(context) {}

  CallReactor(const CallReactor&) = delete;
  CallReactor& operator=(const CallReactor&) = delete;

  // Serves the call with an UpstreamCall started with `first`; its outcome
  // becomes the RPC's initial metadata and status. A call with on_orphan is
  // answered at its upstream deadline (UpstreamCall::Expire) if its transfer
  // still runs then.
  void Start(UpstreamCallParams params, UpstreamRequest first,
             OnUpstreamSuccess on_success);
  // As Start, for a call that starts later, e.g. once a shared store has
  // answered: the caller must call exactly one of Run or Fail (Fail with OK
  // finishes with whatever the RPC's response holds) on the returned call,
  // from any thread; until then the reactor and the call live, and a cancel
  // is remembered.
  UpstreamCall* Defer(UpstreamCallParams params, OnUpstreamSuccess on_success);
  // Ends the call at once with `status` (logged and counted as any call):
  // nothing goes upstream.
  void Reject(UpstreamCallParams params, const absl::Status& status);
  // Serves the call by something else (a replayed CreateAuthToken), which
  // must call Complete exactly once. `on_cancel` runs once if the caller
  // cancels (at once if it already has); `keep` lives until OnDone.
  void Attach(std::shared_ptr<void> keep, absl::AnyInvocable<void()> on_cancel);
  // Finishes the RPC with `outcome`. Once; then the reactor may be gone.
  void Complete(CallOutcome outcome);

  void OnCancel() override;
  void OnDone() override { Unref(); }

 private:
  // Takes ownership of a new call, cancelling it when the caller is gone,
  // and arms its expiry alarm.
  UpstreamCall* Adopt(UpstreamCallParams params, OnUpstreamSuccess on_success);
  void Unref();

  grpc::CallbackServerContext* const context_;
  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  std::unique_ptr<UpstreamCall> call_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<void> keep_ ABSL_GUARDED_BY(mu_);
  absl::AnyInvocable<void()> on_cancel_ ABSL_GUARDED_BY(mu_);
  // gRPC's, plus the call's until it is released and the alarm's while it is
  // set.
  int refs_ ABSL_GUARDED_BY(mu_) = 1;
  bool armed_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Alarm alarm_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_UPSTREAM_CALL_H_
