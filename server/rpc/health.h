#ifndef VERCEL_USER_TOKENS_SERVER_RPC_HEALTH_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_HEALTH_H_

#include "grpcpp/health_check_service_interface.h"

namespace vercel_tokens {

// Named services of grpc.health.v1.Health, for Kubernetes probes:
//
//   liveness   SERVING while the process runs, draining included
//   readiness  SERVING while the server wants calls; NOT_SERVING from the
//              first stop signal on
//
// The whole server ("") follows readiness, as it did before the two names
// existed. Whether Vercel can be reached is deliberately not part of either:
// every replica would leave at once (see vercel/reachability.h).
inline constexpr char kLivenessService[] = "liveness";
inline constexpr char kReadinessService[] = "readiness";

// Reports the server started: every service SERVING.
void ReportServing(grpc::HealthCheckServiceInterface& health);

// Reports the server draining: readiness and "" NOT_SERVING, liveness still
// SERVING.
void ReportDraining(grpc::HealthCheckServiceInterface& health);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_HEALTH_H_
