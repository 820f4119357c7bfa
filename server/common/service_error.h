#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_SERVICE_ERROR_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_SERVICE_ERROR_H_

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace vercel_tokens {

// The ErrorInfo domain of errors that Vercel reported.
inline constexpr absl::string_view kVercelDomain = "api.vercel.com";
// The ErrorInfo domain of errors this service raises itself (bad input,
// missing credentials, unreachable or misbehaving upstream).
inline constexpr absl::string_view kServiceDomain = "vercel-user-tokens";

// One rejected request field (google.rpc.BadRequest.FieldViolation).
struct FieldViolation {
  std::string field;
  std::string description;
};

// Everything a failure tells the caller. Internally a failure travels as an
// absl::Status whose payloads hold the google.rpc details; ToGrpcStatus turns
// it into the grpc::Status the caller sees.
struct ErrorSpec {
  absl::StatusCode code = absl::StatusCode::kUnknown;
  // Names the problem. Never holds a secret.
  std::string message;
  // google.rpc.ErrorInfo: UPPER_SNAKE reason, domain, metadata.
  std::string reason;
  std::string domain{kServiceDomain};
  std::map<std::string, std::string> metadata;
  // google.rpc.RetryInfo, when waiting can help.
  std::optional<absl::Duration> retry_delay;
  // google.rpc.BadRequest, for INVALID_ARGUMENT.
  std::vector<FieldViolation> field_violations;
};

// Builds the absl::Status that carries `spec`. `spec.code` must not be kOk.
absl::Status MakeError(const ErrorSpec& spec);

// Shorthand for a request field that fails validation: INVALID_ARGUMENT with
// reason INVALID_ARGUMENT and one field violation.
absl::Status InvalidField(absl::string_view field,
                          absl::string_view description);

// Returns the first failure among `checks`, in order, or OK.
absl::Status FirstError(std::initializer_list<absl::Status> checks);

// Returns `status` (not OK) with `key` = `value` added to the metadata of its
// ErrorInfo; one with the reason of its code's name and the service's domain
// is attached first when it has none.
absl::Status WithErrorMetadata(absl::Status status, absl::string_view key,
                               absl::string_view value);

// Converts `status` to the grpc::Status sent to the caller: same code and
// message, and a serialized google.rpc.Status holding every detail attached
// by MakeError. A status built elsewhere gets an ErrorInfo whose reason is
// its code's name, so that every error carries one.
grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_SERVICE_ERROR_H_
