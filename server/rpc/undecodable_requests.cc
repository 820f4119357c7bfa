#include "server/rpc/undecodable_requests.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "grpcpp/server_context.h"
#include "server/common/service_error.h"

namespace vercel_tokens {
namespace {

using grpc::experimental::InterceptionHookPoints;

constexpr absl::string_view kServicePrefix =
    "/vercel.authentication.v1.UserTokensService/";

class UndecodableRequestInterceptor final
    : public grpc::experimental::Interceptor {
 public:
  UndecodableRequestInterceptor(grpc::experimental::ServerRpcInfo* info,
                                absl::string_view method, Logger* logger,
                                Metrics* metrics)
      : info_(info),
        method_(method),
        logger_(logger),
        metrics_(metrics),
        start_(absl::Now()) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() == nullptr) {
      undecodable_ = true;
    }
    if (undecodable_ && methods->QueryInterceptionHookPoint(
                            InterceptionHookPoints::PRE_SEND_STATUS)) {
      Reject(methods);
    }
    methods->Proceed();
  }

 private:
  void Reject(grpc::experimental::InterceptorBatchMethods* methods) {
    ErrorSpec spec;
    spec.code = absl::StatusCode::kInvalidArgument;
    spec.message = "the request is not a valid message of this method";
    spec.reason = "MALFORMED_REQUEST";
    const absl::Status status = MakeError(spec);
    methods->ModifySendStatus(ToGrpcStatus(status));
    const absl::Duration latency = absl::Now() - start_;
    const std::string code = absl::StatusCodeToString(status.code());
    metrics_->CallStarted(method_);
    metrics_->CallFinished(method_, code, latency);
    if (logger_->Enabled(LogLevel::kInfo)) {
      logger_->Log(
          LogLevel::kInfo, "call",
          {{"method", method_},
           {"code", absl::string_view(code)},
           {"latency_ms", absl::ToDoubleMilliseconds(latency)},
           {"upstream_requests", int64_t{0}},
           {"upstream_status", absl::string_view()},
           {"peer", absl::string_view(info_->server_context()->peer())},
           {"error", status.message()}});
    }
  }

  grpc::experimental::ServerRpcInfo* const info_;
  const absl::string_view method_;
  Logger* const logger_;
  Metrics* const metrics_;
  const absl::Time start_;
  bool undecodable_ = false;
};

}  // namespace

grpc::experimental::Interceptor*
UndecodableRequestInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  const absl::string_view method = info->method();
  if (info->type() != grpc::experimental::ServerRpcInfo::Type::UNARY ||
      !absl::StartsWith(method, kServicePrefix)) {
    return nullptr;
  }
  return new UndecodableRequestInterceptor(
      info, method.substr(kServicePrefix.size()), logger_, metrics_);
}

}  // namespace vercel_tokens
