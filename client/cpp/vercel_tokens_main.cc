// vercel-tokens: the command-line client of
// vercel.authentication.v1.UserTokensService. See CliUsage() in cli.cc, or
// run `vercel-tokens --help`.

#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/internal/parse.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "ci_token.h"
#include "cli.h"
#include "cli_flags.h"
#include "cli_options.h"
#include "cli_policy.h"

ABSL_FLAG(std::string, server, "localhost:50051",
          "Address of the vercel-user-tokens gRPC server, host:port.");
ABSL_FLAG(std::string, token_file, "",
          "File holding the caller's Vercel token. Empty: env VERCEL_TOKEN; "
          "neither: no authorization metadata (the server's own token is "
          "used, if it has one).");
ABSL_FLAG(std::string, workload_token_file, "",
          "File holding this workload's identity token (e.g. a projected "
          "ServiceAccount token, /var/run/secrets/tokens/vercel-user-tokens), "
          "sent as metadata x-workload-token on every call. Empty: none. "
          "ci-token: the job's OIDC identity token (instead of asking GitHub "
          "Actions).");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(30),
          "Deadline of each call, e.g. 30s or 2m. login: also bounds the "
          "whole login, waiting for the email included (default there "
          "10m).");
ABSL_FLAG(std::string, format, "json",
          "Output: `json` (one JSON document, proto field names) or `table`.");
ABSL_FLAG(std::string, team_id, "",
          "Team to act for (Vercel's teamId). Optional: without it, calls "
          "act for the user's own account (create: an account-wide token).");
ABSL_FLAG(std::string, slug, "", "Team URL slug to act for (Vercel's slug).");
ABSL_FLAG(bool, tls, false, "Connect with TLS instead of plaintext.");
ABSL_FLAG(std::string, tls_ca_file, "",
          "With --tls: PEM file of the CAs to trust instead of the system "
          "roots.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "With --tls: PEM file of the client certificate (chain) to present "
          "to a server that requires one (mutual TLS); needs --tls_key_file.");
ABSL_FLAG(std::string, tls_key_file, "",
          "With --tls: PEM file of the private key of --tls_cert_file.");
ABSL_FLAG(std::string, tls_server_name, "",
          "With --tls: the name the server's certificate must carry, when it "
          "differs from the host of --server (e.g. connecting to an IP "
          "address or through a port-forward).");

ABSL_FLAG(std::string, name, "", "create: the token's name (required).");
ABSL_FLAG(std::string, expires_at, "",
          "create: when the token expires, RFC 3339 (e.g. "
          "2030-01-02T03:04:05Z). Empty: never.");
ABSL_FLAG(std::string, type, "",
          "create: the token's kind: empty or `oauth2-token`.");
ABSL_FLAG(std::string, client_id, "",
          "create: the OAuth2 client, with --type=oauth2-token.");
ABSL_FLAG(std::string, installation_id, "",
          "create: the integration installation, with --type=oauth2-token.");
ABSL_FLAG(std::string, project_id, "",
          "create: limit the token to this project (needs --team_id).");

ABSL_FLAG(int, limit, 0,
          "list-raw: the most tokens the page holds, 1 to 100 (0: Vercel's "
          "default).");
ABSL_FLAG(std::string, until, "",
          "list-raw: read the page after this cursor (a previous page's "
          "pagination.next_cursor).");
ABSL_FLAG(std::string, since, "",
          "list-raw: read the page before this cursor (a previous page's "
          "pagination.prev_cursor).");

ABSL_FLAG(std::string, email, "",
          "email-login, login (required), verify: the user's email address.");
ABSL_FLAG(std::string, token_name, "",
          "email-login, login, verify: the name of the token the login "
          "creates.");
ABSL_FLAG(std::string, verification_token_file, "",
          "verify: file holding the verification token (empty: env "
          "VERCEL_VERIFICATION_TOKEN). email-login: file the verification "
          "token is written to, mode 0600.");
