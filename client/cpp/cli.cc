#include "cli.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "cli_files.h"
#include "google/protobuf/message.h"
#include "grpcpp/grpcpp.h"
#include "health_check.h"
#include "output_format.h"
#include "request_builder.h"
#include "user_tokens_client.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

constexpr char kTokenEnv[] = "VERCEL_TOKEN";
constexpr char kVerificationTokenEnv[] = "VERCEL_VERIFICATION_TOKEN";
// The ErrorInfo reason of VerifyToken while the email is not yet confirmed.
constexpr absl::string_view kConfirmationIncomplete = "CONFIRMATION_INCOMPLETE";

constexpr char kSynopsis[] =
    R"(Usage: vercel-tokens [flags] <subcommand> [arguments]

Subcommands:
  list       List every token of the user, following all pages.
  list-raw [--limit=N] [--until=CURSOR | --since=CURSOR]
             Show one page of the token listing as Vercel sends it, with
             the testing token and the pagination; pass its
             pagination.next_cursor as --until to read the next page.
  get <token_id>
             Show one token's metadata; `current` is the calling token.
  create --name=N [--expires_at=RFC3339] [--project_id=P]
         [--type=oauth2-token --client_id=C --installation_id=I]
             Create a token and print its secret, which Vercel shows only
             this once: account-wide without --team_id, for the team with
             it, for one of its projects with --project_id.
  delete <token_id>
             Revoke a token; `current` revokes the calling token.
  email-login --email=E [--token_name=N] [--verification_token_file=F]
             Start an email login and print its security code. The
             verification token is never printed: it is written to F
             (mode 0600) for `verify`.
  verify [--email=E --token_name=N --sso_user_id=U --team_name=T
         --team_slug=S --team_plan=P]
             Exchange the verification token (--verification_token_file,
             else env VERCEL_VERIFICATION_TOKEN) for a new token; fails with
             FAILED_PRECONDITION until the email link has been opened.
  login --email=E [--token_name=N] [--poll_interval=1s] [--timeout=10m]
             email-login, show the security code on stderr, then verify
             every --poll_interval while the server answers reason
             CONFIRMATION_INCOMPLETE (the email link is not yet opened), for
             at most --timeout (here the whole login; default 10m), and
             print the new token. Any other error stops at once.
  health [--health_service=S] [--wait_for_ready]
             Call grpc.health.v1.Health/Check; exit 0 only when SERVING.
             --wait_for_ready retries an unreachable server until --timeout.
)";

constexpr char kDetails[] =
    R"(
Flags go before or after the subcommand.

Transport: plaintext unless --tls. The client libraries default to TLS
(client/SPEC.md), but this is an operator's tool: each run names its
--server, most often a kubectl port-forward or a local server on loopback,
and the documented commands and `make demo` run that way. Anywhere else pass
--tls: in plaintext the Vercel token and the workload token cross the
network in clear. With --tls, every subcommand
(health too) verifies the server's certificate against --tls_ca_file (else
the system roots) for --tls_server_name (else the host of --server), and
presents --tls_cert_file/--tls_key_file to a server that requires a client
certificate (mutual TLS). The caller's Vercel token is read
from --token_file, else env VERCEL_TOKEN, and sent as `authorization: Bearer`;
it is never accepted as a flag value. email-login, verify and login send no
token.

Output: the response on stdout as one JSON document with proto field names
(--format=json), or a table of tokens and `key: value` lines (--format=table).
A failed call prints `error: <CODE>: <message>` and its details on stderr
(reason, domain, Vercel's http_status, vercel_code and vercel_request_id,
which Vercel support asks for, retry delay, fields).

--workload_token_file=F sends F's contents (a projected ServiceAccount token)
as metadata x-workload-token on every call but health. health sends no
credentials at all (neither token): the server's grpc.health.v1 service, which
Kubernetes probes call, asks for none.

Exit codes: 0 success; 1 the call failed, the server is not SERVING or a file
could not be used; 2 usage error (unknown subcommand or flag, missing or
malformed argument or flag value; a hint follows for common mistakes, such as
--token=... for --token_file). --help exits 0; --version prints the version.
)";

template <typename Request, typename Response>
using ClientMethod = grpc::Status (UserTokensClient::*)(
    const Request&, Response*, RateLimit*, const CallOptions&) const;

// Reports a failure and returns kExitFailure.
int ReportFailure(const absl::Status& status, std::ostream& err) {
  err << FormatError(grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                                  std::string(status.message())));
  return kExitFailure;
}

