// vercel-tokens-server: serves vercel.authentication.v1.UserTokensService
// over gRPC by calling the Vercel REST API.

#include <curl/curl.h>
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/time.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"
#include "server/credentials.h"
#include "server/files.h"
#include "server/http_client.h"
#include "server/logger.h"
#include "server/metrics.h"
#include "server/url.h"
#include "server/user_tokens_service.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "Address the gRPC server listens on (host:port; port 0 picks a "
          "free one).");
ABSL_FLAG(std::string, vercel_api_base_url, "https://api.vercel.com",
          "Origin of the Vercel REST API. Plain http:// is accepted only for "
          "a loopback host (tests).");
ABSL_FLAG(std::string, vercel_token_file, "",
          "File holding the server's own Vercel token, used by calls that "
          "send no authorization metadata. Without it, the environment "
          "variable VERCEL_TOKEN is used if set; with neither, such calls "
          "fail UNAUTHENTICATED.");
ABSL_FLAG(std::string, vercel_ca_file, "",
          "PEM file of CA certificates to trust for the Vercel API in "
          "addition to the system's (tests). TLS is always verified.");
ABSL_FLAG(absl::Duration, default_deadline, absl::Seconds(30),
          "Deadline of calls whose caller sets none; bounds their upstream "
          "requests.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGTERM/SIGINT, how long calls in flight may take to finish "
          "before they are cancelled.");
ABSL_FLAG(int64_t, max_response_bytes, 4 << 20,
          "Largest upstream response body accepted; larger ones fail the "
          "call with INTERNAL.");
ABSL_FLAG(int, max_list_pages, 100,
          "ListAuthTokens follows at most this many pages of Vercel's "
          "listing.");
ABSL_FLAG(int, max_upstream_connections, 64,
          "Most connections open to the Vercel API at once (0: no limit).");
ABSL_FLAG(int, upstream_max_attempts, 3,
          "Attempts per upstream GET that fails with 429, 502, 503, 504 or "
          "a connection error, the first included (1: no retries). POST and "
          "DELETE are never retried.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain of the gRPC listener; with --tls_key_file "
          "the listener serves TLS only.");
ABSL_FLAG(std::string, tls_key_file, "",
          "PEM private key of the gRPC listener (with --tls_cert_file).");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "Clients are asked to reconnect after this long, so that long-lived "
          "HTTP/2 connections rebalance across replicas.");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Seconds(30),
          "How long calls on a connection past --max_connection_age may take "
          "to finish before it closes.");
ABSL_FLAG(std::string, metrics_listen, "",
          "Address of the Prometheus metrics endpoint (GET /metrics), e.g. "
          "0.0.0.0:9090; empty: no metrics endpoint.");
ABSL_FLAG(std::string, log_level, "info",
          "Lowest level logged on stderr as JSON lines: debug, info, warning "
          "or error. Each call logs one line at info (warning for "
          "INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED and the like).");

namespace vercel_tokens {
namespace {

constexpr absl::string_view kName = "vercel-tokens-server";
// Set by CMake from the VERSION file.
constexpr absl::string_view kVersion = VUT_VERSION;

// The contents of the file named by `flag`'s value `path`; errors name the
// flag.
absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag,
                                         const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFile(path);
  if (!contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat(flag, ": ", contents.status().message()));
  }
  return contents;
}

// The server's own Vercel token: the file named by --vercel_token_file, else
// $VERCEL_TOKEN, else none (empty).
absl::StatusOr<std::string> LoadServerToken() {
  std::string token;
  const std::string path = absl::GetFlag(FLAGS_vercel_token_file);
  if (!path.empty()) {
    absl::StatusOr<std::string> contents =
        ReadFlagFile("--vercel_token_file", path);
    if (!contents.ok()) return contents.status();
    token = std::string(absl::StripAsciiWhitespace(*contents));
  } else if (const char* env = std::getenv("VERCEL_TOKEN"); env != nullptr) {
    token = std::string(absl::StripAsciiWhitespace(env));
  } else {
    return std::string();
  }
  if (!IsWellFormedToken(token)) {
    return absl::InvalidArgumentError(
        "the server's Vercel token must be 1 to 4096 printable ASCII "
        "characters without spaces");
  }
  return token;
}

absl::Status CheckFlags() {
  if (absl::GetFlag(FLAGS_default_deadline) <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--default_deadline must be positive");
  }
  if (absl::GetFlag(FLAGS_shutdown_grace) < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace must not be negative");
  }
  if (absl::GetFlag(FLAGS_max_response_bytes) <= 0) {
    return absl::InvalidArgumentError("--max_response_bytes must be positive");
  }
  if (absl::GetFlag(FLAGS_max_list_pages) <= 0) {
    return absl::InvalidArgumentError("--max_list_pages must be positive");
  }
  if (absl::GetFlag(FLAGS_max_upstream_connections) < 0) {
    return absl::InvalidArgumentError(
        "--max_upstream_connections must not be negative");
  }
  if (absl::GetFlag(FLAGS_upstream_max_attempts) < 1) {
    return absl::InvalidArgumentError(
        "--upstream_max_attempts must be at least 1");
  }
  if (absl::GetFlag(FLAGS_max_connection_age) <= absl::ZeroDuration() ||
      absl::GetFlag(FLAGS_max_connection_age_grace) < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_connection_age must be positive and "
        "--max_connection_age_grace not negative");
  }
  if (absl::GetFlag(FLAGS_tls_cert_file).empty() !=
      absl::GetFlag(FLAGS_tls_key_file).empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  return absl::OkStatus();
}

