#include "server/rpc/health.h"

namespace vercel_tokens {

void ReportServing(grpc::HealthCheckServiceInterface& health) {
  health.SetServingStatus(true);
  health.SetServingStatus(kLivenessService, true);
  health.SetServingStatus(kReadinessService, true);
}

void ReportDraining(grpc::HealthCheckServiceInterface& health) {
  // One service at a time: SetServingStatus(bool) would set liveness too.
  health.SetServingStatus("", false);
  health.SetServingStatus(kReadinessService, false);
}

}  // namespace vercel_tokens
