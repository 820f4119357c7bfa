#ifndef VERCEL_USER_TOKENS_SERVER_CONFIG_H_
#define VERCEL_USER_TOKENS_SERVER_CONFIG_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/logger.h"
#include "server/common/url.h"

namespace vercel_tokens {

// The product's name and version (set by CMake from the VERSION file).
inline constexpr absl::string_view kServerName = "vercel-tokens-server";
inline constexpr absl::string_view kServerVersion = VUT_VERSION;
// The commit it was built from (CMake's VUT_COMMIT): `unknown` outside a git
// checkout, so that such builds stay reproducible.
inline constexpr absl::string_view kServerCommit = VUT_COMMIT;

// The smallest --grpc_memory_limit_bytes: below it gRPC cannot hold a few
// connections' buffers.
inline constexpr int64_t kMinGrpcMemoryLimitBytes = 8 << 20;
// The longest duration a gRPC channel argument holds (milliseconds in an
// int), rounded down to whole days.
inline constexpr absl::Duration kMaxChannelArgDuration = absl::Hours(24 * 24);

// Everything the server's flags say, checked. Plain data; the defaults are
// those of the flags (config.cc documents each one).
struct ServerConfig {
  std::string listen = "0.0.0.0:50051";
  BaseUrl vercel_api_base_url;
  std::string vercel_token_file;
  std::string vercel_ca_file;
  absl::Duration default_deadline = absl::Seconds(30);
  absl::Duration shutdown_grace = absl::Seconds(10);
  int64_t max_response_bytes = 4 << 20;
  int max_list_pages = 100;
  int64_t max_list_bytes = 32 << 20;
  int max_upstream_connections = 64;
  int upstream_max_attempts = 3;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_client_ca_file;
  bool trust_forwarded_client_cert = false;
  int trusted_proxy_hops = 1;
  // Kubernetes workload identity (identity/token_review_verifier.h).
  bool kubernetes_token_review = false;
  // Empty origin: none configured.
  BaseUrl kubernetes_api_url;
  std::string kubernetes_ca_file =
      "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt";
  std::string kubernetes_token_file =
      "/var/run/secrets/kubernetes.io/serviceaccount/token";
  std::string workload_token_audience = "vercel-user-tokens";
  std::string trust_domain = "cluster.local";
  int max_token_reviews_in_flight = 64;
  int max_token_review_cache_entries = 10000;
  std::string policy_file;
  absl::Duration orphan_grace = absl::Seconds(10);
  absl::Duration orphan_revoke_timeout = absl::Seconds(10);
  // --idempotency_store: "memory", redis://host:port[/db] or rediss://.
  std::string idempotency_store = "memory";
  std::string idempotency_store_password_file;
  std::string idempotency_store_key_file;
  std::string idempotency_store_ca_file;
  // --idempotency_store_unavailable: "refuse" or "memory".
  std::string idempotency_store_unavailable = "refuse";
  absl::Duration idempotency_window = absl::Minutes(10);
  int max_idempotency_entries = 10000;
  absl::Duration max_connection_age = absl::Minutes(5);
  absl::Duration max_connection_age_grace = absl::Seconds(30);
  std::string metrics_listen;
  // 0: no probes of the Vercel API (vercel/upstream_probe.h).
  absl::Duration upstream_probe_interval = absl::Seconds(30);
  LogLevel log_level = LogLevel::kInfo;
  // Bounds against overload and hostile clients (listener_limits.h applies
  // the transport ones).
  int max_in_flight = 1000;
  int64_t max_request_bytes = 64 << 10;
  int max_concurrent_streams = 100;
  int64_t grpc_memory_limit_bytes = 32 << 20;
  absl::Duration handshake_timeout = absl::Seconds(10);
  absl::Duration max_connection_idle = absl::Minutes(1);
  // Draining and keepalive (flags --drain_delay and --keepalive_*).
  absl::Duration drain_delay = absl::ZeroDuration();
  absl::Duration keepalive_time = absl::Minutes(1);
  absl::Duration keepalive_timeout = absl::Seconds(20);
  absl::Duration keepalive_min_ping_interval = absl::Seconds(10);
  bool keepalive_permit_without_calls = true;
  absl::Duration tls_reload_interval = absl::Minutes(1);
};

// Whether `config`'s values hold together: positive durations and limits
// (durations that become gRPC channel arguments at most
// kMaxChannelArgDuration), TLS certificate and key given together, a client
// CA only with them, never a forwarded client certificate with a TLS
// listener, and what TokenReview needs when it is on. The error names the
// flag.
absl::Status CheckConfig(const ServerConfig& config);

// The in-cluster API server origin from $KUBERNETES_SERVICE_HOST and
// $KUBERNETES_SERVICE_PORT (null when unset): https://host:port, an IPv6
// host in brackets; empty when either is missing. Pure.
std::string KubernetesApiUrlFromEnv(const char* host, const char* port);

// The parsed command-line flags as a config, checked by CheckConfig. Call
// after absl::ParseCommandLine.
absl::StatusOr<ServerConfig> ConfigFromFlags();

// Installs the usage message, --help filtering and --version text of the
// server's flags; call before absl::ParseCommandLine.
void SetServerUsage();

// The server's own Vercel token: the contents of `config.vercel_token_file`,
// else `env_token` (the value of $VERCEL_TOKEN, or null), trimmed; empty for
// none. Fails when the file cannot be read or the token is not well formed.
// The error never contains the token.
absl::StatusOr<std::string> LoadServerToken(const ServerConfig& config,
                                            const char* env_token);

// The contents of the file `path` named by the flag `flag`; errors name the
// flag.
absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag,
                                         const std::string& path);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_CONFIG_H_