// Whether a call sends the caller's Vercel token.
enum class Auth { kCallerToken, kNone };

// The state of one invocation: its options, channel and output streams. The
// options and streams are borrowed and outlive the session.
class Session {
 public:
  Session(const CliOptions& options, std::shared_ptr<grpc::Channel> channel,
          std::ostream& out, std::ostream& err)
      : options_(options), channel_(std::move(channel)), out_(out), err_(err) {}

  const CliOptions& options() const { return options_; }
  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }

  // Reports a usage error and returns kExitUsage.
  int UsageError(const absl::Status& status) {
    return ReportUsageError(status.message(), err_);
  }

  // Reports a failed call and returns kExitFailure.
  int Fail(const grpc::Status& status) {
    err_ << FormatError(status);
    return kExitFailure;
  }
  int Fail(const absl::Status& status) { return ReportFailure(status, err_); }

  // Prints `response` in the chosen format and returns the exit code.
  int Print(const google::protobuf::Message& response) {
    if (options_.format == "table") {
      out_ << FormatTable(response);
      return kExitSuccess;
    }
    absl::StatusOr<std::string> json = FormatJson(response);
    if (!json.ok()) return Fail(json.status());
    out_ << *json;
    return kExitSuccess;
  }

  // Returns a client that sends the caller's token when `auth` says so.
  absl::StatusOr<UserTokensClient> Client(Auth auth) const {
    ClientOptions client_options;
    client_options.timeout = options_.timeout;
    client_options.workload_token_file = options_.workload_token_file;
    if (auth == Auth::kCallerToken) {
      absl::StatusOr<std::string> token =
          ReadSecret(options_.token_file, kTokenEnv);
      if (!token.ok()) return token.status();
      client_options.bearer_token = *std::move(token);
    }
    return UserTokensClient(channel_, std::move(client_options));
  }

  // Makes one call of `method`: returns kExitSuccess with `*response` filled,
  // or reports why not and returns the exit code.
  template <typename Request, typename Response>
  int Call(const absl::StatusOr<Request>& request,
           ClientMethod<Request, Response> method, Auth auth,
           Response* response) {
    if (!request.ok()) return UsageError(request.status());
    absl::StatusOr<UserTokensClient> client = Client(auth);
    if (!client.ok()) return Fail(client.status());
    const UserTokensClient& calling = *client;
    RateLimit metadata;
    if (grpc::Status status =
            (calling.*method)(*request, response, &metadata, CallOptions());
        !status.ok()) {
      const int code = Fail(status);
      // Vercel's request id, when only the response metadata carries it.
      if (DecodeErrorDetails(status).vercel_request_id.empty() &&
          metadata.vercel_request_id.has_value()) {
        err_ << "vercel_request_id: " << *metadata.vercel_request_id << "\n";
      }
      return code;
    }
    return kExitSuccess;
  }

  // Makes one call of `method` and prints its response.
  template <typename Request, typename Response>
  int CallAndPrint(const absl::StatusOr<Request>& request,
                   ClientMethod<Request, Response> method, Auth auth) {
    Response response;
    if (int code = Call(request, method, auth, &response);
        code != kExitSuccess) {
      return code;
    }
    return Print(response);
  }

 private:
  const CliOptions& options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::ostream& out_;
  std::ostream& err_;
};

int RunList(Session& session, absl::Span<const std::string> operands) {
  return session.CallAndPrint(
      BuildListAuthTokensRequest(session.options(), operands),
      &UserTokensClient::ListAuthTokens, Auth::kCallerToken);
}

// Whether a cursor can be shown as a flag value: printable ASCII without
// spaces (the server accepts nothing else as --until / --since).
bool IsPrintableCursor(absl::string_view cursor) {
  return !cursor.empty() &&
         std::all_of(cursor.begin(), cursor.end(),
                     [](char c) { return c > ' ' && c <= '~'; });
}

int RunListRaw(Session& session, absl::Span<const std::string> operands) {
  v1::ListAuthTokensRawResponse response;
  if (int code = session.Call(
          BuildListAuthTokensRawRequest(session.options(), operands),
          &UserTokensClient::ListAuthTokensRaw, Auth::kCallerToken, &response);
      code != kExitSuccess) {
    return code;
  }
  const int printed = session.Print(response);
  const std::string& next = response.pagination().next_cursor();
  if (printed == kExitSuccess && IsPrintableCursor(next)) {
    session.err() << "next page: --until=" << next << "\n";
  }
  return printed;
}