ABSL_FLAG(std::string, sso_user_id, "", "verify: the SSO user to verify.");
ABSL_FLAG(std::string, team_name, "",
          "verify: name of a team to create for a new user.");
ABSL_FLAG(std::string, team_slug, "",
          "verify: slug of a team to create for a new user.");
ABSL_FLAG(std::string, team_plan, "",
          "verify: plan of a team to create for a new user: `pro` or "
          "`hobby`.");
ABSL_FLAG(absl::Duration, poll_interval, absl::Seconds(1),
          "login: how often to try verify while the email is unconfirmed "
          "(reason CONFIRMATION_INCOMPLETE).");

ABSL_FLAG(std::string, caller, "",
          "policy explain: the caller's identity, e.g. "
          "spiffe://cluster.local/ns/ci/sa/deployer or "
          "https://token.actions.githubusercontent.com#repo:acme/web:ref:"
          "refs/heads/main.");
ABSL_FLAG(std::string, rpc, "",
          "policy explain: the RPC, e.g. CreateAuthToken.");
ABSL_FLAG(std::string, expires_in, "",
          "policy explain: the expiry CreateAuthToken asks for, from now, "
          "e.g. 30m. Empty: none.");
ABSL_FLAG(std::string, token_id, "",
          "policy explain: the token id of GetAuthToken or DeleteAuthToken.");
ABSL_FLAG(std::string, claims, "",
          "policy explain: the caller's OIDC token claims, a JSON object. "
          "Empty: the caller brought no OIDC token.");
ABSL_FLAG(bool, use_server_token, false,
          "policy explain: the call brings no authorization and would use "
          "the server's Vercel token.");
ABSL_FLAG(bool, oidc_allow_http_loopback, false,
          "policy check/explain: accept http:// loopback issuers, as the "
          "server's flag of that name does (tests only).");

ABSL_FLAG(std::string, audience, "vercel-user-tokens",
          "ci-token: the audience asked of GitHub Actions' token request.");
ABSL_FLAG(std::string, workload_token_env, "",
          "ci-token: environment variable holding the job's OIDC identity "
          "token, e.g. one GitLab's id_tokens: sets.");
ABSL_FLAG(std::string, actions_ca_file, "",
          "ci-token: PEM CAs trusted for ACTIONS_ID_TOKEN_REQUEST_URL besides "
          "the system's (a proxy, tests).");
ABSL_FLAG(std::string, output, "env",
          "ci-token: `env` (mask, then VERCEL_TOKEN=... into $GITHUB_ENV), "
          "`token` (the token alone) or `json`.");

ABSL_FLAG(std::string, health_service, "",
          "health: the service to check; empty means the whole server.");
ABSL_FLAG(bool, wait_for_ready, false,
          "health: while the server cannot be reached (refused connection, "
          "failing TLS handshake, as across a certificate rotation), try "
          "again every 100-250 ms until --timeout instead of failing at "
          "once. The chart's TLS probes use it.");

