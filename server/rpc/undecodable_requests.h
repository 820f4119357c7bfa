#ifndef VERCEL_USER_TOKENS_SERVER_RPC_UNDECODABLE_REQUESTS_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_UNDECODABLE_REQUESTS_H_

#include "grpcpp/support/server_interceptor.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"

namespace vercel_tokens {

// Gives a call of UserTokensService whose request message cannot be decoded
// (bytes that are no protobuf message, a string field that is not UTF-8)
// what every other call gets: status INVALID_ARGUMENT (reason
// MALFORMED_REQUEST) instead of gRPC's bare UNIMPLEMENTED, one `call` log
// line and its metrics. Such a call never reaches a handler.
//
// Register with ServerBuilder::experimental().SetInterceptorCreators. The
// logger and metrics are borrowed and must outlive the server. Thread-safe;
// each interceptor it creates serves one call.
class UndecodableRequestInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  UndecodableRequestInterceptorFactory(Logger* logger, Metrics* metrics)
      : logger_(logger), metrics_(metrics) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Logger* const logger_;
  Metrics* const metrics_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_UNDECODABLE_REQUESTS_H_
