#include "request_builder.h"

#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

// Fails unless there are exactly `names.size()` operands; `names` are their
// placeholders, e.g. `<token_id>`.
absl::Status ExpectOperands(absl::Span<const std::string> operands,
                            absl::Span<const absl::string_view> names) {
  if (operands.size() < names.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing ", names[operands.size()]));
  }
  if (operands.size() > names.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", operands[names.size()], "'"));
  }
  return absl::OkStatus();
}

// Fails when the required flag `--name` has an empty `value`.
absl::Status RequireFlag(absl::string_view name, absl::string_view value) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("missing --", name));
  }
  return absl::OkStatus();
}

// Builds the request of a subcommand that takes no operands and only the
// team scope: `list` and `list-raw`.
template <typename Request>
absl::StatusOr<Request> BuildScopedRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  if (absl::Status s = ExpectOperands(operands, {}); !s.ok()) return s;
  Request request;
  request.set_team_id(options.team_id);
  request.set_slug(options.slug);
  return request;
}

// Builds the request of a subcommand that takes one `<token_id>`: `get` and
// `delete`.
template <typename Request>
absl::StatusOr<Request> BuildTokenIdRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  if (absl::Status s = ExpectOperands(operands, {"<token_id>"}); !s.ok()) {
    return s;
  }
  Request request;
  request.set_token_id(operands[0]);
  request.set_team_id(options.team_id);
  request.set_slug(options.slug);
  return request;
}

}  // namespace

absl::StatusOr<google::protobuf::Timestamp> ParseRfc3339Timestamp(
    absl::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, text, &time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", text, "' is not an RFC 3339 time: ", error));
  }
  const int64_t seconds = absl::ToUnixSeconds(time);
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(seconds);
  timestamp.set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
  return timestamp;
}

absl::StatusOr<v1::ListAuthTokensRequest> BuildListAuthTokensRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  return BuildScopedRequest<v1::ListAuthTokensRequest>(options, operands);
}

absl::StatusOr<v1::ListAuthTokensRawRequest> BuildListAuthTokensRawRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  absl::StatusOr<v1::ListAuthTokensRawRequest> request =
      BuildScopedRequest<v1::ListAuthTokensRawRequest>(options, operands);
  if (!request.ok()) return request;
  if (options.limit < 0 || options.limit > 100) {
    return absl::InvalidArgumentError("--limit must be 0 or 1 to 100");
  }
  request->set_limit(options.limit);
  request->set_until(options.until);
  request->set_since(options.since);
  return request;
}

absl::StatusOr<v1::GetAuthTokenRequest> BuildGetAuthTokenRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  return BuildTokenIdRequest<v1::GetAuthTokenRequest>(options, operands);
}

absl::StatusOr<v1::DeleteAuthTokenRequest> BuildDeleteAuthTokenRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  return BuildTokenIdRequest<v1::DeleteAuthTokenRequest>(options, operands);
}

absl::StatusOr<v1::CreateAuthTokenRequest> BuildCreateAuthTokenRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  if (absl::Status s = ExpectOperands(operands, {}); !s.ok()) return s;
  if (absl::Status s = RequireFlag("name", options.name); !s.ok()) return s;
  v1::CreateAuthTokenRequest request;
  request.set_team_id(options.team_id);
  request.set_slug(options.slug);
  request.set_name(options.name);
  if (!options.expires_at.empty()) {
    absl::StatusOr<google::protobuf::Timestamp> expires_at =
        ParseRfc3339Timestamp(options.expires_at);
    if (!expires_at.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--expires_at: ", expires_at.status().message()));
    }
    *request.mutable_expires_at() = *expires_at;
  }
  request.set_type(options.type);
  request.set_client_id(options.client_id);
  request.set_installation_id(options.installation_id);
  if (!options.project_id.empty() && options.team_id.empty()) {
    return absl::InvalidArgumentError(
        "--project_id needs --team_id (a project belongs to a team)");
  }
  request.set_project_id(options.project_id);
  return request;
}

absl::StatusOr<v1::EmailLoginRequest> BuildEmailLoginRequest(
    const CliOptions& options, absl::Span<const std::string> operands) {
  if (absl::Status s = ExpectOperands(operands, {}); !s.ok()) return s;
  if (absl::Status s = RequireFlag("email", options.email); !s.ok()) return s;
  v1::EmailLoginRequest request;
  request.set_email(options.email);
  request.set_token_name(options.token_name);
  return request;
}

absl::StatusOr<v1::VerifyTokenRequest> BuildVerifyTokenRequest(
    const CliOptions& options, absl::Span<const std::string> operands,
    absl::string_view verification_token) {
  if (absl::Status s = ExpectOperands(operands, {}); !s.ok()) return s;
  if (verification_token.empty()) {
    return absl::InvalidArgumentError(
        "missing verification token: pass --verification_token_file or set "
        "VERCEL_VERIFICATION_TOKEN");
  }
  v1::VerifyTokenRequest request;
  request.set_token(std::string(verification_token));
  request.set_email(options.email);
  request.set_token_name(options.token_name);
  request.set_sso_user_id(options.sso_user_id);
  request.set_team_name(options.team_name);
  request.set_team_slug(options.team_slug);
  request.set_team_plan(options.team_plan);
  return request;
}

}  // namespace vercel_tokens
