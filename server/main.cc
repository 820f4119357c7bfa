// vercel-tokens-server: serves vercel.authentication.v1.UserTokensService
// over gRPC by calling the Vercel REST API.

#include <curl/curl.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
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
#include "server/credentials.h"
#include "server/http_client.h"
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

namespace vercel_tokens {
namespace {

constexpr absl::string_view kName = "vercel-tokens-server";
// Set by CMake from the VERSION file.
constexpr absl::string_view kVersion = VUT_VERSION;

void Log(absl::string_view message) {
  std::cerr << kName << " " << message << std::endl;
}

// The server's own Vercel token: the file named by --vercel_token_file, else
// $VERCEL_TOKEN, else none (empty).
absl::StatusOr<std::string> LoadServerToken() {
  std::string token;
  const std::string path = absl::GetFlag(FLAGS_vercel_token_file);
  if (!path.empty()) {
    std::ifstream in(path);
    if (!in) {
      return absl::NotFoundError(
          absl::StrCat("--vercel_token_file: cannot read ", path));
    }
    std::ostringstream contents;
    contents << in.rdbuf();
    token = std::string(absl::StripAsciiWhitespace(contents.str()));
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
  return absl::OkStatus();
}

// "host:port" of the listener, with the port gRPC chose.
std::string BoundAddress(absl::string_view listen, int port) {
  const size_t colon = listen.rfind(':');
  return absl::StrCat(listen.substr(0, colon), ":", port);
}

int Serve(const sigset_t& stop_signals) {
  if (absl::Status s = CheckFlags(); !s.ok()) {
    Log(absl::StrCat("cannot start: ", s.message()));
    return 1;
  }
  absl::StatusOr<BaseUrl> base_url =
      ParseBaseUrl(absl::GetFlag(FLAGS_vercel_api_base_url));
  if (!base_url.ok()) {
    Log(absl::StrCat("cannot start: ", base_url.status().message()));
    return 1;
  }
  absl::StatusOr<std::string> server_token = LoadServerToken();
  if (!server_token.ok()) {
    Log(absl::StrCat("cannot start: ", server_token.status().message()));
    return 1;
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
  if (!http.ok()) {
    Log(absl::StrCat("cannot start: ", http.status().message()));
    return 1;
  }

  UserTokensServiceOptions service_options;
  service_options.server_token = *std::move(server_token);
  service_options.default_deadline = absl::GetFlag(FLAGS_default_deadline);
  service_options.max_list_pages = absl::GetFlag(FLAGS_max_list_pages);
  UserTokensService service(http->get(), std::move(service_options));

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  const std::string listen = absl::GetFlag(FLAGS_listen);
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    Log(absl::StrCat("cannot start: cannot listen on ", listen));
    return 1;
  }
  grpc::HealthCheckServiceInterface* health = server->GetHealthCheckService();
  health->SetServingStatus(true);
  Log(absl::StrCat("listening on ", BoundAddress(listen, port)));

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log("shutting down");
  health->SetServingStatus(false);
  server->Shutdown(
      absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_shutdown_grace)));
  (*http)->Shutdown();
  Log("stopped");
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