namespace {

vercel_tokens::CliOptions OptionsFromFlags() {
  vercel_tokens::CliOptions options;
  options.server = absl::GetFlag(FLAGS_server);
  options.token_file = absl::GetFlag(FLAGS_token_file);
  options.workload_token_file = absl::GetFlag(FLAGS_workload_token_file);
  options.timeout = absl::GetFlag(FLAGS_timeout);
  options.format = absl::GetFlag(FLAGS_format);
  options.team_id = absl::GetFlag(FLAGS_team_id);
  options.slug = absl::GetFlag(FLAGS_slug);
  options.tls = absl::GetFlag(FLAGS_tls);
  options.tls_ca_file = absl::GetFlag(FLAGS_tls_ca_file);
  options.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  options.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  options.tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
  options.name = absl::GetFlag(FLAGS_name);
  options.expires_at = absl::GetFlag(FLAGS_expires_at);
  options.type = absl::GetFlag(FLAGS_type);
  options.client_id = absl::GetFlag(FLAGS_client_id);
  options.installation_id = absl::GetFlag(FLAGS_installation_id);
  options.project_id = absl::GetFlag(FLAGS_project_id);
  options.limit = absl::GetFlag(FLAGS_limit);
  options.until = absl::GetFlag(FLAGS_until);
  options.since = absl::GetFlag(FLAGS_since);
  options.email = absl::GetFlag(FLAGS_email);
  options.token_name = absl::GetFlag(FLAGS_token_name);
  options.verification_token_file =
      absl::GetFlag(FLAGS_verification_token_file);
  options.sso_user_id = absl::GetFlag(FLAGS_sso_user_id);
  options.team_name = absl::GetFlag(FLAGS_team_name);
  options.team_slug = absl::GetFlag(FLAGS_team_slug);
  options.team_plan = absl::GetFlag(FLAGS_team_plan);
  options.poll_interval = absl::GetFlag(FLAGS_poll_interval);
  // login waits for a person to open an email: without --timeout it may
  // take minutes.
  options.login_timeout =
      absl::flags_internal::WasPresentOnCommandLine("timeout")
          ? options.timeout
          : absl::Minutes(10);
  options.health_service = absl::GetFlag(FLAGS_health_service);
  options.wait_for_ready = absl::GetFlag(FLAGS_wait_for_ready);
  return options;
}

// --expires_in as a duration, nullopt when unset; fails unless positive.
absl::StatusOr<std::optional<absl::Duration>> ExpiresInFromFlag() {
  const std::string text = absl::GetFlag(FLAGS_expires_in);
  if (text.empty()) return std::nullopt;
  absl::Duration expires_in;
  if (!absl::ParseDuration(text, &expires_in) ||
      expires_in <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--expires_in must be a positive duration, e.g. 30m");
  }
  return expires_in;
}

// The flags of `policy explain`; fails on a malformed --expires_in.
absl::StatusOr<vercel_tokens::PolicyExplainOptions> PolicyOptionsFromFlags() {
  vercel_tokens::PolicyExplainOptions options;
  options.caller = absl::GetFlag(FLAGS_caller);
  options.rpc = absl::GetFlag(FLAGS_rpc);
  options.team_id = absl::GetFlag(FLAGS_team_id);
  options.name = absl::GetFlag(FLAGS_name);
  options.token_id = absl::GetFlag(FLAGS_token_id);
  options.claims_json = absl::GetFlag(FLAGS_claims);
  options.use_server_token = absl::GetFlag(FLAGS_use_server_token);
  options.allow_http_loopback_issuers =
      absl::GetFlag(FLAGS_oidc_allow_http_loopback);
  absl::StatusOr<std::optional<absl::Duration>> expires_in =
      ExpiresInFromFlag();
  if (!expires_in.ok()) return expires_in.status();
  options.expires_in = *expires_in;
  return options;
}

// The flags of `ci-token`; fails on a malformed --expires_in.
absl::StatusOr<vercel_tokens::CiTokenOptions> CiTokenOptionsFromFlags() {
  vercel_tokens::CiTokenOptions options;
  options.audience = absl::GetFlag(FLAGS_audience);
  options.workload_token_file = absl::GetFlag(FLAGS_workload_token_file);
  options.workload_token_env = absl::GetFlag(FLAGS_workload_token_env);
  options.actions_ca_file = absl::GetFlag(FLAGS_actions_ca_file);
  options.output = absl::GetFlag(FLAGS_output);
  options.name = absl::GetFlag(FLAGS_name);
  options.team_id = absl::GetFlag(FLAGS_team_id);
  options.project_id = absl::GetFlag(FLAGS_project_id);
  options.timeout = absl::GetFlag(FLAGS_timeout);
  absl::StatusOr<std::optional<absl::Duration>> expires_in =
      ExpiresInFromFlag();
  if (!expires_in.ok()) return expires_in.status();
  options.expires_in = *expires_in;
  return options;
}

constexpr absl::string_view kMainFile = "vercel_tokens_main.cc";

// --help lists the flags of this file only, not Abseil's own.
bool IsMainFile(absl::string_view path) {
  return absl::EndsWith(path, kMainFile);
}

// --help names this file without the build machine's folders.
std::string NormalizeFilename(absl::string_view path) {
  return std::string(IsMainFile(path) ? kMainFile : path);
}

}  // namespace

