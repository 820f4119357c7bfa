#include "server/vercel/error_mapping.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "server/common/service_error.h"
#include "server/common/text.h"
#include "server/vercel/vercel_wire.pb.h"
#include "server/vercel/wire_json.h"

namespace vercel_tokens {
namespace {

namespace wire = ::vercel::authentication::wire;

constexpr size_t kMaxMessageBytes = 512;
constexpr size_t kMaxCodeBytes = 64;
constexpr size_t kMaxReasonLength = 63;
constexpr size_t kMaxRequestIdBytes = 256;
constexpr absl::Duration kMaxRetryDelay = absl::Hours(24);
// Unix times from here on are milliseconds (see ResetTime).
constexpr int64_t kMillisecondsThreshold = 100'000'000'000;

// Vercel's usual error code for an HTTP status, used when a body has none.
absl::string_view DefaultVercelCode(long http_status) {
  switch (http_status) {
    case 400:
      return "bad_request";
    case 401:
      return "unauthorized";
    case 403:
      return "forbidden";
    case 404:
      return "not_found";
    case 409:
      return "conflict";
    case 429:
      return "rate_limited";
    case 500:
      return "internal_server_error";
    case 502:
      return "bad_gateway";
    case 503:
      return "service_unavailable";
    case 504:
      return "gateway_timeout";
    default:
      return "";
  }
}

absl::Duration ClampDelay(absl::Duration d) {
  return std::clamp(d, absl::ZeroDuration(), kMaxRetryDelay);
}

// Parses an error body; an unreadable one reads as empty.
wire::Error ParseErrorBody(absl::string_view body) {
  wire::ErrorBody parsed;
  if (!ParseWireJson(body, &parsed).ok()) {
    return wire::Error();
  }
  return parsed.has_error() ? parsed.error() : parsed.err();
}

// The text of a JSON value Vercel sent for a string: a string as is, a
// number in decimal, anything else empty.
std::string ValueText(const google::protobuf::Value& value) {
  switch (value.kind_case()) {
    case google::protobuf::Value::kStringValue:
      return value.string_value();
    case google::protobuf::Value::kNumberValue:
      return absl::StrCat(value.number_value());
    default:
      return "";
  }
}

bool IsConfirmationIncomplete(const wire::Error& error) {
  return absl::StrContains(absl::AsciiStrToLower(error.message()),
                           "confirmation incomplete") ||
         error.code() == "confirmation_incomplete";
}

// Vercel's answer to the legacy email login of old CLIs; its status and code
// are not documented, so the message decides.
bool IsLegacyLoginDisabled(const wire::Error& error) {
  return absl::StrContains(absl::AsciiStrToLower(error.message()),
                           "legacy authentication flow is disabled");
}

}  // namespace

std::string HttpStatusLabel(long http_status) {
  switch (http_status) {
    case 200:
    case 201:
    case 400:
    case 401:
    case 403:
    case 404:
    case 409:
    case 429:
    case 500:
    case 501:
    case 502:
    case 503:
    case 504:
      return absl::StrCat(http_status);
    default:
      break;
  }
  if (http_status < 100 || http_status > 599) return "other";
  return absl::StrCat(http_status / 100, "xx");
}

absl::StatusCode CodeForHttpStatus(long http_status) {
  switch (http_status) {
    case 400:
      return absl::StatusCode::kInvalidArgument;
    case 401:
      return absl::StatusCode::kUnauthenticated;
    case 403:
      return absl::StatusCode::kPermissionDenied;
    case 404:
      return absl::StatusCode::kNotFound;
    case 409:
      return absl::StatusCode::kAlreadyExists;
    case 429:
      return absl::StatusCode::kResourceExhausted;
    case 500:
      return absl::StatusCode::kInternal;
    case 501:
      return absl::StatusCode::kUnimplemented;
    case 502:
    case 503:
      return absl::StatusCode::kUnavailable;
    case 504:
      return absl::StatusCode::kDeadlineExceeded;
    default:
      break;
  }
  if (http_status >= 400 && http_status < 500) {
    return absl::StatusCode::kFailedPrecondition;
  }
  if (http_status >= 300 && http_status < 600) {
    return absl::StatusCode::kInternal;
  }
  return absl::StatusCode::kUnknown;
}

std::optional<std::string> VercelRequestId(const UpstreamResponse& response) {
  std::optional<absl::string_view> value = response.Header("x-vercel-id");
  if (!value.has_value() || value->empty() ||
      value->size() > kMaxRequestIdBytes) {
    return std::nullopt;
  }
  for (char c : *value) {
    if (c < ' ' || c > '~') return std::nullopt;
  }
  return std::string(*value);
}

absl::Time ResetTime(int64_t seconds_or_millis) {
  return seconds_or_millis >= kMillisecondsThreshold
             ? absl::FromUnixMillis(seconds_or_millis)
             : absl::FromUnixSeconds(seconds_or_millis);
}

std::string ToUpperSnake(absl::string_view code) {
  std::string out;
  bool pending_separator = false;
  for (char c : code) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      if (pending_separator && !out.empty()) out.push_back('_');
      pending_separator = false;
      out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
    } else {
      pending_separator = true;
    }
    if (out.size() >= kMaxReasonLength) break;
  }
  // An ErrorInfo reason starts with a letter.
  if (!out.empty() &&
      !absl::ascii_isalpha(static_cast<unsigned char>(out[0]))) {
    out.insert(0, "E_");
    out.resize(std::min(out.size(), kMaxReasonLength));
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::optional<absl::Duration> ParseRetryAfter(absl::string_view value,
                                              absl::Time now) {
  int64_t seconds = 0;
  if (absl::SimpleAtoi(value, &seconds)) {
    return ClampDelay(absl::Seconds(seconds));
  }
  absl::Time when;
  std::string error;
  if (absl::ParseTime("%a, %d %b %Y %H:%M:%S GMT", value, absl::UTCTimeZone(),
                      &when, &error)) {
    return ClampDelay(when - now);
  }
  return std::nullopt;
}

std::optional<absl::Duration> RetryDelay(const UpstreamResponse& response,
                                         int64_t body_reset_ms,
                                         int64_t body_reset, absl::Time now) {
  if (auto value = response.Header("retry-after"); value.has_value()) {
    if (auto delay = ParseRetryAfter(*value, now); delay.has_value()) {
      return delay;
    }
  }
  if (auto value = response.Header("x-ratelimit-reset"); value.has_value()) {
    int64_t reset = 0;
    if (absl::SimpleAtoi(*value, &reset) && reset > 0) {
      return ClampDelay(ResetTime(reset) - now);
    }
  }
  if (body_reset_ms > 0) {
    return ClampDelay(absl::FromUnixMillis(body_reset_ms) - now);
  }
  if (body_reset > 0) return ClampDelay(ResetTime(body_reset) - now);
  return std::nullopt;
}

absl::Duration UnavailableRetryDelay(const UpstreamResponse& response,
                                     absl::Time now) {
  if (auto value = response.Header("retry-after"); value.has_value()) {
    if (auto delay = ParseRetryAfter(*value, now); delay.has_value()) {
      return *delay;
    }
  }
  constexpr int64_t kNanosPerSecond = 1'000'000'000;
  const int64_t sub_second_nanos =
      (absl::ToUnixNanos(now) % kNanosPerSecond + kNanosPerSecond) %
      kNanosPerSecond;
  return kUnavailableBackoff +
         kUnavailableBackoff * (static_cast<double>(sub_second_nanos) /
                                static_cast<double>(kNanosPerSecond));
}

absl::Status MapUpstreamError(ErrorContext context,
                              const UpstreamResponse& response,
                              const std::vector<std::string>& secrets,
                              absl::Time now) {
  const wire::Error error = ParseErrorBody(response.body);
  const std::string vercel_code =
      error.code().empty()
          ? std::string(DefaultVercelCode(response.http_status))
          : SanitizeUpstreamText(error.code(), secrets, kMaxCodeBytes);
  const std::string vercel_message =
      SanitizeUpstreamText(error.message(), secrets, kMaxMessageBytes);

  const long status = response.http_status;
  ErrorSpec spec;
  spec.code = CodeForHttpStatus(status);
  spec.message = absl::StrCat("Vercel API error ", status);
  if (!vercel_code.empty())
    absl::StrAppend(&spec.message, " (", vercel_code, ")");
  if (!vercel_message.empty())
    absl::StrAppend(&spec.message, ": ", vercel_message);
  spec.reason = ToUpperSnake(vercel_code);
  if (spec.reason.empty()) spec.reason = absl::StrCat("HTTP_", status);
  spec.domain = std::string(kVercelDomain);
  spec.metadata["http_status"] = absl::StrCat(status);
  spec.metadata["vercel_code"] = vercel_code;
  const bool auth_status = status == 401 || status == 403;
  const bool email_login = context == ErrorContext::kVerifyToken ||
                           context == ErrorContext::kEmailLogin;
  if (email_login && status >= 400 && status < 500 &&
      IsLegacyLoginDisabled(error)) {
    spec.code = absl::StatusCode::kFailedPrecondition;
    spec.reason = "LEGACY_LOGIN_DISABLED";
  } else if (context == ErrorContext::kVerifyToken && status == 400 &&
             IsConfirmationIncomplete(error)) {
    spec.code = absl::StatusCode::kFailedPrecondition;
    spec.reason = "CONFIRMATION_INCOMPLETE";
  } else if (auth_status && error.invalid_token()) {
    // Expired, revoked or unknown: only a new token helps.
    spec.code = absl::StatusCode::kUnauthenticated;
    spec.reason = "INVALID_TOKEN";
  } else if (auth_status && error.missing_token()) {
    spec.code = absl::StatusCode::kUnauthenticated;
    spec.reason = "MISSING_TOKEN";
  } else if (auth_status && error.saml()) {
    spec.code = absl::StatusCode::kPermissionDenied;
    spec.reason = "SAML_REQUIRED";
    spec.metadata["team_id"] =
        SanitizeUpstreamText(error.team_id(), secrets, kMaxCodeBytes);
    spec.metadata["scope"] =
        SanitizeUpstreamText(ValueText(error.scope()), secrets, kMaxCodeBytes);
    spec.metadata["enforced"] = error.enforced() ? "true" : "false";
  } else if (status >= 300 && status < 400) {
    spec.reason = "UPSTREAM_REDIRECT";
  } else if (status < 200 || status > 599) {
    spec.reason = "UPSTREAM_UNEXPECTED_STATUS";
  }
  if (response.http_status == 429) {
    spec.retry_delay = RetryDelay(response, error.limit().reset_ms(),
                                  error.limit().reset(), now);
  } else if (response.http_status == 503) {
    spec.retry_delay = UnavailableRetryDelay(response, now);
  }
  return MakeError(spec);
}

absl::Status MapTransportError(const absl::Status& transport_error) {
  ErrorSpec spec;
  spec.message = std::string(transport_error.message());
  switch (transport_error.code()) {
    case absl::StatusCode::kDeadlineExceeded:
      spec.code = absl::StatusCode::kDeadlineExceeded;
      spec.reason = "UPSTREAM_TIMEOUT";
      break;
    case absl::StatusCode::kCancelled:
      spec.code = absl::StatusCode::kCancelled;
      spec.reason = "CANCELLED";
      break;
    case absl::StatusCode::kResourceExhausted:
      spec.code = absl::StatusCode::kInternal;
      spec.reason = "UPSTREAM_RESPONSE_TOO_LARGE";
      break;
    default:
      spec.code = absl::StatusCode::kUnavailable;
      spec.reason = "UPSTREAM_UNAVAILABLE";
      break;
  }
  return MakeError(spec);
}

}  // namespace vercel_tokens
