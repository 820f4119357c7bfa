#include "server/rpc/caller_identity.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "grpc/grpc_security_constants.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kForwardedClientCert = "x-forwarded-client-cert";

// Splits `text` at each `separator` that is not inside double quotes.
std::vector<absl::string_view> SplitOutsideQuotes(absl::string_view text,
                                                  char separator) {
  std::vector<absl::string_view> parts;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && quoted) {
      ++i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (text[i] == separator && !quoted) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

// `value` without its surrounding double quotes and backslash escapes.
std::string Unquote(absl::string_view value) {
  if (value.size() < 2 || value.front() != '"' || value.back() != '"') {
    return std::string(value);
  }
  value = value.substr(1, value.size() - 2);
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '\\' && i + 1 < value.size()) ++i;
    out.push_back(value[i]);
  }
  return out;
}

std::vector<std::string> PropertyValues(const grpc::AuthContext& auth,
                                        const char* name) {
  std::vector<std::string> values;
  for (const grpc::string_ref& value : auth.FindPropertyValues(name)) {
    values.emplace_back(value.data(), value.size());
  }
  return values;
}

}  // namespace

std::optional<std::string> IdentityFromCertificate(
    const PeerCertificateNames& names) {
  for (const auto* sans : {&names.uri_sans, &names.dns_sans}) {
    for (const std::string& san : *sans) {
      if (!san.empty()) return san;
    }
  }
  if (!names.common_name.empty()) return names.common_name;
  return std::nullopt;
}

std::optional<std::string> IdentityFromForwardedClientCert(
    absl::string_view header) {
  const std::vector<absl::string_view> elements =
      SplitOutsideQuotes(header, ',');
  for (absl::string_view pair : SplitOutsideQuotes(elements.back(), ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    const size_t equals = pair.find('=');
    if (equals == absl::string_view::npos) continue;
    if (absl::EqualsIgnoreCase(pair.substr(0, equals), "URI")) {
      std::string uri = Unquote(pair.substr(equals + 1));
      if (!uri.empty()) return uri;
    }
  }
  return std::nullopt;
}

std::string CallerIdentity(const grpc::ServerContextBase& context,
                           const CallerIdentityOptions& options) {
  if (options.trust_forwarded_client_cert) {
    const auto& metadata = context.client_metadata();
    // The sidecar appends its element to the last header value.
    std::optional<std::string> forwarded;
    const auto [begin, end] = metadata.equal_range(grpc::string_ref(
        kForwardedClientCert.data(), kForwardedClientCert.size()));
    for (auto it = begin; it != end; ++it) {
      forwarded = IdentityFromForwardedClientCert(
          absl::string_view(it->second.data(), it->second.size()));
    }
    if (forwarded.has_value()) return *forwarded;
  }
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    PeerCertificateNames names;
    names.uri_sans = PropertyValues(*auth, GRPC_PEER_URI_PROPERTY_NAME);
    names.dns_sans = PropertyValues(*auth, GRPC_PEER_DNS_PROPERTY_NAME);
    const std::vector<std::string> cn =
        PropertyValues(*auth, GRPC_X509_CN_PROPERTY_NAME);
    if (!cn.empty()) names.common_name = cn.front();
    if (std::optional<std::string> id = IdentityFromCertificate(names)) {
      return *id;
    }
  }
  return std::string(kAnonymousCaller);
}

}  // namespace vercel_tokens
