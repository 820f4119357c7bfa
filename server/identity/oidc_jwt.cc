#include "server/identity/oidc_jwt.h"

#include <cmath>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/service_error.h"

namespace vercel_tokens {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

constexpr absl::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

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

absl::Time FromSeconds(double seconds) {
  return absl::FromUnixSeconds(static_cast<int64_t>(std::floor(seconds)));
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
  if (token.size() > kMaxJwtBytes) {
    return Invalid(absl::StrCat("longer than ", kMaxJwtBytes, " bytes"));
  }
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) return Invalid("not a JWT: not three parts");
  Jwt jwt;
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
  jwt.header = *std::move(header_object);
  jwt.claims = *std::move(claims_object);
  const Value* alg = Field(jwt.header, "alg");
  if (alg == nullptr || alg->kind_case() != Value::kStringValue) {
    return Invalid("header has no alg");
  }
  jwt.alg = alg->string_value();
  if (const Value* kid = Field(jwt.header, "kid"); kid != nullptr) {
    if (kid->kind_case() != Value::kStringValue) {
      return Invalid("header kid is not a string");
    }
    jwt.kid = kid->string_value();
  }
  if (Field(jwt.header, "crit") != nullptr) {
    return Invalid("header has crit extensions, none of which are understood");
  }
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
  const Value* iss = Field(jwt.claims, "iss");
  if (iss == nullptr || iss->kind_case() != Value::kStringValue ||
      iss->string_value() != expected.issuer) {
    return invalid("iss is not the expected issuer");
  }
  const Value* sub = Field(jwt.claims, "sub");
  if (sub == nullptr || sub->kind_case() != Value::kStringValue ||
      sub->string_value().empty()) {
    return invalid("sub is missing");
  }
  const Value* exp = Field(jwt.claims, "exp");
  if (exp == nullptr || exp->kind_case() != Value::kNumberValue) {
    return invalid("exp is missing");
  }
  if (FromSeconds(exp->number_value()) + expected.clock_skew <= now) {
    return WorkloadTokenError(kWorkloadTokenExpired, source,
                              "the token has expired");
  }
  for (absl::string_view name : {"nbf", "iat"}) {
    const Value* when = Field(jwt.claims, name);
    if (when == nullptr) continue;
    if (when->kind_case() != Value::kNumberValue) {
      return invalid(absl::StrCat(name, " is not a number"));
    }
    if (FromSeconds(when->number_value()) - expected.clock_skew > now) {
      return invalid(absl::StrCat(name, " is in the future"));
    }
  }
  const Value* aud = Field(jwt.claims, "aud");
  std::vector<absl::string_view> audiences;
  if (aud != nullptr && aud->kind_case() == Value::kStringValue) {
    audiences.push_back(aud->string_value());
  } else if (aud != nullptr && aud->kind_case() == Value::kListValue) {
    for (const Value& v : aud->list_value().values()) {
      if (v.kind_case() == Value::kStringValue) {
        audiences.push_back(v.string_value());
      }
    }
  }
  for (absl::string_view a : audiences) {
    for (const std::string& accepted : expected.audiences) {
      if (a == accepted) return absl::OkStatus();
    }
  }
  return WorkloadTokenError(kWorkloadTokenAudience, source,
                            "aud names no accepted audience");
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
