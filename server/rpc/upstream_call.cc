#include "server/rpc/upstream_call.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/alarm.h"
#include "grpcpp/grpcpp.h"
#include "server/common/service_error.h"
#include "server/vercel/error_mapping.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kVercelIdHeader = "x-vercel-id";
constexpr absl::string_view kRateLimitHeaders[] = {
    "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"};

bool IsSuccess(long http_status) {
  return http_status >= 200 && http_status < 300;
}

// What went wrong with a transfer that got no answer, as a label.
std::string TransportFailureLabel(const absl::Status& failure) {
  switch (failure.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      return "timeout";
    case absl::StatusCode::kCancelled:
      return "cancelled";
    case absl::StatusCode::kResourceExhausted:
      return "too_large";
    default:
      return "unavailable";
  }
}

// An upstream outcome for the call's log line: the HTTP status, or what
// went wrong with the transfer.
std::string OutcomeLabel(const absl::StatusOr<UpstreamResponse>& result) {
  if (result.ok()) return absl::StrCat(result->http_status);
  return TransportFailureLabel(result.status());
}

// The same for the `status` metric label: bounded whatever the upstream
// answers (HttpStatusLabel).
std::string MetricStatusLabel(const absl::StatusOr<UpstreamResponse>& result) {
  if (result.ok()) return HttpStatusLabel(result->http_status);
  return TransportFailureLabel(result.status());
}

// Errors the caller could fix or expect are logged at info; the rest say
// something about this service or Vercel, at warning.
LogLevel LevelFor(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kDataLoss:
      return LogLevel::kWarning;
    default:
      return LogLevel::kInfo;
  }
}

double Jitter() {
  thread_local std::minstd_rand engine{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

}  // namespace

absl::Time UpstreamDeadline(absl::Time start, absl::Time deadline) {
  if (deadline == absl::InfiniteFuture()) return deadline;
  const absl::Duration margin =
      std::min(absl::Milliseconds(250), (deadline - start) / 20);
  return deadline - std::max(margin, absl::ZeroDuration());
}

UpstreamCall* CallReactor::Adopt(UpstreamCallParams params,
                                 OnUpstreamSuccess on_success) {
  const bool expires = static_cast<bool>(params.on_orphan);
  auto call = std::make_unique<UpstreamCall>(
      std::move(params), std::move(on_success),
      [this](CallOutcome outcome) { Complete(std::move(outcome)); });
  UpstreamCall* adopted = call.get();
  adopted->SetOnReleased([this] {
    bool armed = false;
    {
      absl::MutexLock lock(&mu_);
      armed = armed_;
    }
    // Outside the lock: a cancelled alarm's callback takes it (Unref).
    if (armed) alarm_.Cancel();
    Unref();
  });
  // A caller whose deadline passed while the call was being identified is
  // gone, even if gRPC has not said so (OnCancel) yet: nothing goes
  // upstream for it.
  const auto deadline = context_->deadline();
  const bool expired =
      deadline != std::chrono::system_clock::time_point::max() &&
      deadline <= std::chrono::system_clock::now();
  bool cancelled = false;
  {
    absl::MutexLock lock(&mu_);
    call_ = std::move(call);
    ++refs_;
    cancelled = cancelled_ || expired;
    // Answers the caller at the call's upstream deadline (UpstreamCall::
    // Expire); armed before the call runs, which may release it.
    if (expires && adopted->upstream_deadline() != absl::InfiniteFuture()) {
      armed_ = true;
      ++refs_;
      alarm_.Set(absl::ToChronoTime(adopted->upstream_deadline()),
                 [this, adopted](bool fired) {
                   if (fired) adopted->Expire();
                   Unref();
                 });
    }
  }
  if (cancelled) adopted->Cancel();
  return adopted;
}

void CallReactor::Start(UpstreamCallParams params, UpstreamRequest first,
                        OnUpstreamSuccess on_success) {
  Adopt(std::move(params), std::move(on_success))->Run(std::move(first));
}

UpstreamCall* CallReactor::Defer(UpstreamCallParams params,
                                 OnUpstreamSuccess on_success) {
  return Adopt(std::move(params), std::move(on_success));
}

void CallReactor::Reject(UpstreamCallParams params,
                         const absl::Status& status) {
  Adopt(std::move(params), nullptr)->Fail(status);
}

void CallReactor::Attach(std::shared_ptr<void> keep,
                         absl::AnyInvocable<void()> on_cancel) {
  bool cancelled = false;
  {
    absl::MutexLock lock(&mu_);
    keep_ = std::move(keep);
    cancelled = cancelled_;
    if (!cancelled) on_cancel_ = std::move(on_cancel);
  }
  if (cancelled) on_cancel();
}

void CallReactor::Complete(CallOutcome outcome) {
  for (auto& [name, value] : outcome.initial_metadata) {
    context_->AddInitialMetadata(std::move(name), std::move(value));
  }
  Finish(ToGrpcStatus(outcome.status));
}

void CallReactor::OnCancel() {
  UpstreamCall* call = nullptr;
  absl::AnyInvocable<void()> on_cancel;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    call = call_.get();
    on_cancel = std::move(on_cancel_);
  }
  if (call != nullptr) call->Cancel();
  if (on_cancel) on_cancel();
}

