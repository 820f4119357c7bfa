#include "server/identity/jwk.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace vercel_tokens {
namespace {

using ::google::protobuf::Struct;
using ::google::protobuf::Value;

struct BnFree {
  void operator()(BIGNUM* bn) const { BN_free(bn); }
};
struct ParamBldFree {
  void operator()(OSSL_PARAM_BLD* bld) const { OSSL_PARAM_BLD_free(bld); }
};
struct ParamFree {
  void operator()(OSSL_PARAM* params) const { OSSL_PARAM_free(params); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* ctx) const { EVP_PKEY_CTX_free(ctx); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* sig) const { ECDSA_SIG_free(sig); }
};
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

std::string StringField(const Struct& s, absl::string_view name) {
  auto it = s.fields().find(std::string(name));
  if (it == s.fields().end() || it->second.kind_case() != Value::kStringValue) {
    return "";
  }
  return it->second.string_value();
}

absl::StatusOr<std::string> DecodedField(const Struct& s,
                                         absl::string_view name) {
  const std::string text = StringField(s, name);
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("key has no ", name));
  }
  auto decoded = Base64UrlDecode(text);
  if (!decoded.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("key's ", name, " is not base64url"));
  }
  return decoded;
}

BnPtr ToBignum(absl::string_view bytes) {
  return BnPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                         static_cast<int>(bytes.size()), nullptr));
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> FromParams(const char* type,
                                                     OSSL_PARAM_BLD* bld) {
  std::unique_ptr<OSSL_PARAM, ParamFree> params(OSSL_PARAM_BLD_to_param(bld));
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* key = nullptr;
  if (params == nullptr || ctx == nullptr ||
      EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) !=
          1) {
    return absl::InvalidArgumentError("key is not a valid public key");
  }
  return std::shared_ptr<EVP_PKEY>(key, EVP_PKEY_free);
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> RsaKey(const Struct& jwk) {
  auto n = DecodedField(jwk, "n");
  if (!n.ok()) return n.status();
  auto e = DecodedField(jwk, "e");
  if (!e.ok()) return e.status();
  BnPtr bn_n = ToBignum(*n);
  BnPtr bn_e = ToBignum(*e);
  if (bn_n == nullptr || bn_e == nullptr) {
    return absl::ResourceExhaustedError("out of memory");
  }
  if (BN_num_bits(bn_n.get()) < 2048) {
    return absl::FailedPreconditionError("RSA key shorter than 2048 bits");
  }
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) !=
          1 ||
      OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) !=
          1) {
    return absl::ResourceExhaustedError("out of memory");
  }
  return FromParams("RSA", bld.get());
}

absl::StatusOr<std::shared_ptr<EVP_PKEY>> EcKey(const Struct& jwk,
                                                absl::string_view crv) {
  const char* group = nullptr;
  size_t size = 0;
  if (crv == "P-256") {
    group = "prime256v1";
    size = 32;
  } else if (crv == "P-384") {
    group = "secp384r1";
    size = 48;
  } else {
    return absl::FailedPreconditionError("unsupported curve");
  }
  auto x = DecodedField(jwk, "x");
  if (!x.ok()) return x.status();
  auto y = DecodedField(jwk, "y");
  if (!y.ok()) return y.status();
  if (x->size() != size || y->size() != size) {
    return absl::InvalidArgumentError("EC coordinates of the wrong size");
  }
  const std::string point = absl::StrCat("\x04", *x, *y);
  std::unique_ptr<OSSL_PARAM_BLD, ParamBldFree> bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1) {
    return absl::ResourceExhaustedError("out of memory");
  }
  auto key = FromParams("EC", bld.get());
  if (!key.ok()) return key;
  // fromdata does not check that the point lies on the curve.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(
      EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return absl::InvalidArgumentError("EC point is not on the curve");
  }
  return key;
}

struct AlgSpec {
  absl::string_view name;
  // "RSA", "RSA-PSS" (an RSA key with PSS padding) or an EC curve.
  absl::string_view family;
  const EVP_MD* (*md)();
};

constexpr AlgSpec kAlgs[] = {
    {"RS256", "RSA", EVP_sha256},     {"RS384", "RSA", EVP_sha384},
    {"RS512", "RSA", EVP_sha512},     {"PS256", "RSA-PSS", EVP_sha256},
    {"PS384", "RSA-PSS", EVP_sha384}, {"PS512", "RSA-PSS", EVP_sha512},
    {"ES256", "P-256", EVP_sha256},   {"ES384", "P-384", EVP_sha384},
};

const AlgSpec* FindAlg(absl::string_view alg) {
  for (const AlgSpec& spec : kAlgs) {
    if (spec.name == alg) return &spec;
  }
  return nullptr;
}

