#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_CLI_OPTIONS_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_CLI_OPTIONS_H_

#include <string>

#include "absl/time/time.h"

namespace vercel_tokens {

// The flag values of one `vercel-tokens` invocation, copied out of the Abseil
// flags so that the CLI's logic can run, and be tested, without them. Each
// field is the flag of the same name; see vercel_tokens_main.cc for their
// meaning. Holds file names, never secrets.
struct CliOptions {
  // Global flags.
  std::string server = "localhost:50051";
  std::string token_file;
  std::string workload_token_file;
  absl::Duration timeout = absl::Seconds(30);
  std::string format = "json";
  std::string team_id;
  std::string slug;
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_server_name;

  // create
  std::string name;
  std::string expires_at;
  std::string type;
  std::string client_id;
  std::string installation_id;
  std::string project_id;

  // list-raw
  int limit = 0;
  std::string until;
  std::string since;

  // email-login, verify, login
  std::string email;
  std::string token_name;
  std::string verification_token_file;
  std::string sso_user_id;
  std::string team_name;
  std::string team_slug;
  std::string team_plan;
  absl::Duration poll_interval = absl::Seconds(1);
  // Bounds the whole `login`, polling included: --timeout when given on the
  // command line, else 10 minutes.
  absl::Duration login_timeout = absl::Minutes(10);

  // health
  std::string health_service;
  // Keep trying a server that cannot be reached yet until --timeout; the
  // channel then reconnects every 100-250 ms instead of after gRPC's 1 s+.
  bool wait_for_ready = false;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_CLI_OPTIONS_H_
