#include "server/identity/forwarded_cert_source.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/identity/certificate_pem.h"
#include "server/identity/certificate_source.h"
#include "server/identity/identity_errors.h"

namespace vercel_tokens {
namespace {

bool IsKeyChar(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '_';
}

absl::Status Malformed(absl::string_view what, size_t at) {
  return absl::InvalidArgumentError(
      absl::StrCat("x-forwarded-client-cert: ", what, " at byte ", at));
}

absl::Status Refused(absl::string_view why) {
  return UnauthenticatedIdentity(
      kForwardedClientCertInvalid,
      absl::StrCat("the x-forwarded-client-cert header is refused: ", why));
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The identity an element's URI= or DNS= pairs name, if any.
std::optional<std::string> NamedIdentity(const ForwardedElement& element) {
  for (const auto& [key, value] : element) {
    if (absl::EqualsIgnoreCase(key, "URI") && IsUriIdentity(value)) {
      return value;
    }
  }
  for (const auto& [key, value] : element) {
    if (absl::EqualsIgnoreCase(key, "DNS") && !value.empty()) {
      return absl::StrCat("dns:", value);
    }
  }
  return std::nullopt;
}

// The identity of the certificate a Cert= value (URL-encoded PEM) holds,
// derived as for the TLS listener's own verified certificate.
absl::StatusOr<std::string> IdentityFromCertificatePem(
    absl::string_view escaped) {
  if (escaped.size() > 3 * kMaxCertificatePemBytes) {
    return Refused("its Cert= is too long");
  }
  absl::StatusOr<std::string> pem = PercentDecode(escaped);
  if (!pem.ok()) return Refused(pem.status().message());
  absl::StatusOr<PeerCertificateNames> names = CertificateNamesFromPem(*pem);
  if (!names.ok()) return Refused(names.status().message());
  return IdentityFromCertificate(*names);
}

}  // namespace

absl::StatusOr<std::vector<ForwardedElement>> ParseForwardedClientCert(
    absl::string_view header) {
  std::vector<ForwardedElement> elements(1);
  size_t i = 0;
  while (true) {
    const size_t key_start = i;
    while (i < header.size() && IsKeyChar(header[i])) ++i;
    if (i == key_start) return Malformed("expected a key", i);
    std::string key(header.substr(key_start, i - key_start));
    if (i >= header.size() || header[i] != '=') {
      return Malformed("expected '='", i);
    }
    ++i;
    std::string value;
    if (i < header.size() && header[i] == '"') {
      ++i;
      bool closed = false;
      while (i < header.size()) {
        const char c = header[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\') {
          if (i >= header.size()) break;
          value.push_back(header[i++]);
        } else {
          value.push_back(c);
        }
      }
      if (!closed) return Malformed("unterminated quoted value", i);
    } else {
      while (i < header.size() && header[i] != ',' && header[i] != ';') {
        if (header[i] == '"') {
          return Malformed("unexpected character in a value", i);
        }
        value.push_back(header[i++]);
      }
    }
    elements.back().emplace_back(std::move(key), std::move(value));
    if (i == header.size()) return elements;
    if (header[i] == ',') {
      elements.emplace_back();
    } else if (header[i] != ';') {
      return Malformed("expected ';' or ','", i);
    }
    ++i;
  }
}

absl::StatusOr<std::string> PercentDecode(absl::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out.push_back(value[i]);
      continue;
    }
    const int high = i + 1 < value.size() ? HexValue(value[i + 1]) : -1;
    const int low = i + 2 < value.size() ? HexValue(value[i + 2]) : -1;
    if (high < 0 || low < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("a '%' not followed by two hex digits at byte ", i));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

absl::StatusOr<std::string> IdentityFromForwardedElement(
    const ForwardedElement& element) {
  std::optional<std::string> named = NamedIdentity(element);
  const std::string* cert = nullptr;
  for (const auto& [key, value] : element) {
    if (!absl::EqualsIgnoreCase(key, "Cert")) continue;
    if (cert != nullptr) return Refused("the trusted element has two Cert=");
    cert = &value;
  }
  if (cert == nullptr) {
    if (named.has_value()) return *std::move(named);
    return Refused("the trusted element has no Cert, URI or DNS name");
  }
  absl::StatusOr<std::string> id = IdentityFromCertificatePem(*cert);
  if (!id.ok()) return id.status();
  if (named.has_value() && *named != *id) {
    return Refused("its URI or DNS name is not its certificate's");
  }
  return id;
}

absl::StatusOr<std::string> IdentityFromForwardedClientCert(
    const std::vector<std::string>& headers, int trusted_proxy_hops) {
  if (headers.size() != 1) return Refused("it was sent more than once");
  absl::StatusOr<std::vector<ForwardedElement>> elements =
      ParseForwardedClientCert(headers.front());
  if (!elements.ok()) return Refused(elements.status().message());
  if (elements->size() < static_cast<size_t>(trusted_proxy_hops)) {
    return Refused("it has fewer elements than --trusted_proxy_hops");
  }
  return IdentityFromForwardedElement(
      (*elements)[elements->size() - static_cast<size_t>(trusted_proxy_hops)]);
}

bool ForwardedCertSource::Presented(const CallCredentials& call) const {
  return !call.forwarded_client_certs.empty();
}

void ForwardedCertSource::Identify(const CallCredentials& call, Done done) {
  absl::StatusOr<std::string> id = IdentityFromForwardedClientCert(
      call.forwarded_client_certs, trusted_proxy_hops_);
  if (!id.ok()) {
    std::move(done)(id.status());
    return;
  }
  Caller caller;
  caller.id = *std::move(id);
  caller.source = CallerSource::kXfcc;
  std::move(done)(std::move(caller));
}

}  // namespace vercel_tokens
