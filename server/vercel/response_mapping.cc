#include "server/vercel/response_mapping.h"

#include <cmath>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/service_error.h"
#include "server/common/time_conversion.h"
#include "server/vercel/vercel_wire.pb.h"
#include "server/vercel/wire_json.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;
namespace wire = ::vercel::authentication::wire;

absl::Status Malformed(absl::string_view what) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kInternal;
  spec.reason = "UPSTREAM_MALFORMED_RESPONSE";
  spec.message =
      absl::StrCat("Vercel API returned an unexpected response: ", what);
  return MakeError(spec);
}

template <typename Wire>
absl::StatusOr<Wire> ParseBody(absl::string_view body) {
  Wire out;
  if (!ParseWireJson(body, &out).ok()) {
    return Malformed(absl::StrCat("the body is not a valid ",
                                  Wire::descriptor()->name(), " JSON object"));
  }
  return out;
}

// Sets the Timestamp field `mutable_field` of `out` from optional
// milliseconds; leaves it unset when absent.
template <typename Out>
absl::Status SetTime(bool has_millis, int64_t millis, absl::string_view field,
                     Out& out,
                     google::protobuf::Timestamp* (Out::*mutable_field)()) {
  if (!has_millis) return absl::OkStatus();
  absl::StatusOr<google::protobuf::Timestamp> t = MillisToTimestamp(millis);
  if (!t.ok()) return Malformed(absl::StrCat(field, " is out of range"));
  *(out.*mutable_field)() = *t;
  return absl::OkStatus();
}

absl::StatusOr<v1::SudoVerification> ToSudo(const wire::Sudo& in) {
  v1::SudoVerification out;
  out.set_origin(in.origin());
  if (auto s =
          FirstError({SetTime(in.has_expires_at(), in.expires_at(),
                              "scopes.sudo.expiresAt", out,
                              &v1::SudoVerification::mutable_expires_at),
                      SetTime(in.has_verified_at(), in.verified_at(),
                              "scopes.sudo.verifiedAt", out,
                              &v1::SudoVerification::mutable_verified_at)});
      !s.ok()) {
    return s;
  }
  return out;
}

absl::StatusOr<v1::TokenScope> ToScope(const wire::Scope& in) {
  v1::TokenScope out;
  out.set_type(in.type());
  out.set_team_id(in.team_id());
  out.set_origin(in.origin());
  if (auto s = FirstError(
          {SetTime(in.has_created_at(), in.created_at(), "scopes.createdAt",
                   out, &v1::TokenScope::mutable_created_at),
           SetTime(in.has_expires_at(), in.expires_at(), "scopes.expiresAt",
                   out, &v1::TokenScope::mutable_expires_at)});
      !s.ok()) {
    return s;
  }
  if (in.has_sudo()) {
    absl::StatusOr<v1::SudoVerification> sudo = ToSudo(in.sudo());
    if (!sudo.ok()) return sudo.status();
    *out.mutable_sudo() = *std::move(sudo);
  }
  return out;
}

absl::StatusOr<v1::AuthToken> ToAuthToken(const wire::AuthToken& in) {
  if (in.id().empty()) return Malformed("a token has no id");
  v1::AuthToken out;
  out.set_id(in.id());
  out.set_name(in.name());
  out.set_type(in.type());
  out.set_origin(in.origin());
  out.set_prefix(in.prefix());
  out.set_suffix(in.suffix());
  out.set_leaked_url(in.leaked_url());
  out.set_project_id(in.project_id());
  for (const wire::Scope& scope_in : in.scopes()) {
    absl::StatusOr<v1::TokenScope> scope = ToScope(scope_in);
    if (!scope.ok()) return scope.status();
    *out.add_scopes() = *std::move(scope);
  }
  if (auto s =
          FirstError({SetTime(in.has_expires_at(), in.expires_at(), "expiresAt",
                              out, &v1::AuthToken::mutable_expires_at),
                      SetTime(in.has_active_at(), in.active_at(), "activeAt",
                              out, &v1::AuthToken::mutable_active_at),
                      SetTime(in.has_created_at(), in.created_at(), "createdAt",
                              out, &v1::AuthToken::mutable_created_at),
                      SetTime(in.has_leaked_at(), in.leaked_at(), "leakedAt",
                              out, &v1::AuthToken::mutable_leaked_at),
                      SetTime(in.has_revoked_at(), in.revoked_at(), "revokedAt",
                              out, &v1::AuthToken::mutable_revoked_at)});
      !s.ok()) {
    return s;
  }
  return out;
}

// A pagination cursor as text: a string as is, a number in decimal (an
// integral one without exponent), nullopt for null or absent. Sets
// `*millis` when the cursor is an integral number, as the seed's int64
// fields carry it.
absl::StatusOr<std::optional<std::string>> CursorText(
    bool present, const google::protobuf::Value& in, absl::string_view field,
    std::optional<int64_t>* millis) {
  *millis = std::nullopt;
  if (!present) return std::optional<std::string>();
  switch (in.kind_case()) {
    case google::protobuf::Value::kNullValue:
      return std::optional<std::string>();
    case google::protobuf::Value::kStringValue:
      if (in.string_value().empty()) return std::optional<std::string>();
      return std::optional<std::string>(in.string_value());
    case google::protobuf::Value::kNumberValue: {
      const double number = in.number_value();
      // 2^63 is exactly representable; anything at or past it is not an
      // int64.
      if (std::trunc(number) == number && std::fabs(number) < 9.2e18) {
        *millis = static_cast<int64_t>(number);
        return std::optional<std::string>(absl::StrCat(**millis));
      }
      return std::optional<std::string>(absl::StrFormat("%.17g", number));
    }
    default:
      return Malformed(
          absl::StrCat(field, " is neither a number nor a string"));
  }
}

