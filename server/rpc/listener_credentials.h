#ifndef VERCEL_USER_TOKENS_SERVER_RPC_LISTENER_CREDENTIALS_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_LISTENER_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "server/common/logger.h"

namespace vercel_tokens {

// The PEM files of a TLS listener.
struct ListenerTlsFiles {
  // Certificate chain and private key; both required.
  std::string cert_file;
  std::string key_file;
  // CAs that sign client certificates; empty for none. With one, clients
  // must present a certificate it signed. A file that does not exist yet is
  // not fatal (a certificate issuer may write its ca.crt later): a warning
  // says so, and client handshakes fail until it appears (never open).
  std::string client_ca_file;
  // How often the files are read again (gRPC's minimum is 1 s).
  absl::Duration reload_interval = absl::Minutes(1);
};

// Credentials of a TLS listener that follow its files: gRPC's
// FileWatcherCertificateProvider reads them every `reload_interval`, and a
// changed certificate, key or CA applies to the next handshakes;
// connections already open keep going (the certificate that was presented
// to them stays valid for them). A pair that does not match, or a file
// that cannot be read, keeps the previous one (gRPC logs why).
//
// Fails when the certificate or key cannot be read at start, naming the
// flag. Thread-safe; the credentials share ownership of the provider.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
ReloadingTlsCredentials(const ListenerTlsFiles& files, Logger& logger);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_LISTENER_CREDENTIALS_H_