void CallReactor::Unref() {
  bool last = false;
  {
    absl::MutexLock lock(&mu_);
    last = --refs_ == 0;
  }
  if (last) delete this;
}

UpstreamCall::UpstreamCall(UpstreamCallParams params,
                           OnUpstreamSuccess on_success, OnDone on_done)
    : params_(std::move(params)),
      upstream_deadline_(UpstreamDeadline(params_.start, params_.deadline)),
      on_success_(std::move(on_success)),
      on_done_(std::move(on_done)) {
  params_.metrics->CallStarted(params_.method);
}

void UpstreamCall::Run(UpstreamRequest first) {
  Submit(std::move(first), absl::InfinitePast());
}

void UpstreamCall::Fail(const absl::Status& status) {
  FinishWith(status, nullptr);
}

void UpstreamCall::Submit(UpstreamRequest request, absl::Time not_before) {
  request.traceparent = params_.traceparent;
  absl::Status failure;
  {
    // Held across UpstreamTransport::Submit so that Cancel sees either no
    // transfer or this one; Submit never runs the callback inline.
    absl::MutexLock lock(&mu_);
    if (cancelled_) {
      failure = absl::CancelledError("the call was cancelled");
    } else {
      ++attempts_;
      const absl::Time sent = std::max(params_.clock->Now(), not_before);
      UpstreamRequest copy = request;
      // A transfer that may create what nobody would hold (on_orphan) may
      // run past the caller's deadline; others end a little before it, so
      // that the call can still answer.
      const absl::Time transfer_deadline =
          params_.on_orphan ? params_.deadline + params_.orphan_grace
                            : upstream_deadline_;
      absl::StatusOr<uint64_t> id = params_.transport->Submit(
          std::move(copy), transfer_deadline,
          [this, request = std::move(request),
           sent](absl::StatusOr<UpstreamResponse> result) mutable {
            OnResult(std::move(request), sent, std::move(result));
          },
          not_before);
      if (id.ok()) {
        transfer_id_ = *id;
        in_result_ = false;
        return;
      }
      failure = id.status();
    }
  }
  FinishWith(MapTransportError(failure), nullptr);
}

void UpstreamCall::Cancel() {
  uint64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    id = transfer_id_;
  }
  // A transfer that may create what nobody would hold runs on (its result
  // goes to on_orphan).
  if (id != 0 && !params_.on_orphan) params_.transport->Cancel(id);
}

void UpstreamCall::Expire() {
  {
    absl::MutexLock lock(&mu_);
    if (answered_ || in_result_ || transfer_id_ == 0) return;
    answered_ = true;
  }
  FinishWith(MapTransportError(absl::DeadlineExceededError(
                 "Vercel did not answer before the deadline")),
             nullptr, /*settled=*/false);
}

void UpstreamCall::OnLateResult(
    const absl::StatusOr<UpstreamResponse>& result) {
  absl::Status settled =
      absl::CancelledError("the caller had its answer before Vercel answered");
  if (result.ok() && IsSuccess(result->http_status)) {
    params_.on_orphan(*result);
  } else if (!result.ok()) {
    settled = result.status();
    if (params_.on_abandoned &&
        (result.status().code() == absl::StatusCode::kDeadlineExceeded ||
         result.status().code() == absl::StatusCode::kCancelled)) {
      params_.on_abandoned(result.status());
    }
  }
  if (params_.on_settled) params_.on_settled(settled);
  if (on_released_) std::move(on_released_)();
}

