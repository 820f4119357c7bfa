#include "server/identity/forwarded_cert_source.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
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

absl::StatusOr<std::string> IdentityFromForwardedElement(
    const ForwardedElement& element) {
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
  return Refused("the trusted element has no URI or DNS name");
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
