#include "server/vercel/response_mapping.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/service_error.h"
#include "server/common/time_conversion.h"
#include "server/vercel/vercel_wire.pb.h"

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
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  // The parser's own message may quote the body, so it is not passed on.
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(body.data(), body.size()), &out,
           options)
           .ok()) {
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

absl::StatusOr<v1::AuthToken> ToAuthToken(const wire::AuthToken& in) {
  if (in.id().empty()) return Malformed("a token has no id");
  v1::AuthToken out;
  out.set_id(in.id());
  out.set_name(in.name());
  out.set_type(in.type());
  out.set_origin(in.origin());
  for (const wire::Scope& scope_in : in.scopes()) {
    v1::TokenScope& scope = *out.add_scopes();
    scope.set_type(scope_in.type());
    scope.set_team_id(scope_in.team_id());
    scope.set_origin(scope_in.origin());
    if (auto s =
            FirstError({SetTime(scope_in.has_created_at(),
                                scope_in.created_at(), "scopes.createdAt",
                                scope, &v1::TokenScope::mutable_created_at),
                        SetTime(scope_in.has_expires_at(),
                                scope_in.expires_at(), "scopes.expiresAt",
                                scope, &v1::TokenScope::mutable_expires_at)});
        !s.ok()) {
      return s;
    }
  }
  if (auto s =
          FirstError({SetTime(in.has_expires_at(), in.expires_at(), "expiresAt",
                              out, &v1::AuthToken::mutable_expires_at),
                      SetTime(in.has_active_at(), in.active_at(), "activeAt",
                              out, &v1::AuthToken::mutable_active_at),
                      SetTime(in.has_created_at(), in.created_at(), "createdAt",
                              out, &v1::AuthToken::mutable_created_at)});
      !s.ok()) {
    return s;
  }
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
    const wire::Pagination& in = parsed->pagination();
    v1::Pagination* pagination = out.mutable_pagination();
    pagination->set_count(in.count());
    if (in.has_next()) pagination->set_next(in.next());
    if (in.has_prev()) pagination->set_prev(in.prev());
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
