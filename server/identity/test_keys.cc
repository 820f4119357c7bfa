#include "server/identity/test_keys.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdlib>
#include <iostream>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "server/identity/jwt.h"

namespace vercel_tokens::testing {
namespace {

[[noreturn]] void Die(absl::string_view what) {
  std::cerr << "test_keys: " << what << " failed\n";
  std::abort();
}

std::string BnParam(EVP_PKEY* key, const char* name, int size = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) Die(name);
  std::string out(static_cast<size_t>(size > 0 ? size : BN_num_bytes(bn)),
                  '\0');
  if (size > 0) {
    BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), size);
  } else {
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(out.data()));
  }
  BN_free(bn);
  return out;
}

const EVP_MD* Md(absl::string_view alg) {
  if (absl::EndsWith(alg, "384")) return EVP_sha384();
  if (absl::EndsWith(alg, "512")) return EVP_sha512();
  return EVP_sha256();
}

}  // namespace

TestKey::TestKey(absl::string_view kind, std::string kid)
    : kind_(kind), kid_(std::move(kid)) {
  EVP_PKEY* key = nullptr;
  if (kind == "RSA") {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048});
  } else {
    key = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC",
                            kind == "P-256" ? "prime256v1" : "secp384r1");
  }
  if (key == nullptr) Die("keygen");
  key_.reset(key, EVP_PKEY_free);
}

std::string TestKey::PublicJwk(absl::string_view alg) const {
  std::vector<std::string> fields = {absl::StrCat("\"kid\":\"", kid_, "\"")};
  if (!alg.empty()) fields.push_back(absl::StrCat("\"alg\":\"", alg, "\""));
  if (kind_ == "RSA") {
    fields.push_back("\"kty\":\"RSA\"");
    fields.push_back(absl::StrCat(
        "\"n\":\"", Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_N)),
        "\""));
    fields.push_back(absl::StrCat(
        "\"e\":\"", Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_RSA_E)),
        "\""));
  } else {
    const int size = kind_ == "P-256" ? 32 : 48;
    fields.push_back("\"kty\":\"EC\"");
    fields.push_back(absl::StrCat("\"crv\":\"", kind_, "\""));
    fields.push_back(absl::StrCat(
        "\"x\":\"",
        Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_X, size)),
        "\""));
    fields.push_back(absl::StrCat(
        "\"y\":\"",
        Base64UrlEncode(BnParam(key_.get(), OSSL_PKEY_PARAM_EC_PUB_Y, size)),
        "\""));
  }
  return absl::StrCat("{", absl::StrJoin(fields, ","), "}");
}

std::string TestKey::Sign(absl::string_view alg,
                          absl::string_view claims_json) const {
  const std::string input = absl::StrCat(
      Base64UrlEncode(absl::StrCat("{\"alg\":\"", alg, "\",\"kid\":\"", kid_,
                                   "\",\"typ\":\"JWT\"}")),
      ".", Base64UrlEncode(claims_json));
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  if (EVP_DigestSignInit(ctx, &pctx, Md(alg), nullptr, key_.get()) != 1) {
    Die("sign init");
  }
  if (alg[0] == 'P') {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (EVP_DigestSign(ctx, nullptr, &length, data, input.size()) != 1) {
    Die("sign size");
  }
  std::string sig(length, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &length,
                     data, input.size()) != 1) {
    Die("sign");
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(length);
  if (kind_ != "RSA") {
    const int size = kind_ == "P-256" ? 32 : 48;
    const auto* der = reinterpret_cast<const unsigned char*>(sig.data());
    ECDSA_SIG* ecdsa = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(length));
    if (ecdsa == nullptr) Die("d2i_ECDSA_SIG");
    std::string jose(2 * size, '\0');
    BN_bn2binpad(ECDSA_SIG_get0_r(ecdsa),
                 reinterpret_cast<unsigned char*>(jose.data()), size);
    BN_bn2binpad(ECDSA_SIG_get0_s(ecdsa),
                 reinterpret_cast<unsigned char*>(jose.data()) + size, size);
    ECDSA_SIG_free(ecdsa);
    sig = jose;
  }
  return absl::StrCat(input, ".", Base64UrlEncode(sig));
}

std::string TestKey::PublicPem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, key_.get());
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(length));
  BIO_free(bio);
  return pem;
}

std::string Jwks(std::initializer_list<std::string> jwks) {
  return absl::StrCat("{\"keys\":[", absl::StrJoin(jwks, ","), "]}");
}

std::string RawJwt(absl::string_view header_json, absl::string_view claims_json,
                   absl::string_view signature) {
  return absl::StrCat(Base64UrlEncode(header_json), ".",
                      Base64UrlEncode(claims_json), ".",
                      Base64UrlEncode(signature));
}

std::string Hs256Jwt(absl::string_view kid, absl::string_view claims_json,
                     absl::string_view secret) {
  const std::string input =
      absl::StrCat(Base64UrlEncode(absl::StrCat("{\"alg\":\"HS256\",\"kid\":\"",
                                                kid, "\",\"typ\":\"JWT\"}")),
                   ".", Base64UrlEncode(claims_json));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac,
       &length);
  return absl::StrCat(
      input, ".",
      Base64UrlEncode(absl::string_view(reinterpret_cast<char*>(mac), length)));
}

}  // namespace vercel_tokens::testing