int RunGet(Session& session, absl::Span<const std::string> operands) {
  return session.CallAndPrint(
      BuildGetAuthTokenRequest(session.options(), operands),
      &UserTokensClient::GetAuthToken, Auth::kCallerToken);
}

int RunCreate(Session& session, absl::Span<const std::string> operands) {
  return session.CallAndPrint(
      BuildCreateAuthTokenRequest(session.options(), operands),
      &UserTokensClient::CreateAuthToken, Auth::kCallerToken);
}

int RunDelete(Session& session, absl::Span<const std::string> operands) {
  return session.CallAndPrint(
      BuildDeleteAuthTokenRequest(session.options(), operands),
      &UserTokensClient::DeleteAuthToken, Auth::kCallerToken);
}

int RunEmailLogin(Session& session, absl::Span<const std::string> operands) {
  v1::EmailLoginResponse response;
  if (int code =
          session.Call(BuildEmailLoginRequest(session.options(), operands),
                       &UserTokensClient::EmailLogin, Auth::kNone, &response);
      code != kExitSuccess) {
    return code;
  }
  const std::string& file = session.options().verification_token_file;
  if (file.empty()) {
    session.err() << "note: the verification token was not saved; pass "
                     "--verification_token_file to run verify later\n";
  } else if (absl::Status s = WriteSecretFile(file, response.token());
             !s.ok()) {
    return session.Fail(s);
  }
  response.clear_token();
  return session.Print(response);
}

int RunVerify(Session& session, absl::Span<const std::string> operands) {
  absl::StatusOr<std::string> token = ReadSecret(
      session.options().verification_token_file, kVerificationTokenEnv);
  if (!token.ok()) return session.Fail(token.status());
  return session.CallAndPrint(
      BuildVerifyTokenRequest(session.options(), operands, *token),
      &UserTokensClient::VerifyToken, Auth::kNone);
}

int RunLogin(Session& session, absl::Span<const std::string> operands) {
  const CliOptions& options = session.options();
  if (options.poll_interval <= absl::ZeroDuration()) {
    return session.UsageError(
        absl::InvalidArgumentError("--poll_interval must be positive"));
  }
  absl::StatusOr<v1::EmailLoginRequest> login_request =
      BuildEmailLoginRequest(options, operands);
  if (!login_request.ok()) return session.UsageError(login_request.status());
  const absl::Time start = absl::Now();
  absl::StatusOr<UserTokensClient> client = session.Client(Auth::kNone);
  if (!client.ok()) return session.Fail(client.status());

  v1::EmailLoginResponse login;
  if (grpc::Status status = client->EmailLogin(*login_request, &login);
      !status.ok()) {
    return session.Fail(status);
  }
  if (login.token().empty()) {
    return session.Fail(
        absl::InternalError("EmailLogin returned no verification token"));
  }
  session.err() << "Security code: " << login.security_code() << "\n"
                << "Check the email sent to " << options.email
                << ": open its link if it shows this security code. Waiting "
                << "up to " << absl::FormatDuration(options.login_timeout)
                << ".\n";

  absl::StatusOr<v1::VerifyTokenRequest> verify_request =
      BuildVerifyTokenRequest(options, {}, login.token());
  if (!verify_request.ok()) return session.Fail(verify_request.status());
  const absl::Time deadline = start + options.login_timeout;
  while (true) {
    v1::VerifyTokenResponse verified;
    grpc::Status status = client->VerifyToken(*verify_request, &verified);
    if (status.ok()) return session.Print(verified);
    // Only "not yet confirmed" is worth another try: anything else (an
    // expired or consumed login, an unreachable server) stops at once.
    if (status.error_code() != grpc::StatusCode::FAILED_PRECONDITION ||
        DecodeErrorDetails(status).reason != kConfirmationIncomplete) {
      return session.Fail(status);
    }
    const absl::Duration left = deadline - absl::Now();
    if (left <= absl::ZeroDuration()) {
      return session.Fail(absl::DeadlineExceededError(
          absl::StrCat("the login was not confirmed within ",
                       absl::FormatDuration(options.login_timeout))));
    }
    absl::SleepFor(std::min(options.poll_interval, left));
  }
}

