#include "server/identity/jwt.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "server/identity/identity_errors.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kAlgorithms[] = {"RS256", "RS384", "RS512",
                                             "ES256", "ES384", "ES512",
                                             "PS256", "PS384", "PS512"};

constexpr absl::Duration kClockSkew = absl::Minutes(1);

absl::Status Invalid(absl::string_view why) {
  return UnauthenticatedIdentity(
      kWorkloadTokenInvalid,
      absl::StrCat("the workload token is not a valid JWT: ", why));
}

bool IsBase64Url(absl::string_view part) {
  return !part.empty() && std::all_of(part.begin(), part.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           c == '_';
  });
}

absl::StatusOr<google::protobuf::Struct> DecodeObject(absl::string_view part,
                                                      std::string* json) {
  if (!absl::WebSafeBase64Unescape(part, json)) {
    return Invalid("a part is not base64url");
  }
  google::protobuf::Struct object;
  google::protobuf::util::JsonParseOptions options;
  if (!google::protobuf::util::JsonStringToMessage(*json, &object, options)
           .ok()) {
    return Invalid("a part is not a JSON object");
  }
  return object;
}

// The string field `name` of `object`: "" when absent, an error when not a
// string.
absl::Status ReadString(const google::protobuf::Struct& object,
                        absl::string_view name, std::string* out) {
  auto it = object.fields().find(std::string(name));
  if (it == object.fields().end()) return absl::OkStatus();
  if (!it->second.has_string_value()) {
    return Invalid(absl::StrCat("`", name, "` is not a string"));
  }
  *out = it->second.string_value();
  return absl::OkStatus();
}

absl::Status ReadTime(const google::protobuf::Struct& object,
                      absl::string_view name, std::optional<absl::Time>* out) {
  auto it = object.fields().find(std::string(name));
  if (it == object.fields().end()) return absl::OkStatus();
  if (!it->second.has_number_value() ||
      !std::isfinite(it->second.number_value())) {
    return Invalid(absl::StrCat("`", name, "` is not a number"));
  }
  *out = absl::FromUnixSeconds(
      static_cast<int64_t>(std::clamp(it->second.number_value(), -1e15, 1e15)));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<UnverifiedJwt> ParseUnverifiedJwt(absl::string_view token) {
  if (token.size() > kMaxWorkloadTokenBytes) {
    return Invalid("it is larger than 8 KiB");
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || !IsBase64Url(parts[0]) || !IsBase64Url(parts[1]) ||
      !IsBase64Url(parts[2])) {
    return Invalid("it is not three base64url parts");
  }
  UnverifiedJwt jwt;
  std::string header_json;
  absl::StatusOr<google::protobuf::Struct> header =
      DecodeObject(parts[0], &header_json);
  if (!header.ok()) return header.status();
  if (absl::Status s = ReadString(*header, "alg", &jwt.alg); !s.ok()) return s;
  if (std::find(std::begin(kAlgorithms), std::end(kAlgorithms), jwt.alg) ==
      std::end(kAlgorithms)) {
    return Invalid("its alg is not RS, ES or PS 256 to 512");
  }
  if (absl::Status s = ReadString(*header, "kid", &jwt.kid); !s.ok()) return s;
  absl::StatusOr<google::protobuf::Struct> payload =
      DecodeObject(parts[1], &jwt.payload_json);
  if (!payload.ok()) return payload.status();
  for (auto [name, field] :
       {std::pair{"iss", &jwt.iss}, std::pair{"sub", &jwt.sub},
        std::pair{"jti", &jwt.jti}}) {
    if (absl::Status s = ReadString(*payload, name, field); !s.ok()) return s;
  }
  for (auto [name, field] :
       {std::pair{"exp", &jwt.exp}, std::pair{"nbf", &jwt.nbf},
        std::pair{"iat", &jwt.iat}}) {
    if (absl::Status s = ReadTime(*payload, name, field); !s.ok()) return s;
  }
  if (auto it = payload->fields().find("aud"); it != payload->fields().end()) {
    if (it->second.has_string_value()) {
      jwt.aud.push_back(it->second.string_value());
    } else if (it->second.has_list_value()) {
      for (const google::protobuf::Value& v :
           it->second.list_value().values()) {
        if (!v.has_string_value()) return Invalid("`aud` is not strings");
        jwt.aud.push_back(v.string_value());
      }
    } else {
      return Invalid("`aud` is not strings");
    }
  }
  if (!absl::WebSafeBase64Unescape(parts[2], &jwt.signature)) {
    return Invalid("its signature is not base64url");
  }
  jwt.signing_input =
      std::string(token.substr(0, parts[0].size() + 1 + parts[1].size()));
  return jwt;
}

absl::Status CheckUnverifiedClaims(const UnverifiedJwt& jwt,
                                   absl::string_view audience, absl::Time now) {
  if (!jwt.exp.has_value()) return Invalid("it has no exp");
  if (*jwt.exp <= now) {
    return UnauthenticatedIdentity(kWorkloadTokenExpired,
                                   "the workload token has expired");
  }
  if (jwt.nbf.has_value() && *jwt.nbf > now + kClockSkew) {
    return Invalid("it is not valid yet (nbf)");
  }
  if (std::find(jwt.aud.begin(), jwt.aud.end(), audience) == jwt.aud.end()) {
    return UnauthenticatedIdentity(
        kWorkloadTokenAudience,
        absl::StrCat("the workload token's audience is not ", audience,
                     " (set it as the projected volume's audience)"));
  }
  return absl::OkStatus();
}

}  // namespace vercel_tokens
