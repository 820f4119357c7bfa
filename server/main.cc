// vercel-tokens-server: serves vercel.authentication.v1.UserTokensService
// over gRPC by calling the Vercel REST API. Wiring only: the flags are read
// by config.cc.

#include <curl/curl.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "prometheus/registry.h"
#include "server/common/library_logs.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/common/metrics_endpoint.h"
#include "server/common/process_metrics.h"
#include "server/config.h"
#include "server/identity/certificate_source.h"
#include "server/identity/forwarded_cert_source.h"
#include "server/identity/identity_source.h"
#include "server/identity/token_review_verifier.h"
#include "server/identity/workload_token_source.h"
#include "server/issuance/redis_client.h"
#include "server/issuance/shared_idempotency.h"
#include "server/listener_limits.h"
#include "server/rpc/health.h"
#include "server/rpc/idempotency.h"
#include "server/rpc/listener_credentials.h"
#include "server/rpc/orphan.h"
#include "server/rpc/policy_store.h"
#include "server/rpc/server_token_id.h"
#include "server/rpc/undecodable_requests.h"
#include "server/rpc/user_tokens_service.h"
#include "server/vercel/http_client.h"
#include "server/vercel/reachability.h"
#include "server/vercel/upstream_probe.h"

namespace vercel_tokens {
namespace {

// Over this window of upstream outcomes the server decides whether Vercel
// can be reached (vercel/reachability.h).
constexpr absl::Duration kReachabilityWindow = absl::Seconds(60);
// How old the process_* metrics may be when scraped (common/process_metrics.h).
constexpr absl::Duration kProcessMetricsRefresh = absl::Seconds(5);
// How often the server's own ServiceAccount token is re-read (the kubelet
// rotates it; clients are advised to re-read once a minute).
constexpr absl::Duration kServiceAccountTokenReload = absl::Seconds(30);
// The largest TokenReview answer read.
constexpr size_t kMaxTokenReviewBytes = 1 << 20;

// Plaintext, or TLS only (reloading its files) when --tls_cert_file and
// --tls_key_file are set; with --tls_client_ca_file, mutual TLS that refuses
// a handshake without a client certificate from those CAs.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(
    const ServerConfig& config, Logger& logger) {
  if (config.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  ListenerTlsFiles files;
  files.cert_file = config.tls_cert_file;
  files.key_file = config.tls_key_file;
  files.client_ca_file = config.tls_client_ca_file;
  files.reload_interval = config.tls_reload_interval;
  return ReloadingTlsCredentials(files, logger);
}

// The keepalive policy of --keepalive_*: the server's own pings, and the
// client pings it accepts.
void AddKeepalive(const ServerConfig& config, grpc::ServerBuilder& builder) {
  auto millis = [](absl::Duration d) {
    return static_cast<int>(absl::ToInt64Milliseconds(d));
  };
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             millis(config.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             millis(config.keepalive_timeout));
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      millis(config.keepalive_min_ping_interval));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS,
                             config.keepalive_permit_without_calls ? 1 : 0);
}

// Waits for one of `signals` until `deadline`; returns whether one came.
bool WaitForSignal(const sigset_t& signals, absl::Time deadline) {
  for (absl::Duration left = deadline - absl::Now();
       left > absl::ZeroDuration(); left = deadline - absl::Now()) {
    const timespec timeout = absl::ToTimespec(left);
    if (sigtimedwait(&signals, nullptr, &timeout) > 0) return true;
  }
  return false;
}

// "host:port" of the listener, with the port gRPC chose.
std::string BoundAddress(absl::string_view listen, int port) {
  const size_t colon = listen.rfind(':');
  return absl::StrCat(listen.substr(0, colon), ":", port);
}

int CannotStart(Logger& logger, absl::string_view why) {
  logger.Log(LogLevel::kError, "cannot start", {{"error", why}});
  return 1;
}

