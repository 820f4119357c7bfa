#include "server/listener_limits.h"

#include "absl/time/time.h"
#include "grpc/compression.h"
#include "grpcpp/resource_quota.h"

namespace vercel_tokens {
namespace {

int Milliseconds(absl::Duration d) {
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

}  // namespace

void ApplyListenerLimits(const ServerConfig& config,
                         grpc::ServerBuilder& builder) {
  builder.SetMaxReceiveMessageSize(static_cast<int>(config.max_request_bytes));
  builder.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_DEFLATE, false);
  builder.SetCompressionAlgorithmSupportStatus(GRPC_COMPRESS_GZIP, false);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS,
                             config.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_MAX_METADATA_SIZE, kMaxHeaderListBytes);
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             Milliseconds(config.handshake_timeout));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             Milliseconds(config.max_connection_idle));
  grpc::ResourceQuota quota("vercel-tokens-server");
  quota.Resize(static_cast<size_t>(config.grpc_memory_limit_bytes));
  builder.SetResourceQuota(quota);
}

}  // namespace vercel_tokens