int main(int argc, char** argv) {
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = IsMainFile;
  usage_config.contains_helpshort_flags = IsMainFile;
  usage_config.normalize_filename = NormalizeFilename;
  usage_config.version_string = [] {
    return std::string("vercel-tokens " VUT_VERSION "\n");
  };
  absl::SetFlagsUsageConfig(usage_config);
  absl::SetProgramUsageMessage(vercel_tokens::CliUsage() +
                               vercel_tokens::PolicyCliUsage() +
                               vercel_tokens::CiTokenUsage());
  // Abseil's parser exits 1 on a flag it cannot parse; usage errors exit 2.
  if (absl::Status flags = vercel_tokens::CheckFlagArguments(
          absl::MakeConstSpan(argv + 1, argc - 1));
      !flags.ok()) {
    return vercel_tokens::ReportUsageError(flags.message(), std::cerr);
  }
  // absl::ParseCommandLine exits 1 after printing --help (Abseil 20220623 has
  // no ParseAbseilFlagsOnly); asked-for help is a success here, so the usage
  // flags (--help, --helpfull, --version) are handled below and exit 0.
  const std::vector<char*> positional =
      absl::flags_internal::ParseCommandLineImpl(
          argc, argv, absl::flags_internal::ArgvListAction::kRemoveParsedArgs,
          absl::flags_internal::UsageFlagsAction::kIgnoreUsage,
          absl::flags_internal::OnUndefinedFlag::kAbortIfUndefined);
  if (absl::flags_internal::HandleUsageFlags(
          std::cout, absl::ProgramUsageMessage()) != -1) {
    return 0;
  }
  const std::vector<std::string> args(positional.begin() + 1, positional.end());
  if (!args.empty() && args[0] == "policy") {
    absl::StatusOr<vercel_tokens::PolicyExplainOptions> options =
        PolicyOptionsFromFlags();
    if (!options.ok()) {
      std::cerr << "vercel-tokens policy: " << options.status().message()
                << "\n";
      return vercel_tokens::kPolicyExitUsage;
    }
    return vercel_tokens::RunPolicyCli(
        *options, absl::MakeConstSpan(args).subspan(1), std::cout, std::cerr);
  }
  if (!args.empty() && args[0] == "ci-token") {
    absl::StatusOr<vercel_tokens::CiTokenOptions> options =
        CiTokenOptionsFromFlags();
    const vercel_tokens::CliOptions cli = OptionsFromFlags();
    absl::Status tls = vercel_tokens::CheckTlsOptions(cli);
    if (!options.ok() || !tls.ok() || args.size() != 1) {
      std::cerr << "vercel-tokens ci-token: "
                << (!options.ok() ? options.status().message()
                    : !tls.ok()   ? tls.message()
                                  : "takes no arguments")
                << "\n";
      return vercel_tokens::kExitUsage;
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        vercel_tokens::MakeChannel(cli);
    if (!channel.ok()) {
      std::cerr << "vercel-tokens ci-token: " << channel.status().message()
                << "\n";
      return vercel_tokens::kExitFailure;
    }
    return vercel_tokens::RunCiToken(*options, *std::move(channel), &getenv,
                                     std::cout, std::cerr);
  }
  return vercel_tokens::RunCli(OptionsFromFlags(), args, std::cout, std::cerr);
}