bool UpstreamCall::CallerGone(absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return true;
  }
  // Past the caller's own deadline gRPC is about to cancel the call; past
  // only the server's default deadline the caller still waits.
  return now > params_.deadline && params_.context != nullptr &&
         params_.context->deadline() !=
             std::chrono::system_clock::time_point::max();
}
void UpstreamCall::OnResult(UpstreamRequest request, absl::Time sent,
                            absl::StatusOr<UpstreamResponse> result) {
  bool late = false;
  {
    absl::MutexLock lock(&mu_);
    late = answered_;
    if (!late) in_result_ = true;
  }
  const absl::Time now = params_.clock->Now();
  ++upstream_requests_;
  upstream_status_ = OutcomeLabel(result);
  params_.metrics->UpstreamFinished(request.endpoint, MetricStatusLabel(result),
                                    now - sent);
  if (params_.reachability != nullptr) {
    params_.reachability->Record(result, now);
  }
  if (late) {
    OnLateResult(result);
    return;
  }
  if (std::optional<absl::Duration> delay =
          NextRetryDelay(params_.retry_policy, request.idempotent, attempts_,
                         result, now, upstream_deadline_, Jitter());
      delay.has_value()) {
    params_.metrics->UpstreamRetried(request.endpoint);
    Submit(std::move(request), now + *delay);
    return;
  }
  attempts_ = 0;
  if (params_.on_orphan && result.ok() && IsSuccess(result->http_status) &&
      CallerGone(now)) {
    params_.on_orphan(*result);
    FinishWith(absl::CancelledError("the caller was gone when Vercel answered"),
               &*result);
    return;
  }
  if (!result.ok()) {
    if (params_.on_abandoned &&
        (result.status().code() == absl::StatusCode::kDeadlineExceeded ||
         result.status().code() == absl::StatusCode::kCancelled)) {
      params_.on_abandoned(result.status());
    }
    FinishWith(MapTransportError(result.status()), nullptr);
    return;
  }
  if (!IsSuccess(result->http_status)) {
    FinishWith(
        MapUpstreamError(params_.error_context, *result, params_.secrets, now),
        &*result);
    return;
  }
  absl::StatusOr<std::optional<UpstreamRequest>> next =
      on_success_(request, *result);
  if (!next.ok()) {
    FinishWith(next.status(), &*result);
  } else if (next->has_value()) {
    Submit(**std::move(next), absl::InfinitePast());
  } else {
    FinishWith(absl::OkStatus(), &*result);
  }
}

void UpstreamCall::FinishWith(const absl::Status& status,
                              const UpstreamResponse* last_response,
                              bool settled) {
  {
    absl::MutexLock lock(&mu_);
    answered_ = true;
  }
  CallOutcome outcome;
  outcome.status = status;
  std::optional<std::string> vercel_request_id;
  if (last_response != nullptr) {
    vercel_request_id = VercelRequestId(*last_response);
    if (vercel_request_id.has_value()) {
      outcome.initial_metadata.emplace_back(std::string(kVercelIdHeader),
                                            *vercel_request_id);
      if (!outcome.status.ok()) {
        outcome.status = WithErrorMetadata(
            std::move(outcome.status), "vercel_request_id", *vercel_request_id);
      }
    }
    for (absl::string_view name : kRateLimitHeaders) {
      // Only integers are relayed: anything else could be invalid as
      // gRPC metadata.
      int64_t number = 0;
      if (auto value = last_response->Header(name);
          value.has_value() && absl::SimpleAtoi(*value, &number)) {
        outcome.initial_metadata.emplace_back(std::string(name),
                                              absl::StrCat(number));
      }
    }
  }
  const absl::Duration latency = params_.clock->Now() - params_.start;
  const std::string code = absl::StatusCodeToString(status.code());
  params_.metrics->CallFinished(params_.method, code, latency);
  const LogLevel level = LevelFor(status.code());
  if (params_.logger->Enabled(level)) {
    params_.logger->Log(
        level, "call",
        {{"method", params_.method},
         {"code", absl::string_view(code)},
         {"latency_ms", absl::ToDoubleMilliseconds(latency)},
         {"upstream_requests", int64_t{upstream_requests_}},
         {"upstream_status", absl::string_view(upstream_status_)},
         {"peer", absl::string_view(params_.peer)},
         {"vercel_request_id",
          absl::string_view(vercel_request_id.value_or(""))},
         {"caller", absl::string_view(params_.caller)},
         {"caller_source", params_.caller_source},
         {"traceparent", absl::string_view(params_.traceparent)},
         {"error", status.message()}});
  }
  if (params_.on_finish) {
    params_.on_finish(status, vercel_request_id.value_or(""));
  }
  if (settled && params_.on_settled) params_.on_settled(status);
  std::move(on_done_)(std::move(outcome));
  if (settled && on_released_) std::move(on_released_)();
}

}  // namespace vercel_tokens
