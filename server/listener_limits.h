#ifndef VERCEL_USER_TOKENS_SERVER_LISTENER_LIMITS_H_
#define VERCEL_USER_TOKENS_SERVER_LISTENER_LIMITS_H_

#include "grpcpp/server_builder.h"
#include "server/config.h"

namespace vercel_tokens {

// The largest header list (metadata) a client may send on one call: 16 KiB,
// twice gRPC's default. The service's metadata is an authorization header
// of at most 4 KiB (a Vercel token) or an x-workload-token of at most 8 KiB
// (jwt.h kMaxWorkloadTokenBytes), plus a few short headers. The room above
// 8 KiB lets a token somewhat over its own bound reach the identity chain
// and be refused as WORKLOAD_TOKEN_INVALID, which says what is wrong; a
// header list over 16 KiB is still refused by gRPC, RESOURCE_EXHAUSTED,
// before any of it is read. Each stream holds at most this much header
// memory, under the listener's resource quota.
inline constexpr int kMaxHeaderListBytes = 16 << 10;

// Bounds what clients can make the gRPC listener hold, from `config`: the
// request message size (--max_request_bytes), no compressed requests (a
// small gzip message would inflate in full before its size is checked),
// streams per connection (--max_concurrent_streams), the memory gRPC's
// transport may use (--grpc_memory_limit_bytes), the time a new connection
// has to finish its handshake (--handshake_timeout), how long a connection
// may stay without calls (--max_connection_idle), and the header list size
// (kMaxHeaderListBytes). Call before builder.BuildAndStart().
void ApplyListenerLimits(const ServerConfig& config,
                         grpc::ServerBuilder& builder);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_LISTENER_LIMITS_H_