absl::StatusOr<v1::Pagination> ToPagination(const wire::Pagination& in) {
  v1::Pagination out;
  out.set_count(in.count());
  std::optional<int64_t> millis;
  absl::StatusOr<std::optional<std::string>> next =
      CursorText(in.has_next(), in.next(), "pagination.next", &millis);
  if (!next.ok()) return next.status();
  if (next->has_value()) out.set_next_cursor(**next);
  if (millis.has_value()) out.set_next(*millis);
  absl::StatusOr<std::optional<std::string>> prev =
      CursorText(in.has_prev(), in.prev(), "pagination.prev", &millis);
  if (!prev.ok()) return prev.status();
  if (prev->has_value()) out.set_prev_cursor(**prev);
  if (millis.has_value()) out.set_prev(*millis);
  return out;
}

}  // namespace

absl::StatusOr<v1::GetAuthTokenResponse> MapGetAuthTokenResponse(
    absl::string_view body) {
  absl::StatusOr<wire::GetTokenBody> parsed =
      ParseBody<wire::GetTokenBody>(body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->has_token()) return Malformed("the body has no token");
  absl::StatusOr<v1::AuthToken> token = ToAuthToken(parsed->token());
  if (!token.ok()) return token.status();
  v1::GetAuthTokenResponse out;
  *out.mutable_token() = *std::move(token);
  return out;
}

absl::StatusOr<v1::ListAuthTokensRawResponse> MapListAuthTokensResponse(
    absl::string_view body) {
  absl::StatusOr<wire::ListTokensBody> parsed =
      ParseBody<wire::ListTokensBody>(body);
  if (!parsed.ok()) return parsed.status();
  v1::ListAuthTokensRawResponse out;
  for (const wire::AuthToken& token_in : parsed->tokens()) {
    absl::StatusOr<v1::AuthToken> token = ToAuthToken(token_in);
    if (!token.ok()) return token.status();
    *out.add_tokens() = *std::move(token);
  }
  if (parsed->has_testing_token()) {
    absl::StatusOr<v1::AuthToken> token = ToAuthToken(parsed->testing_token());
    if (!token.ok()) return token.status();
    *out.mutable_testing_token() = *std::move(token);
  }
  if (parsed->has_pagination()) {
    absl::StatusOr<v1::Pagination> pagination =
        ToPagination(parsed->pagination());
    if (!pagination.ok()) return pagination.status();
    *out.mutable_pagination() = *std::move(pagination);
  }
  return out;
}

absl::StatusOr<v1::CreateAuthTokenResponse> MapCreateAuthTokenResponse(
    absl::string_view body) {
  absl::StatusOr<wire::CreateTokenBody> parsed =
      ParseBody<wire::CreateTokenBody>(body);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->has_token()) return Malformed("the body has no token");
  if (parsed->bearer_token().empty()) {
    return Malformed("the body has no bearerToken");
  }
  absl::StatusOr<v1::AuthToken> token = ToAuthToken(parsed->token());
  if (!token.ok()) return token.status();
  v1::CreateAuthTokenResponse out;
  *out.mutable_token() = *std::move(token);
  out.set_bearer_token(parsed->bearer_token());
  return out;
}

absl::StatusOr<v1::DeleteAuthTokenResponse> MapDeleteAuthTokenResponse(
    absl::string_view body) {
  absl::StatusOr<wire::DeleteTokenBody> parsed =
      ParseBody<wire::DeleteTokenBody>(body);
  if (!parsed.ok()) return parsed.status();
  if (parsed->token_id().empty()) return Malformed("the body has no tokenId");
  v1::DeleteAuthTokenResponse out;
  out.set_token_id(parsed->token_id());
  return out;
}

absl::StatusOr<v1::EmailLoginResponse> MapEmailLoginResponse(
    absl::string_view body) {
  absl::StatusOr<wire::EmailLoginBody> parsed =
      ParseBody<wire::EmailLoginBody>(body);
  if (!parsed.ok()) return parsed.status();
  if (parsed->token().empty()) return Malformed("the body has no token");
  v1::EmailLoginResponse out;
  out.set_token(parsed->token());
  out.set_security_code(parsed->security_code());
  return out;
}

absl::StatusOr<v1::VerifyTokenResponse> MapVerifyTokenResponse(
    absl::string_view body) {
  absl::StatusOr<wire::VerifyBody> parsed = ParseBody<wire::VerifyBody>(body);
  if (!parsed.ok()) return parsed.status();
  if (parsed->token().empty()) return Malformed("the body has no token");
  v1::VerifyTokenResponse out;
  out.set_token(parsed->token());
  out.set_email(parsed->email());
  out.set_team_id(parsed->team_id());
  return out;
}

}  // namespace vercel_tokens
