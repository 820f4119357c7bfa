#include "server/identity/certificate_pem.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace vercel_tokens {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const { GENERAL_NAMES_free(names); }
};

constexpr absl::string_view kBegin = "-----BEGIN CERTIFICATE-----";

absl::Status Invalid(absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("the forwarded certificate is refused: ", what));
}

// `text` as UTF-8, as gRPC reads names (ASN1_STRING_to_UTF8).
absl::StatusOr<std::string> Utf8(const ASN1_STRING* text) {
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, text);
  if (size < 0) return Invalid("a name is not readable as UTF-8");
  std::string out(reinterpret_cast<const char*>(utf8),
                  static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return out;
}

absl::Status ReadSubjectAltNames(X509* cert, PeerCertificateNames& names) {
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> sans(
      static_cast<GENERAL_NAMES*>(
          X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (sans == nullptr) return absl::OkStatus();
  for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
    const GENERAL_NAME* san = sk_GENERAL_NAME_value(sans.get(), i);
    if (san->type != GEN_URI && san->type != GEN_DNS) continue;
    absl::StatusOr<std::string> value = Utf8(san->d.ia5);
    if (!value.ok()) return value.status();
    (san->type == GEN_URI ? names.uri_sans : names.dns_sans)
        .push_back(*std::move(value));
  }
  return absl::OkStatus();
}

absl::Status ReadCommonName(X509* cert, PeerCertificateNames& names) {
  const X509_NAME* subject = X509_get_subject_name(cert);
  if (subject == nullptr) return absl::OkStatus();
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return absl::OkStatus();
  absl::StatusOr<std::string> cn =
      Utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  if (!cn.ok()) return cn.status();
  names.common_name = *std::move(cn);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<PeerCertificateNames> CertificateNamesFromPem(
    absl::string_view pem) {
  if (pem.size() > kMaxCertificatePemBytes) {
    return Invalid(
        absl::StrCat("longer than ", kMaxCertificatePemBytes, " bytes"));
  }
  const absl::string_view text = absl::StripAsciiWhitespace(pem);
  if (text.substr(0, kBegin.size()) != kBegin) {
    return Invalid("not a PEM certificate");
  }
  if (text.find(kBegin, kBegin.size()) != absl::string_view::npos) {
    return Invalid("more than one certificate");
  }
  std::unique_ptr<BIO, BioFree> bio(
      BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (bio == nullptr) return Invalid("out of memory");
  std::unique_ptr<X509, X509Free> cert(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    // Leave nothing on this thread's OpenSSL error queue for others to read.
    ERR_clear_error();
    return Invalid("not a PEM certificate");
  }
  if (BIO_pending(bio.get()) != 0) {
    return Invalid("text after the certificate");
  }
  PeerCertificateNames names;
  if (absl::Status s = ReadSubjectAltNames(cert.get(), names); !s.ok()) {
    return s;
  }
  if (absl::Status s = ReadCommonName(cert.get(), names); !s.ok()) return s;
  return names;
}

}  // namespace vercel_tokens
