#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_HEALTH_CHECK_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_HEALTH_CHECK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace vercel_tokens {

// grpc.health.v1.HealthCheckResponse.ServingStatus, with the same numbers.
enum class ServingStatus {
  kUnknown = 0,
  kServing = 1,
  kNotServing = 2,
  kServiceUnknown = 3,
};

// Returns the proto name of `status`, e.g. `SERVING`.
absl::string_view ServingStatusName(ServingStatus status);

// Encodes grpc.health.v1.HealthCheckRequest{service} in the protobuf wire
// format. Debian's gRPC ships no generated health protos, so the two
// one-field messages are encoded by hand.
std::string EncodeHealthCheckRequest(absl::string_view service);

// Decodes grpc.health.v1.HealthCheckResponse from the protobuf wire format.
// Unknown fields are skipped and unknown status numbers read as kUnknown;
// bytes that are not a protobuf message are an InvalidArgumentError.
absl::StatusOr<ServingStatus> DecodeHealthCheckResponse(
    absl::string_view bytes);

// Calls grpc.health.v1.Health/Check for `service` ("" means the whole
// server) over `channel`, blocking for at most `timeout`. On OK, sets
// `*serving_status`. With `wait_for_ready`, a server that cannot be reached
// yet (connection refused, a TLS handshake that fails, as across a
// certificate rotation until the server serves the new certificate) is
// tried again, with the channel's reconnect backoff, until `timeout`
// instead of failing at once. Thread-safe; shares ownership of the channel
// only for the duration of the call.
grpc::Status CheckHealth(std::shared_ptr<grpc::ChannelInterface> channel,
                         absl::string_view service, absl::Duration timeout,
                         ServingStatus* serving_status,
                         bool wait_for_ready = false);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_HEALTH_CHECK_H_