int Serve(const sigset_t& signals) {
  absl::StatusOr<ServerConfig> config_or = ConfigFromFlags();
  if (!config_or.ok()) {
    Logger logger(&std::cerr, LogLevel::kInfo);
    return CannotStart(logger, config_or.status().message());
  }
  const ServerConfig& config = *config_or;
  // Lives until the process exits: gRPC and protobuf may log through it
  // from any thread until then.
  Logger& logger = *new Logger(&std::cerr, config.log_level);
  RouteLibraryLogs(&logger);
  absl::StatusOr<std::string> server_token =
      LoadServerToken(config, std::getenv("VERCEL_TOKEN"));
  if (!server_token.ok()) {
    return CannotStart(logger, server_token.status().message());
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ListenerCredentials(config, logger);
  if (!credentials.ok()) {
    return CannotStart(logger, credentials.status().message());
  }

  Metrics metrics(std::make_shared<prometheus::Registry>());
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  std::unique_ptr<ProcessMetrics> process_metrics;
  if (const std::string& address = config.metrics_listen; !address.empty()) {
    process_metrics =
        std::make_unique<ProcessMetrics>(*metrics.registry(), kServerVersion,
                                         kServerCommit, kProcessMetricsRefresh);
    absl::StatusOr<std::unique_ptr<MetricsEndpoint>> started =
        MetricsEndpoint::Start(address, metrics.registry());
    if (!started.ok()) {
      return CannotStart(logger, absl::StrCat("--metrics_listen: ",
                                              started.status().message()));
    }
    metrics_endpoint = *std::move(started);
    logger.Log(LogLevel::kInfo, "metrics listening",
               {{"address", absl::string_view(BoundAddress(
                                address, metrics_endpoint->port()))}});
  }

  HttpClient::Options http_options;
  http_options.base_url = config.vercel_api_base_url;
  http_options.extra_ca_file = config.vercel_ca_file;
  http_options.max_response_bytes =
      static_cast<size_t>(config.max_response_bytes);
  http_options.max_host_connections = config.max_upstream_connections;
  http_options.user_agent = absl::StrCat("vercel-user-tokens/", kServerVersion);
  http_options.metrics = &metrics;
  absl::StatusOr<std::unique_ptr<HttpClient>> http =
      HttpClient::Create(std::move(http_options));
  if (!http.ok()) return CannotStart(logger, http.status().message());

  std::unique_ptr<PolicyStore> policy;
  if (!config.policy_file.empty()) {
    absl::StatusOr<std::unique_ptr<PolicyStore>> opened =
        PolicyStore::Open(config.policy_file, &logger, &metrics);
    if (!opened.ok()) return CannotStart(logger, opened.status().message());
    policy = *std::move(opened);
  } else if (!server_token->empty()) {
    logger.Log(
        LogLevel::kWarning,
        "no --policy_file: any caller that reaches the port can use "
        "the server's Vercel token to create, list and revoke tokens",
        {{"mtls", absl::string_view(
                      config.tls_client_ca_file.empty() ? "false" : "true")}});
  }
  IdempotencyCache idempotency(
      config.idempotency_window,
      static_cast<size_t>(config.max_idempotency_entries));

  std::unique_ptr<RedisClient> redis;
  std::unique_ptr<SharedIdempotencyStore> shared_idempotency;
  if (config.idempotency_store != "memory") {
    absl::StatusOr<SharedIdempotencyStore::Parts> parts =
        SharedIdempotencyStore::PartsFromFiles(
            config.idempotency_store, config.idempotency_store_key_file,
            config.idempotency_store_password_file);
    if (!parts.ok()) return CannotStart(logger, parts.status().message());
    absl::StatusOr<std::unique_ptr<RedisClient>> client =
        RedisClient::Create(parts->address, std::move(parts->password),
                            config.idempotency_store_ca_file,
                            [&metrics] { metrics.IdempotencyStoreCommand(); });
    if (!client.ok()) {
      return CannotStart(logger, absl::StrCat("--idempotency_store_ca_file: ",
                                              client.status().message()));
    }
    redis = *std::move(client);
    shared_idempotency = std::make_unique<SharedIdempotencyStore>(
        redis.get(), std::move(parts->keys), config.idempotency_window);
    logger.Log(
        LogLevel::kInfo, "idempotency store",
        {{"address", absl::string_view(absl::StrCat(parts->address.host, ":",
                                                    parts->address.port, "/",
                                                    parts->address.db))},
         {"tls", absl::string_view(parts->address.tls ? "true" : "false")},
         {"key_id", absl::string_view(shared_idempotency->key_id())},
         {"unavailable",
          absl::string_view(config.idempotency_store_unavailable)}});
  }

  UpstreamReachability reachability(kReachabilityWindow, &logger, &metrics);
  std::unique_ptr<UpstreamProbe> probe;
  if (config.upstream_probe_interval > absl::ZeroDuration()) {
    probe = std::make_unique<UpstreamProbe>(http->get(), &reachability,
                                            config.upstream_probe_interval);
  }
  UserTokensServiceOptions service_options;
  // Kubernetes TokenReview: the API server's own HTTP client (its CA, its
  // loop), and the server's ServiceAccount token, re-read as it rotates.
  std::unique_ptr<HttpClient> kubernetes;
  std::unique_ptr<ServiceAccountTokenFile> kubernetes_token;
  std::vector<std::unique_ptr<WorkloadTokenVerifier>> verifiers;
  if (config.kubernetes_token_review) {
    absl::StatusOr<std::unique_ptr<ServiceAccountTokenFile>> opened =
        ServiceAccountTokenFile::Open(config.kubernetes_token_file,
                                      kServiceAccountTokenReload, &logger);
    if (!opened.ok()) return CannotStart(logger, opened.status().message());
    kubernetes_token = *std::move(opened);
    HttpClient::Options options;
    options.base_url = config.kubernetes_api_url;
    if (config.kubernetes_api_url.is_https) {
      options.extra_ca_file = config.kubernetes_ca_file;
    }
    options.max_response_bytes = kMaxTokenReviewBytes;
    options.max_host_connections = config.max_token_reviews_in_flight;
    options.loops = 1;
    options.user_agent = absl::StrCat("vercel-user-tokens/", kServerVersion);
    absl::StatusOr<std::unique_ptr<HttpClient>> created =
        HttpClient::Create(std::move(options));
    if (!created.ok()) {
      return CannotStart(logger, absl::StrCat("--kubernetes_ca_file: ",
                                              created.status().message()));
    }
    kubernetes = *std::move(created);
    TokenReviewVerifier::Options review;
    review.audience = config.workload_token_audience;
    review.trust_domain = config.trust_domain;
    verifiers.push_back(std::make_unique<TokenReviewVerifier>(
        kubernetes.get(), kubernetes_token.get(), &logger, &metrics,
        std::move(review)));
  }
  // The identity sources, in the order identity_source.h documents. The
  // workload-token source is always there: a token that no verifier takes
  // is refused, never ignored.
  std::vector<std::unique_ptr<IdentitySource>> sources;
  WorkloadTokenSource::Options workload;
  workload.max_in_flight = config.max_token_reviews_in_flight;
  workload.max_cache_entries =
      static_cast<size_t>(config.max_token_review_cache_entries);
  workload.metrics = &metrics;
  sources.push_back(
      std::make_unique<WorkloadTokenSource>(std::move(verifiers), workload));
  if (!config.tls_client_ca_file.empty()) {
    sources.push_back(std::make_unique<CertificateSource>());
  }
  if (config.trust_forwarded_client_cert) {
    sources.push_back(
        std::make_unique<ForwardedCertSource>(config.trusted_proxy_hops));
  }
  const IdentityChain identity(std::move(sources));
  service_options.identity = &identity;
  service_options.policy = policy.get();
  service_options.idempotency = &idempotency;
  service_options.orphan_grace = config.orphan_grace;
  service_options.orphan_revoke_timeout = config.orphan_revoke_timeout;
  OrphanDebts orphan_debts;
  service_options.orphan_debts = &orphan_debts;
  service_options.shared_idempotency = shared_idempotency.get();
  service_options.store_unavailable_uses_memory =
      config.idempotency_store_unavailable == "memory";
  service_options.logger = &logger;
  service_options.metrics = &metrics;
  service_options.reachability = &reachability;
  service_options.retry_policy.max_attempts = config.upstream_max_attempts;
  service_options.server_token = *std::move(server_token);
  service_options.default_deadline = config.default_deadline;
  service_options.list_limits.max_pages = config.max_list_pages;
  service_options.list_limits.max_bytes = config.max_list_bytes;
  service_options.max_in_flight = config.max_in_flight;
  // With a policy, the server token's own id is protected like `current`.
  std::unique_ptr<ServerTokenId> server_token_id;
  if (policy != nullptr && !service_options.server_token.empty()) {
    server_token_id = std::make_unique<ServerTokenId>(
        http->get(), service_options.server_token, &logger);
    service_options.server_token_id = server_token_id.get();
  }
  UserTokensService service(http->get(), std::move(service_options));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string& listen = config.listen;
  int port = 0;
  builder.AddListeningPort(listen, *credentials, &port);
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_AGE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(config.max_connection_age)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(
                                 config.max_connection_age_grace)));
  ApplyListenerLimits(config, builder);
  AddKeepalive(config, builder);
  std::vector<
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptors;
  interceptors.push_back(std::make_unique<UndecodableRequestInterceptorFactory>(
      &logger, &metrics));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return CannotStart(logger, absl::StrCat("cannot listen on ", listen));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  ReportServing(*health);
  const bool tls = !config.tls_cert_file.empty();
  logger.Log(LogLevel::kInfo, "listening",
             {{"address", absl::string_view(BoundAddress(listen, port))},
              {"tls", absl::string_view(tls ? "true" : "false")},
              {"version", kServerVersion}});
  if (server_token_id != nullptr) server_token_id->Learn();

  int signal_number = 0;
  while (sigwait(&signals, &signal_number) == 0 && signal_number == SIGHUP) {
    if (policy != nullptr) {
      policy->Reload("SIGHUP").IgnoreError();
    } else {
      logger.Log(LogLevel::kInfo, "SIGHUP ignored: no --policy_file");
    }
  }
  logger.Log(
      LogLevel::kInfo, "shutting down",
      {{"signal",
        absl::string_view(signal_number == SIGTERM ? "SIGTERM" : "SIGINT")}});
  ReportDraining(*health);
  if (config.drain_delay > absl::ZeroDuration()) {
    logger.Log(
        LogLevel::kInfo, "draining",
        {{"drain_delay_ms", absl::ToInt64Milliseconds(config.drain_delay)}});
    // A second SIGTERM or SIGINT ends the drain early; SIGHUP stays pending.
    sigset_t stop_signals = signals;
    sigdelset(&stop_signals, SIGHUP);
    WaitForSignal(stop_signals, absl::Now() + config.drain_delay);
  }
  server->Shutdown(absl::ToChronoTime(absl::Now() + config.shutdown_grace));
  probe.reset();  // before the transport it submits to shuts down
  // What the process owes: creates whose callers are gone may still be
  // answered (for up to --orphan_grace), and each token they name must be
  // revoked (within --orphan_revoke_timeout). Whatever is still open then is
  // cancelled by the HTTP client's shutdown and recorded (orphan_unknown,
  // orphan_revoke_failed).
  const absl::Duration orphan_budget =
      config.orphan_grace + config.orphan_revoke_timeout;
  if (const int owed = orphan_debts.Owed(); owed > 0) {
    logger.Log(LogLevel::kInfo, "finishing orphan work",
               {{"open", int64_t{owed}},
                {"budget_ms", absl::ToInt64Milliseconds(orphan_budget)}});
  }
  if (const int owed = orphan_debts.WaitSettled(absl::Now() + orphan_budget);
      owed > 0) {
    logger.Log(LogLevel::kWarning,
               "stopping with orphan work unfinished; it is cancelled",
               {{"open", int64_t{owed}}});
  }
  (*http)->Shutdown();
  if (kubernetes != nullptr) kubernetes->Shutdown();
  logger.Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace vercel_tokens

int main(int argc, char** argv) {
  vercel_tokens::SetServerUsage();
  absl::ParseCommandLine(argc, argv);

  // Before any thread starts: libcurl's global state, and the stop and
  // reload signals blocked so that every thread inherits the mask and only
  // sigwait sees them.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const int exit_code = vercel_tokens::Serve(signals);
  curl_global_cleanup();
  return exit_code;
}