// JOSE's fixed-size r||s as the DER ECDSA-Sig-Value libcrypto verifies.
absl::StatusOr<std::string> JoseToDer(absl::string_view sig, size_t size) {
  if (sig.size() != 2 * size) {
    return absl::InvalidArgumentError("ES signature of the wrong size");
  }
  std::unique_ptr<ECDSA_SIG, EcdsaSigFree> ecdsa(ECDSA_SIG_new());
  BnPtr r = ToBignum(sig.substr(0, size));
  BnPtr s = ToBignum(sig.substr(size));
  if (ecdsa == nullptr || r == nullptr || s == nullptr ||
      ECDSA_SIG_set0(ecdsa.get(), r.get(), s.get()) != 1) {
    return absl::ResourceExhaustedError("out of memory");
  }
  r.release();
  s.release();
  unsigned char* der = nullptr;
  const int length = i2d_ECDSA_SIG(ecdsa.get(), &der);
  if (length <= 0) return absl::InvalidArgumentError("bad ES signature");
  std::string out(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

bool IsAcceptedJwsAlgorithm(absl::string_view alg) {
  return FindAlg(alg) != nullptr;
}

absl::StatusOr<std::vector<Jwk>> ParseJwks(absl::string_view json) {
  // libcrypto's error queue is per thread and shared with gRPC's TLS.
  absl::Cleanup clear_errors = [] { ERR_clear_error(); };
  Struct doc;
  if (auto s = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &doc);
      !s.ok()) {
    return absl::InvalidArgumentError("JWKS is not a JSON object");
  }
  auto keys = doc.fields().find("keys");
  if (keys == doc.fields().end() ||
      keys->second.kind_case() != Value::kListValue) {
    return absl::InvalidArgumentError("JWKS has no keys array");
  }
  std::vector<Jwk> out;
  int index = 0;
  for (const Value& value : keys->second.list_value().values()) {
    const int i = index++;
    if (value.kind_case() != Value::kStructValue) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS keys[", i, "] is not an object"));
    }
    const Struct& object = value.struct_value();
    Jwk jwk;
    jwk.kid = StringField(object, "kid");
    jwk.kty = StringField(object, "kty");
    jwk.alg = StringField(object, "alg");
    jwk.use = StringField(object, "use");
    jwk.crv = StringField(object, "crv");
    if (!jwk.use.empty() && jwk.use != "sig") continue;
    if (!jwk.alg.empty() && !IsAcceptedJwsAlgorithm(jwk.alg)) continue;
    absl::StatusOr<std::shared_ptr<EVP_PKEY>> key;
    if (jwk.kty == "RSA") {
      key = RsaKey(object);
    } else if (jwk.kty == "EC") {
      key = EcKey(object, jwk.crv);
    } else {
      continue;
    }
    if (absl::IsFailedPrecondition(key.status())) continue;
    if (!key.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("JWKS keys[", i, "]: ", key.status().message()));
    }
    jwk.key = *std::move(key);
    out.push_back(std::move(jwk));
  }
  return out;
}

absl::Status VerifyJwtSignature(const Jwt& jwt, const Jwk& key,
                                absl::string_view source) {
  absl::Cleanup clear_errors = [] { ERR_clear_error(); };
  auto invalid = [source](absl::string_view why) {
    return WorkloadTokenError(kWorkloadTokenInvalid, source, why);
  };
  const AlgSpec* spec = FindAlg(jwt.alg);
  if (spec == nullptr) {
    return invalid(
        absl::StrCat("alg '", jwt.alg.substr(0, 16), "' is not accepted"));
  }
  if (!key.alg.empty() && key.alg != jwt.alg) {
    return invalid("alg differs from the key's alg");
  }
  const bool rsa = spec->family == "RSA" || spec->family == "RSA-PSS";
  if (rsa ? key.kty != "RSA" : (key.kty != "EC" || key.crv != spec->family)) {
    return invalid("alg does not fit the key's type");
  }
  std::string signature = jwt.signature;
  if (!rsa) {
    auto der = JoseToDer(jwt.signature, spec->family == "P-256" ? 32 : 48);
    if (!der.ok()) return invalid("signature is malformed");
    signature = *std::move(der);
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> md_ctx(EVP_MD_CTX_new());
  EVP_PKEY_CTX* pkey_ctx = nullptr;
  if (md_ctx == nullptr ||
      EVP_DigestVerifyInit(md_ctx.get(), &pkey_ctx, spec->md(), nullptr,
                           key.key.get()) != 1) {
    return invalid("signature cannot be checked with this key");
  }
  if (spec->family == "RSA-PSS" &&
      (EVP_PKEY_CTX_set_rsa_padding(pkey_ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
       EVP_PKEY_CTX_set_rsa_pss_saltlen(pkey_ctx, RSA_PSS_SALTLEN_DIGEST) !=
           1)) {
    return invalid("signature cannot be checked with this key");
  }
  if (EVP_DigestVerify(
          md_ctx.get(),
          reinterpret_cast<const unsigned char*>(signature.data()),
          signature.size(),
          reinterpret_cast<const unsigned char*>(jwt.signing_input.data()),
          jwt.signing_input.size()) != 1) {
    return invalid("signature does not verify");
  }
  return absl::OkStatus();
}

}  // namespace vercel_tokens
