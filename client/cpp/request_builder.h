#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_REQUEST_BUILDER_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_REQUEST_BUILDER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "cli_options.h"
#include "google/protobuf/timestamp.pb.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

// Builds the request of each `vercel-tokens` subcommand from its flags and
// operands (the positional arguments after the subcommand). Pure functions:
// a missing or malformed argument is an InvalidArgumentError whose message
// says which, and is reported as a usage error.

namespace vercel_tokens {

// Parses an RFC 3339 time such as `2030-01-02T03:04:05Z` or
// `2030-01-02T03:04:05.5+02:00`.
absl::StatusOr<google::protobuf::Timestamp> ParseRfc3339Timestamp(
    absl::string_view text);

// `list`: no operands.
absl::StatusOr<vercel::authentication::v1::ListAuthTokensRequest>
BuildListAuthTokensRequest(const CliOptions& options,
                           absl::Span<const std::string> operands);

// `list-raw`: no operands.
absl::StatusOr<vercel::authentication::v1::ListAuthTokensRawRequest>
BuildListAuthTokensRawRequest(const CliOptions& options,
                              absl::Span<const std::string> operands);

// `get <token_id>`.
absl::StatusOr<vercel::authentication::v1::GetAuthTokenRequest>
BuildGetAuthTokenRequest(const CliOptions& options,
                         absl::Span<const std::string> operands);

// `create --name=N [--expires_at=T] [--type= --client_id= --installation_id=]`.
absl::StatusOr<vercel::authentication::v1::CreateAuthTokenRequest>
BuildCreateAuthTokenRequest(const CliOptions& options,
                            absl::Span<const std::string> operands);

// `delete <token_id>`.
absl::StatusOr<vercel::authentication::v1::DeleteAuthTokenRequest>
BuildDeleteAuthTokenRequest(const CliOptions& options,
                            absl::Span<const std::string> operands);

// `email-login --email=E [--token_name=]`, and the first step of `login`.
absl::StatusOr<vercel::authentication::v1::EmailLoginRequest>
BuildEmailLoginRequest(const CliOptions& options,
                       absl::Span<const std::string> operands);

// `verify`, and the polling step of `login`: `verification_token` is the
// secret read from --verification_token_file, VERCEL_VERIFICATION_TOKEN or
// the EmailLogin response.
absl::StatusOr<vercel::authentication::v1::VerifyTokenRequest>
BuildVerifyTokenRequest(const CliOptions& options,
                        absl::Span<const std::string> operands,
                        absl::string_view verification_token);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_REQUEST_BUILDER_H_
