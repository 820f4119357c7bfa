// vercel-tokens-server: serves vercel.authentication.v1.UserTokensService
// over gRPC by calling the Vercel REST API. Wiring only: the flags are read
// by config.cc.

#include <curl/curl.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/config.h"
#include "server/listener_limits.h"
#include "server/rpc/user_tokens_service.h"
#include "server/vercel/http_client.h"

namespace vercel_tokens {
namespace {

// Plaintext, or TLS only when --tls_cert_file and --tls_key_file are set.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials(
    const ServerConfig& config) {
  if (config.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert =
      ReadFlagFile("--tls_cert_file", config.tls_cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadFlagFile("--tls_key_file", config.tls_key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options;
  options.pem_key_cert_pairs.push_back({*std::move(key), *std::move(cert)});
  return grpc::SslServerCredentials(options);
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

int Serve(const sigset_t& stop_signals) {
  absl::StatusOr<ServerConfig> config_or = ConfigFromFlags();
  if (!config_or.ok()) {
    Logger logger(&std::cerr, LogLevel::kInfo);
    return CannotStart(logger, config_or.status().message());
  }
  const ServerConfig& config = *config_or;
  Logger logger(&std::cerr, config.log_level);
  absl::StatusOr<std::string> server_token =
      LoadServerToken(config, std::getenv("VERCEL_TOKEN"));
  if (!server_token.ok()) {
    return CannotStart(logger, server_token.status().message());
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ListenerCredentials(config);
  if (!credentials.ok()) {
    return CannotStart(logger, credentials.status().message());
  }

  Metrics metrics(std::make_shared<prometheus::Registry>());
  std::unique_ptr<prometheus::Exposer> exposer;
  if (const std::string& address = config.metrics_listen; !address.empty()) {
    try {
      exposer = std::make_unique<prometheus::Exposer>(address);
    } catch (const std::exception& e) {
      return CannotStart(logger, absl::StrCat("--metrics_listen: ", e.what()));
    }
    exposer->RegisterCollectable(metrics.registry());
    const std::vector<int> ports = exposer->GetListeningPorts();
    logger.Log(LogLevel::kInfo, "metrics listening",
               {{"address", absl::string_view(BoundAddress(
                                address, ports.empty() ? 0 : ports.front()))}});
  }

  HttpClient::Options http_options;
  http_options.base_url = config.vercel_api_base_url;
  http_options.extra_ca_file = config.vercel_ca_file;
  http_options.max_response_bytes =
      static_cast<size_t>(config.max_response_bytes);
  http_options.max_host_connections = config.max_upstream_connections;
  http_options.user_agent = absl::StrCat("vercel-user-tokens/", kServerVersion);
  absl::StatusOr<std::unique_ptr<HttpClient>> http =
      HttpClient::Create(std::move(http_options));
  if (!http.ok()) return CannotStart(logger, http.status().message());

  UserTokensServiceOptions service_options;
  service_options.logger = &logger;
  service_options.metrics = &metrics;
  service_options.retry_policy.max_attempts = config.upstream_max_attempts;
  service_options.server_token = *std::move(server_token);
  service_options.default_deadline = config.default_deadline;
  service_options.list_limits.max_pages = config.max_list_pages;
  service_options.list_limits.max_bytes = config.max_list_bytes;
  service_options.max_in_flight = config.max_in_flight;
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
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return CannotStart(logger, absl::StrCat("cannot listen on ", listen));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  const bool tls = !config.tls_cert_file.empty();
  logger.Log(LogLevel::kInfo, "listening",
             {{"address", absl::string_view(BoundAddress(listen, port))},
              {"tls", absl::string_view(tls ? "true" : "false")},
              {"version", kServerVersion}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  logger.Log(
      LogLevel::kInfo, "shutting down",
      {{"signal",
        absl::string_view(signal_number == SIGTERM ? "SIGTERM" : "SIGINT")}});
  health->SetServingStatus(false);
  server->Shutdown(absl::ToChronoTime(absl::Now() + config.shutdown_grace));
  (*http)->Shutdown();
  logger.Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace vercel_tokens

int main(int argc, char** argv) {
  vercel_tokens::SetServerUsage();
  absl::ParseCommandLine(argc, argv);

  // Before any thread starts: libcurl's global state, and the stop signals
  // blocked so that every thread inherits the mask and only sigwait sees
  // them.
  curl_global_init(CURL_GLOBAL_DEFAULT);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  const int exit_code = vercel_tokens::Serve(stop_signals);
  curl_global_cleanup();
  return exit_code;
}