int RunHealth(Session& session, absl::Span<const std::string> operands) {
  if (!operands.empty()) {
    return session.UsageError(absl::InvalidArgumentError(
        absl::StrCat("unexpected argument '", operands[0], "'")));
  }
  ServingStatus serving_status;
  if (grpc::Status status =
          CheckHealth(session.channel(), session.options().health_service,
                      session.options().timeout, &serving_status,
                      session.options().wait_for_ready);
      !status.ok()) {
    return session.Fail(status);
  }
  const absl::string_view name = ServingStatusName(serving_status);
  if (session.options().format == "table") {
    session.out() << "status: " << name << "\n";
  } else {
    session.out() << "{\"status\":\"" << name << "\"}\n";
  }
  return serving_status == ServingStatus::kServing ? kExitSuccess
                                                   : kExitFailure;
}

struct Subcommand {
  absl::string_view name;
  int (*run)(Session& session, absl::Span<const std::string> operands);
};

constexpr Subcommand kSubcommands[] = {
    {"list", RunList},     {"list-raw", RunListRaw},
    {"get", RunGet},       {"create", RunCreate},
    {"delete", RunDelete}, {"email-login", RunEmailLogin},
    {"verify", RunVerify}, {"login", RunLogin},
    {"health", RunHealth},
};

// The client options of --server's channel: TLS when --tls (trusting
// --tls_ca_file when set, else the system roots; presenting --tls_cert_file
// with --tls_key_file when set; checking the server's certificate for
// --tls_server_name when set, else for the host of --server), plaintext
// otherwise.
ClientOptions ChannelOptions(const CliOptions& options) {
  ClientOptions channel_options;
  channel_options.plaintext = !options.tls;
  channel_options.tls_ca_file = options.tls_ca_file;
  channel_options.tls_cert_file = options.tls_cert_file;
  channel_options.tls_key_file = options.tls_key_file;
  channel_options.tls_server_name = options.tls_server_name;
  if (options.wait_for_ready) {
    // A probe of a server that is starting or reloading its certificate
    // tries again within a few hundred milliseconds, not gRPC's 1 s and up.
    channel_options.min_reconnect_backoff = absl::Milliseconds(100);
    channel_options.max_reconnect_backoff = absl::Milliseconds(250);
  }
  return channel_options;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const CliOptions& options) {
  return MakeChannel(options.server, ChannelOptions(options));
}

absl::Status CheckTlsOptions(const CliOptions& options) {
  const std::pair<const char*, const std::string*> tls_only[] = {
      {"--tls_ca_file", &options.tls_ca_file},
      {"--tls_cert_file", &options.tls_cert_file},
      {"--tls_key_file", &options.tls_key_file},
      {"--tls_server_name", &options.tls_server_name},
  };
  for (const auto& [flag, value] : tls_only) {
    if (!options.tls && !value->empty()) {
      return absl::InvalidArgumentError(absl::StrCat(flag, " needs --tls"));
    }
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  return absl::OkStatus();
}

int ReportUsageError(absl::string_view message, std::ostream& err) {
  err << "usage error: " << message << "\n\n"
      << kSynopsis << "\nRun 'vercel-tokens --help' for every flag.\n";
  return kExitUsage;
}

std::string CliUsage() {
  return absl::StrCat(
      "Manage Vercel user tokens through the "
      "vercel.authentication.v1.UserTokensService gRPC service.\n\n",
      kSynopsis, kDetails);
}

int RunCli(const CliOptions& options, absl::Span<const std::string> args,
           std::ostream& out, std::ostream& err) {
  if (args.empty()) return ReportUsageError("missing subcommand", err);
  const auto* subcommand =
      std::find_if(std::begin(kSubcommands), std::end(kSubcommands),
                   [&](const Subcommand& s) { return s.name == args[0]; });
  if (subcommand == std::end(kSubcommands)) {
    return ReportUsageError(absl::StrCat("unknown subcommand '", args[0], "'"),
                            err);
  }
  if (options.format != "json" && options.format != "table") {
    return ReportUsageError(
        absl::StrCat("--format must be json or table, not '", options.format,
                     "'"),
        err);
  }
  if (absl::Status s = CheckTlsOptions(options); !s.ok()) {
    return ReportUsageError(s.message(), err);
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(options.server, ChannelOptions(options));
  if (!channel.ok()) return ReportFailure(channel.status(), err);
  Session session(options, *std::move(channel), out, err);
  return subcommand->run(session, args.subspan(1));
}

}  // namespace vercel_tokens
