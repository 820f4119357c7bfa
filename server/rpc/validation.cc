#include "server/rpc/validation.h"

#include <initializer_list>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/common/service_error.h"
#include "server/common/text.h"
#include "server/common/time_conversion.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

constexpr size_t kMaxIdLength = 256;
constexpr size_t kMaxTextLength = 256;
constexpr size_t kMaxEmailLength = 254;
constexpr size_t kMaxVerificationTokenLength = 4096;
constexpr size_t kMaxCursorLength = 256;
constexpr int kMaxListLimit = 100;

enum class Presence { kRequired, kOptional };

bool IsIdChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '_';
}

absl::Status CheckId(absl::string_view field, absl::string_view value,
                     Presence presence) {
  if (value.empty()) {
    return presence == Presence::kRequired ? InvalidField(field, "is required")
                                           : absl::OkStatus();
  }
  if (value.size() > kMaxIdLength) {
    return InvalidField(
        field, absl::StrCat("must be at most ", kMaxIdLength, " bytes"));
  }
  for (char c : value) {
    if (!IsIdChar(c)) {
      return InvalidField(field,
                          "must contain only letters, digits, '-' and '_'");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckText(absl::string_view field, absl::string_view value,
                       Presence presence, size_t max_length = kMaxTextLength) {
  if (value.empty()) {
    return presence == Presence::kRequired ? InvalidField(field, "is required")
                                           : absl::OkStatus();
  }
  if (value.size() > max_length) {
    return InvalidField(field,
                        absl::StrCat("must be at most ", max_length, " bytes"));
  }
  for (size_t i = 0; i < value.size();) {
    const size_t length = Utf8SequenceLength(value, i);
    if (length == 0) return InvalidField(field, "must be valid UTF-8");
    if (IsUnsafeInText(Utf8CodePoint(value, i, length))) {
      return InvalidField(field,
                          "must not contain control characters or "
                          "bidirectional formatting characters");
    }
    i += length;
  }
  return absl::OkStatus();
}

// Printable ASCII without spaces: what a token or an email address is made
// of.
absl::Status CheckPrintableAscii(absl::string_view field,
                                 absl::string_view value, size_t max_length) {
  if (value.empty()) return InvalidField(field, "is required");
  if (value.size() > max_length) {
    return InvalidField(field,
                        absl::StrCat("must be at most ", max_length, " bytes"));
  }
  for (char c : value) {
    if (c <= ' ' || c > '~') {
      return InvalidField(field,
                          "must contain only printable ASCII without spaces");
    }
  }
  return absl::OkStatus();
}

absl::Status CheckEmail(absl::string_view field, absl::string_view value) {
  if (auto s = CheckPrintableAscii(field, value, kMaxEmailLength); !s.ok()) {
    return s;
  }
  const size_t at = value.find('@');
  if (at == 0 || at == absl::string_view::npos ||
      value.find('@', at + 1) != absl::string_view::npos) {
    return InvalidField(field, "must be an email address (local@domain)");
  }
  const absl::string_view domain = value.substr(at + 1);
  const size_t dot = domain.find('.');
  if (dot == 0 || dot == absl::string_view::npos || domain.back() == '.' ||
      domain.find("..") != absl::string_view::npos) {
    return InvalidField(field, "must be an email address (local@domain)");
  }
  return absl::OkStatus();
}

absl::Status CheckOneOf(absl::string_view field, absl::string_view value,
                        std::initializer_list<absl::string_view> allowed,
                        absl::string_view description) {
  for (absl::string_view a : allowed) {
    if (value == a) return absl::OkStatus();
  }
  return InvalidField(field, description);
}

absl::Status CheckCursor(absl::string_view field, absl::string_view value) {
  return value.empty() ? absl::OkStatus()
                       : CheckPrintableAscii(field, value, kMaxCursorLength);
}

absl::Status CheckTeam(absl::string_view team_id, absl::string_view slug,
                       Presence team_presence) {
  return FirstError({CheckId("team_id", team_id, team_presence),
                     CheckId("slug", slug, Presence::kOptional)});
}

// Whether `text` is a UUID in its canonical text form, either case.
bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-'
             : !absl::ascii_isxdigit(static_cast<unsigned char>(text[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::Status Validate(const v1::GetAuthTokenRequest& request) {
  return FirstError(
      {CheckId("token_id", request.token_id(), Presence::kRequired),
       CheckTeam(request.team_id(), request.slug(), Presence::kOptional)});
}

absl::Status Validate(const v1::ListAuthTokensRequest& request) {
  return CheckTeam(request.team_id(), request.slug(), Presence::kOptional);
}

absl::Status Validate(const v1::CreateAuthTokenRequest& request) {
  if (auto s = FirstError(
          {CheckTeam(request.team_id(), request.slug(), Presence::kOptional),
           CheckText("name", request.name(), Presence::kRequired),
           CheckId("project_id", request.project_id(), Presence::kOptional),
           CheckOneOf("type", request.type(), {"", "oauth2-token"},
                      "must be empty or \"oauth2-token\""),
           CheckId("client_id", request.client_id(), Presence::kOptional),
           CheckId("installation_id", request.installation_id(),
                   Presence::kOptional)});
      !s.ok()) {
    return s;
  }
  if (!request.project_id().empty() && request.team_id().empty()) {
    return InvalidField("project_id",
                        "requires team_id (a project belongs to a team)");
  }
  if (request.type().empty()) {
    if (!request.client_id().empty()) {
      return InvalidField("client_id", "requires type \"oauth2-token\"");
    }
    if (!request.installation_id().empty()) {
      return InvalidField("installation_id", "requires type \"oauth2-token\"");
    }
  }
  if (request.has_expires_at()) {
    if (auto millis = TimestampToMillis(request.expires_at()); !millis.ok()) {
      return InvalidField("expires_at", "must be a valid timestamp");
    }
  }
  if (!request.request_id().empty() && !IsUuid(request.request_id())) {
    return InvalidField("request_id",
                        "must be a UUID (8-4-4-4-12 hexadecimal digits)");
  }
  if (!request.request_id().empty() &&
      NormalizedRequestId(request.request_id()) == kNilUuid) {
    return InvalidField("request_id", "must not be the nil UUID");
  }
  return absl::OkStatus();
}

std::string NormalizedRequestId(absl::string_view request_id) {
  return absl::AsciiStrToLower(request_id);
}

absl::Status Validate(const v1::DeleteAuthTokenRequest& request) {
  return FirstError(
      {CheckId("token_id", request.token_id(), Presence::kRequired),
       CheckTeam(request.team_id(), request.slug(), Presence::kOptional)});
}

absl::Status Validate(const v1::ListAuthTokensRawRequest& request) {
  return FirstError(
      {CheckTeam(request.team_id(), request.slug(), Presence::kOptional),
       request.limit() >= 0 && request.limit() <= kMaxListLimit
           ? absl::OkStatus()
           : InvalidField("limit", absl::StrCat("must be 0 (Vercel's default) "
                                                "or 1 to ",
                                                kMaxListLimit)),
       CheckCursor("until", request.until()),
       CheckCursor("since", request.since())});
}

absl::Status Validate(const v1::EmailLoginRequest& request) {
  return FirstError(
      {CheckEmail("email", request.email()),
       CheckText("token_name", request.token_name(), Presence::kOptional)});
}

absl::Status Validate(const v1::VerifyTokenRequest& request) {
  return FirstError(
      {CheckPrintableAscii("token", request.token(),
                           kMaxVerificationTokenLength),
       request.email().empty() ? absl::OkStatus()
                               : CheckEmail("email", request.email()),
       CheckText("token_name", request.token_name(), Presence::kOptional),
       CheckId("sso_user_id", request.sso_user_id(), Presence::kOptional),
       CheckText("team_name", request.team_name(), Presence::kOptional),
       CheckId("team_slug", request.team_slug(), Presence::kOptional),
       CheckOneOf("team_plan", request.team_plan(), {"", "pro", "hobby"},
                  "must be empty, \"pro\" or \"hobby\"")});
}

}  // namespace vercel_tokens
