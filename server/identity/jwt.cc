#include "server/identity/jwt.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/service_error.h"

namespace vercel_tokens {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

constexpr absl::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr absl::string_view kAlgorithms[] = {"RS256", "RS384", "RS512",
                                             "ES256", "ES384", "ES512",
                                             "PS256", "PS384", "PS512"};

int SextetOf(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

absl::Status Invalid(absl::string_view why) {
  return WorkloadTokenError(kWorkloadTokenInvalid, "jwt", why);
}

absl::StatusOr<Struct> ParseObject(absl::string_view json) {
  Struct parsed;
  google::protobuf::util::JsonParseOptions options;
  if (auto s = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &parsed,
          options);
      !s.ok()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  return parsed;
}

const Value* Field(const Struct& s, absl::string_view name) {
  auto it = s.fields().find(std::string(name));
  return it == s.fields().end() ? nullptr : &it->second;
}

// The string field `name` of `object` into `out`: unchanged when absent, an
// error when not a string.
absl::Status ReadString(const Struct& object, absl::string_view name,
                        std::string* out) {
  const Value* v = Field(object, name);
  if (v == nullptr) return absl::OkStatus();
  if (v->kind_case() != Value::kStringValue) {
    return Invalid(absl::StrCat(name, " is not a string"));
  }
  *out = v->string_value();
  return absl::OkStatus();
}

// The NumericDate `name` of `object` (seconds, fractions dropped).
absl::Status ReadTime(const Struct& object, absl::string_view name,
                      std::optional<absl::Time>* out) {
  const Value* v = Field(object, name);
  if (v == nullptr) return absl::OkStatus();
  if (v->kind_case() != Value::kNumberValue ||
      !std::isfinite(v->number_value())) {
    return Invalid(absl::StrCat(name, " is not a number"));
  }
  *out = absl::FromUnixSeconds(static_cast<int64_t>(
      std::floor(std::clamp(v->number_value(), -1e15, 1e15))));
  return absl::OkStatus();
}

absl::Status ReadAudience(const Struct& object, std::vector<std::string>* out) {
  const Value* v = Field(object, "aud");
  if (v == nullptr) return absl::OkStatus();
  if (v->kind_case() == Value::kStringValue) {
    out->push_back(v->string_value());
    return absl::OkStatus();
  }
  if (v->kind_case() != Value::kListValue) return Invalid("aud is not strings");
  for (const Value& element : v->list_value().values()) {
    if (element.kind_case() != Value::kStringValue) {
      return Invalid("aud is not strings");
    }
    out->push_back(element.string_value());
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> Base64UrlDecode(absl::string_view text) {
  if (text.size() % 4 == 1) {
    return absl::InvalidArgumentError("not base64url: bad length");
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int bit_count = 0;
  for (char c : text) {
    const int sextet = SextetOf(c);
    if (sextet < 0) return absl::InvalidArgumentError("not base64url");
    bits = (bits << 6) | static_cast<uint32_t>(sextet);
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>((bits >> bit_count) & 0xff));
    }
  }
  if ((bits & ((1u << bit_count) - 1)) != 0) {
    return absl::InvalidArgumentError("not base64url: non-zero trailing bits");
  }
  return out;
}

std::string Base64UrlEncode(absl::string_view data) {
  std::string out;
  out.reserve((data.size() * 4 + 2) / 3);
  uint32_t bits = 0;
  int bit_count = 0;
  for (unsigned char c : data) {
    bits = (bits << 8) | c;
    bit_count += 8;
    while (bit_count >= 6) {
      bit_count -= 6;
      out.push_back(kAlphabet[(bits >> bit_count) & 0x3f]);
    }
  }
  if (bit_count > 0) out.push_back(kAlphabet[(bits << (6 - bit_count)) & 0x3f]);
  return out;
}

absl::Status WorkloadTokenError(absl::string_view reason,
                                absl::string_view source,
                                absl::string_view why) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnauthenticated;
  spec.message = absl::StrCat("workload token refused: ", why);
  spec.reason = std::string(reason);
  spec.metadata = {{"source", std::string(source)}};
  return MakeError(spec);
}

absl::StatusOr<Jwt> ParseJwt(absl::string_view token) {
  if (token.size() > kMaxWorkloadTokenBytes) {
    return Invalid(
        absl::StrCat("longer than ", kMaxWorkloadTokenBytes, " bytes"));
  }
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3 || parts[0].empty() || parts[1].empty() ||
      parts[2].empty()) {
    return Invalid("not a JWT: not three parts");
  }
  auto header = Base64UrlDecode(parts[0]);
  auto payload = Base64UrlDecode(parts[1]);
  auto signature = Base64UrlDecode(parts[2]);
  if (!header.ok() || !payload.ok() || !signature.ok()) {
    return Invalid("not a JWT: a part is not base64url");
  }
  auto header_object = ParseObject(*header);
  auto claims_object = ParseObject(*payload);
  if (!header_object.ok() || !claims_object.ok()) {
    return Invalid("not a JWT: header or payload is not a JSON object");
  }
  Jwt jwt;
  jwt.header = *std::move(header_object);
  jwt.claims = *std::move(claims_object);
  const Value* alg = Field(jwt.header, "alg");
  if (alg == nullptr || alg->kind_case() != Value::kStringValue) {
    return Invalid("header has no alg");
  }
  jwt.alg = alg->string_value();
  if (std::find(std::begin(kAlgorithms), std::end(kAlgorithms), jwt.alg) ==
      std::end(kAlgorithms)) {
    return Invalid("alg is not RS, ES or PS 256 to 512");
  }
  if (absl::Status s = ReadString(jwt.header, "kid", &jwt.kid); !s.ok()) {
    return s;
  }
  if (Field(jwt.header, "crit") != nullptr) {
    return Invalid("header has crit extensions, none of which are understood");
  }
  for (auto [name, field] :
       {std::pair{"iss", &jwt.iss}, std::pair{"sub", &jwt.sub},
        std::pair{"jti", &jwt.jti}}) {
    if (absl::Status s = ReadString(jwt.claims, name, field); !s.ok()) return s;
  }
  for (auto [name, field] :
       {std::pair{"exp", &jwt.exp}, std::pair{"nbf", &jwt.nbf},
        std::pair{"iat", &jwt.iat}}) {
    if (absl::Status s = ReadTime(jwt.claims, name, field); !s.ok()) return s;
  }
  if (absl::Status s = ReadAudience(jwt.claims, &jwt.aud); !s.ok()) return s;
  jwt.signing_input =
      std::string(token.substr(0, parts[0].size() + 1 + parts[1].size()));
  jwt.signature = *std::move(signature);
  return jwt;
}

absl::Status CheckClaims(const Jwt& jwt, const ClaimExpectations& expected,
                         absl::Time now, absl::string_view source) {
  auto invalid = [source](absl::string_view why) {
    return WorkloadTokenError(kWorkloadTokenInvalid, source, why);
  };
  if (!expected.issuer.empty() && jwt.iss != expected.issuer) {
    return invalid("iss is not the expected issuer");
  }
  if (expected.require_subject && jwt.sub.empty()) {
    return invalid("sub is missing");
  }
  if (!jwt.exp.has_value()) return invalid("exp is missing");
  if (*jwt.exp + expected.expiry_skew <= now) {
    return WorkloadTokenError(kWorkloadTokenExpired, source,
                              "the token has expired");
  }
  for (auto [name, when] :
       {std::pair{"nbf", &jwt.nbf}, std::pair{"iat", &jwt.iat}}) {
    if (when->has_value() && **when - expected.clock_skew > now) {
      return invalid(absl::StrCat(name, " is in the future"));
    }
  }
  for (const std::string& a : jwt.aud) {
    if (std::find(expected.audiences.begin(), expected.audiences.end(), a) !=
        expected.audiences.end()) {
      return absl::OkStatus();
    }
  }
  return WorkloadTokenError(
      kWorkloadTokenAudience, source,
      absl::StrCat("aud names no accepted audience (",
                   absl::StrJoin(expected.audiences, ", "), ")",
                   expected.audience_hint));
}

std::optional<std::string> ClaimText(const Struct& claims,
                                     absl::string_view name) {
  const Value* v = Field(claims, name);
  if (v == nullptr) return std::nullopt;
  switch (v->kind_case()) {
    case Value::kStringValue:
      return v->string_value();
    case Value::kBoolValue:
      return v->bool_value() ? "true" : "false";
    case Value::kNumberValue: {
      const double d = v->number_value();
      if (std::trunc(d) != d || std::fabs(d) > 9007199254740992.0) {
        return std::nullopt;
      }
      return absl::StrCat(static_cast<int64_t>(d));
    }
    default:
      return std::nullopt;
  }
}

std::map<std::string, std::string> ScalarClaims(const Struct& claims) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : claims.fields()) {
    if (auto text = ClaimText(claims, name); text.has_value()) {
      out.emplace(name, *std::move(text));
    }
  }
  return out;
}

}  // namespace vercel_tokens
