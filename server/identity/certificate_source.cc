#include "server/identity/certificate_source.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/identity/identity_errors.h"

namespace vercel_tokens {

bool IsUriIdentity(absl::string_view uri) {
  const size_t colon = uri.find(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  const absl::string_view scheme = uri.substr(0, colon);
  if (!absl::ascii_isalpha(static_cast<unsigned char>(scheme[0]))) {
    return false;
  }
  for (char c : scheme) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' &&
        c != '-' && c != '.') {
      return false;
    }
  }
  return !absl::EqualsIgnoreCase(scheme, "dns") &&
         !absl::EqualsIgnoreCase(scheme, "cn");
}

absl::StatusOr<std::string> IdentityFromCertificate(
    const PeerCertificateNames& names) {
  for (const std::string& san : names.uri_sans) {
    if (IsUriIdentity(san)) return san;
  }
  for (const std::string& san : names.dns_sans) {
    if (!san.empty()) return absl::StrCat("dns:", san);
  }
  if (!names.common_name.empty()) {
    return absl::StrCat("cn:", names.common_name);
  }
  return UnauthenticatedIdentity(
      kClientCertificateUnusable,
      "the client certificate has no URI SAN, DNS SAN or subject CN to "
      "identify the caller by");
}

bool CertificateSource::Presented(const CallCredentials& call) const {
  return call.peer_certificate.has_value();
}

void CertificateSource::Identify(const CallCredentials& call, Done done) {
  absl::StatusOr<std::string> id =
      IdentityFromCertificate(*call.peer_certificate);
  if (!id.ok()) {
    std::move(done)(id.status());
    return;
  }
  Caller caller;
  caller.id = *std::move(id);
  caller.source = CallerSource::kMtls;
  std::move(done)(std::move(caller));
}

}  // namespace vercel_tokens