// Plaintext, or TLS only when --tls_cert_file and --tls_key_file are set.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ListenerCredentials() {
  const std::string cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  if (cert_file.empty()) return grpc::InsecureServerCredentials();
  absl::StatusOr<std::string> cert = ReadFlagFile("--tls_cert_file", cert_file);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key =
      ReadFlagFile("--tls_key_file", absl::GetFlag(FLAGS_tls_key_file));
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
  LogLevel log_level = LogLevel::kInfo;
  const bool log_level_ok =
      ParseLogLevel(absl::GetFlag(FLAGS_log_level), &log_level);
  Logger logger(&std::cerr, log_level);
  if (!log_level_ok) {
    return CannotStart(logger,
                       "--log_level must be debug, info, warning or error");
  }
  if (absl::Status s = CheckFlags(); !s.ok()) {
    return CannotStart(logger, s.message());
  }
  absl::StatusOr<BaseUrl> base_url =
      ParseBaseUrl(absl::GetFlag(FLAGS_vercel_api_base_url));
  if (!base_url.ok()) return CannotStart(logger, base_url.status().message());
  absl::StatusOr<std::string> server_token = LoadServerToken();
  if (!server_token.ok()) {
    return CannotStart(logger, server_token.status().message());
  }
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
      ListenerCredentials();
  if (!credentials.ok()) {
    return CannotStart(logger, credentials.status().message());
  }

  Metrics metrics(std::make_shared<prometheus::Registry>());
  std::unique_ptr<prometheus::Exposer> exposer;
  if (const std::string address = absl::GetFlag(FLAGS_metrics_listen);
      !address.empty()) {
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
  http_options.base_url = *base_url;
  http_options.extra_ca_file = absl::GetFlag(FLAGS_vercel_ca_file);
  http_options.max_response_bytes =
      static_cast<size_t>(absl::GetFlag(FLAGS_max_response_bytes));
  http_options.max_host_connections =
      absl::GetFlag(FLAGS_max_upstream_connections);
  http_options.user_agent = absl::StrCat("vercel-user-tokens/", kVersion);
  absl::StatusOr<std::unique_ptr<HttpClient>> http =
      HttpClient::Create(std::move(http_options));
  if (!http.ok()) return CannotStart(logger, http.status().message());

  UserTokensServiceOptions service_options;
  service_options.logger = &logger;
  service_options.metrics = &metrics;
  service_options.retry_policy.max_attempts =
      absl::GetFlag(FLAGS_upstream_max_attempts);
  service_options.server_token = *std::move(server_token);
  service_options.default_deadline = absl::GetFlag(FLAGS_default_deadline);
  service_options.max_list_pages = absl::GetFlag(FLAGS_max_list_pages);
  UserTokensService service(http->get(), std::move(service_options));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  int port = 0;
  builder.AddListeningPort(listen, *credentials, &port);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(
                                 absl::GetFlag(FLAGS_max_connection_age))));
  builder.AddChannelArgument(
      GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
      static_cast<int>(absl::ToInt64Milliseconds(
          absl::GetFlag(FLAGS_max_connection_age_grace))));
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return CannotStart(logger, absl::StrCat("cannot listen on ", listen));
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  const bool tls = !absl::GetFlag(FLAGS_tls_cert_file).empty();
  logger.Log(LogLevel::kInfo, "listening",
             {{"address", absl::string_view(BoundAddress(listen, port))},
              {"tls", absl::string_view(tls ? "true" : "false")},
              {"version", kVersion}});

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  logger.Log(
      LogLevel::kInfo, "shutting down",
      {{"signal",
        absl::string_view(signal_number == SIGTERM ? "SIGTERM" : "SIGINT")}});
  health->SetServingStatus(false);
  server->Shutdown(
      absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_shutdown_grace)));
  (*http)->Shutdown();
  logger.Log(LogLevel::kInfo, "stopped");
  return 0;
}

}  // namespace
}  // namespace vercel_tokens

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Serves vercel.authentication.v1.UserTokensService over gRPC by calling "
      "the Vercel REST API.\n"
      "Usage: vercel-tokens-server [--listen=0.0.0.0:50051] "
      "[--vercel_token_file=FILE] [flags]\n"
      "Stops gracefully on SIGTERM or SIGINT.");
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/main.cc");
  };
  usage_config.contains_helpshort_flags = usage_config.contains_help_flags;
  usage_config.version_string = [] {
    return absl::StrCat(vercel_tokens::kName, " ", vercel_tokens::kVersion,
                        "\n");
  };
  absl::SetFlagsUsageConfig(usage_config);
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
