#include "server/upstream_call.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/service_error.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kRateLimitHeaders[] = {
    "x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset"};

bool IsSuccess(long http_status) {
  return http_status >= 200 && http_status < 300;
}

}  // namespace

grpc::ServerUnaryReactor* UpstreamCall::Start(UpstreamCallParams params,
                                              UpstreamRequest first,
                                              OnUpstreamSuccess on_success) {
  auto* call = new UpstreamCall(std::move(params), std::move(on_success));
  call->Submit(std::move(first));
  return call;
}

grpc::ServerUnaryReactor* UpstreamCall::Reject(
    grpc::CallbackServerContext* context, const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

UpstreamCall::UpstreamCall(UpstreamCallParams params,
                           OnUpstreamSuccess on_success)
    : params_(std::move(params)), on_success_(std::move(on_success)) {}

void UpstreamCall::Submit(UpstreamRequest request) {
  absl::Status failure;
  {
    // Held across HttpClient::Submit so that OnCancel sees either no
    // transfer or this one; Submit never runs the callback inline.
    absl::MutexLock lock(&mu_);
    if (cancelled_) {
      failure = absl::CancelledError("the call was cancelled");
    } else {
      absl::StatusOr<uint64_t> id =
          params_.http->Submit(std::move(request), params_.deadline,
                               [this](absl::StatusOr<UpstreamResponse> result) {
                                 OnResult(std::move(result));
                               });
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

void UpstreamCall::OnResult(absl::StatusOr<UpstreamResponse> result) {
  if (!result.ok()) {
    FinishWith(MapTransportError(result.status()), nullptr);
    return;
  }
  if (!IsSuccess(result->http_status)) {
    FinishWith(MapUpstreamError(params_.error_context, *result, params_.secrets,
                                absl::Now()),
               &*result);
    return;
  }
  absl::StatusOr<std::optional<UpstreamRequest>> next = on_success_(*result);
  if (!next.ok()) {
    FinishWith(next.status(), &*result);
  } else if (next->has_value()) {
    Submit(**std::move(next));
  } else {
    FinishWith(absl::OkStatus(), &*result);
  }
}

void UpstreamCall::FinishWith(const absl::Status& status,
                              const UpstreamResponse* last_response) {
  if (last_response != nullptr) {
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
  Finish(ToGrpcStatus(status));
}

}  // namespace vercel_tokens
