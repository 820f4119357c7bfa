#include "server/rpc/upstream_call.h"

#include <random>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/service_error.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kVercelIdHeader = "x-vercel-id";
constexpr absl::string_view kRateLimitHeaders[] = {
    "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"};

bool IsSuccess(long http_status) {
  return http_status >= 200 && http_status < 300;
}

// The metrics label of an upstream outcome: the HTTP status, or what went
// wrong with the transfer.
std::string OutcomeLabel(const absl::StatusOr<UpstreamResponse>& result) {
  if (result.ok()) return absl::StrCat(result->http_status);
  switch (result.status().code()) {
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

grpc::ServerUnaryReactor* UpstreamCall::Start(UpstreamCallParams params,
                                              UpstreamRequest first,
                                              OnUpstreamSuccess on_success) {
  auto* call = new UpstreamCall(std::move(params), std::move(on_success));
  call->Submit(std::move(first), absl::InfinitePast());
  return call;
}

grpc::ServerUnaryReactor* UpstreamCall::Reject(UpstreamCallParams params,
                                               const absl::Status& status) {
  auto* call = new UpstreamCall(std::move(params), nullptr);
  call->FinishWith(status, nullptr);
  return call;
}

UpstreamCall::UpstreamCall(UpstreamCallParams params,
                           OnUpstreamSuccess on_success)
    : params_(std::move(params)), on_success_(std::move(on_success)) {
  params_.metrics->CallStarted(params_.method);
}

void UpstreamCall::Submit(UpstreamRequest request, absl::Time not_before) {
  absl::Status failure;
  {
    // Held across HttpClient::Submit so that OnCancel sees either no
    // transfer or this one; Submit never runs the callback inline.
    absl::MutexLock lock(&mu_);
    if (cancelled_) {
      failure = absl::CancelledError("the call was cancelled");
    } else {
      ++attempts_;
      const absl::Time sent = std::max(absl::Now(), not_before);
      UpstreamRequest copy = request;
      absl::StatusOr<uint64_t> id = params_.http->Submit(
          std::move(copy), params_.deadline,
          [this, request = std::move(request),
           sent](absl::StatusOr<UpstreamResponse> result) mutable {
            OnResult(std::move(request), sent, std::move(result));
          },
          not_before);
      if (id.ok()) {
        transfer_id_ = *id;
        return;
      }
      failure = id.status();
    }
  }
  FinishWith(MapTransportError(failure), nullptr);
}

void UpstreamCall::OnCancel() {
  uint64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    cancelled_ = true;
    id = transfer_id_;
  }
  if (id != 0) params_.http->Cancel(id);
}

void UpstreamCall::OnDone() { delete this; }

void UpstreamCall::OnResult(UpstreamRequest request, absl::Time sent,
                            absl::StatusOr<UpstreamResponse> result) {
  const absl::Time now = absl::Now();
  ++upstream_requests_;
  upstream_status_ = OutcomeLabel(result);
  params_.metrics->UpstreamFinished(request.endpoint, upstream_status_,
                                    now - sent);
  if (std::optional<absl::Duration> delay =
          NextRetryDelay(params_.retry_policy, request.idempotent, attempts_,
                         result, now, params_.deadline, Jitter());
      delay.has_value()) {
    params_.metrics->UpstreamRetried(request.endpoint);
    Submit(std::move(request), now + *delay);
    return;
  }
  attempts_ = 0;
  if (!result.ok()) {
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

void UpstreamCall::FinishWith(absl::Status status,
                              const UpstreamResponse* last_response) {
  std::optional<std::string> vercel_request_id;
  if (last_response != nullptr) {
    vercel_request_id = VercelRequestId(*last_response);
    if (vercel_request_id.has_value()) {
      params_.context->AddInitialMetadata(std::string(kVercelIdHeader),
                                          *vercel_request_id);
      if (!status.ok()) {
        status = WithErrorMetadata(std::move(status), "vercel_request_id",
                                   *vercel_request_id);
      }
    }
    for (absl::string_view name : kRateLimitHeaders) {
      // Only integers are relayed: anything else could be invalid as
      // gRPC metadata.
      int64_t number = 0;
      if (auto value = last_response->Header(name);
          value.has_value() && absl::SimpleAtoi(*value, &number)) {
        params_.context->AddInitialMetadata(std::string(name),
                                            absl::StrCat(number));
      }
    }
  }
  const absl::Duration latency = absl::Now() - params_.start;
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
         {"peer", absl::string_view(params_.context->peer())},
         {"vercel_request_id",
          absl::string_view(vercel_request_id.value_or(""))},
         {"error", status.message()}});
  }
  Finish(ToGrpcStatus(status));
}

}  // namespace vercel_tokens
