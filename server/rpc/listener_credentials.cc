#include "server/rpc/listener_credentials.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <system_error>

#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include "server/common/files.h"

namespace vercel_tokens {
namespace {

absl::Status Readable(absl::string_view flag, const std::string& path) {
  if (absl::StatusOr<std::string> contents = ReadFile(path); !contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat(flag, ": ", contents.status().message()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>>
ReloadingTlsCredentials(const ListenerTlsFiles& files, Logger& logger) {
  if (absl::Status s = Readable("--tls_cert_file", files.cert_file); !s.ok()) {
    return s;
  }
  if (absl::Status s = Readable("--tls_key_file", files.key_file); !s.ok()) {
    return s;
  }
  const std::string& client_ca_file = files.client_ca_file;
  if (std::error_code error; !client_ca_file.empty() &&
                             !std::filesystem::exists(client_ca_file, error)) {
    logger.Log(LogLevel::kWarning,
               "client CA file missing: client handshakes fail until it "
               "appears",
               {{"file", absl::string_view(client_ca_file)}});
  }
  const unsigned int interval_seconds = static_cast<unsigned int>(
      std::max<int64_t>(1, absl::ToInt64Seconds(files.reload_interval)));
  auto provider =
      std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          files.key_file, files.cert_file, client_ca_file, interval_seconds);
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    options.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

}  // namespace vercel_tokens
