#include "server/identity/identity_source.h"

#include <utility>

#include "grpc/grpc_security_constants.h"

namespace vercel_tokens {
namespace {

std::vector<std::string> PropertyValues(const grpc::AuthContext& auth,
                                        const char* name) {
  std::vector<std::string> values;
  for (const grpc::string_ref& value : auth.FindPropertyValues(name)) {
    values.emplace_back(value.data(), value.size());
  }
  return values;
}

std::vector<std::string> MetadataValues(const grpc::ServerContextBase& context,
                                        absl::string_view key) {
  std::vector<std::string> values;
  const auto [begin, end] = context.client_metadata().equal_range(
      grpc::string_ref(key.data(), key.size()));
  for (auto it = begin; it != end; ++it) {
    values.emplace_back(it->second.data(), it->second.size());
  }
  return values;
}

}  // namespace

CallCredentials CallCredentials::FromContext(
    const grpc::ServerContextBase& context) {
  CallCredentials call;
  const std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
  if (auth != nullptr && auth->IsPeerAuthenticated()) {
    PeerCertificateNames names;
    names.uri_sans = PropertyValues(*auth, GRPC_PEER_URI_PROPERTY_NAME);
    names.dns_sans = PropertyValues(*auth, GRPC_PEER_DNS_PROPERTY_NAME);
    const std::vector<std::string> cn =
        PropertyValues(*auth, GRPC_X509_CN_PROPERTY_NAME);
    if (!cn.empty()) names.common_name = cn.front();
    call.peer_certificate = std::move(names);
  }
  call.forwarded_client_certs =
      MetadataValues(context, kForwardedClientCertKey);
  call.workload_tokens = MetadataValues(context, kWorkloadTokenKey);
  return call;
}

IdentityChain::IdentityChain(
    std::vector<std::unique_ptr<IdentitySource>> sources)
    : sources_(std::move(sources)) {}

void IdentityChain::Identify(const CallCredentials& call,
                             IdentitySource::Done done) const {
  for (const std::unique_ptr<IdentitySource>& source : sources_) {
    if (source->Presented(call)) {
      source->Identify(call, std::move(done));
      return;
    }
  }
  std::move(done)(Caller());
}

}  // namespace vercel_tokens
