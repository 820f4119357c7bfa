#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_CI_TOKEN_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_CI_TOKEN_H_

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

// `vercel-tokens ci-token`: the whole step of a CI job. It obtains the
// job's OIDC identity token (GitHub Actions' token request, a file, or an
// environment variable such as GitLab's `id_tokens:`), calls
// CreateAuthToken with it in `x-workload-token` (and no authorization: the
// server's policy decides), and hands the new Vercel token on. Neither
// token is ever written to stderr.

namespace vercel_tokens {

struct CiTokenOptions {
  // The audience asked of GitHub Actions.
  std::string audience = "vercel-user-tokens";
  // Where the identity token is, when not asked of GitHub Actions: a file,
  // else an environment variable's name.
  std::string workload_token_file;
  std::string workload_token_env;
  // A PEM CA file trusted for the token request URL besides the system's
  // (tests, proxies); empty: the system's only.
  std::string actions_ca_file;
  // "env" (append VERCEL_TOKEN=... to $GITHUB_ENV, masked first), "token"
  // (the token alone on stdout) or "json" (the whole response).
  std::string output = "env";
  // The token to create.
  std::string name;
  std::string team_id;
  std::string project_id;
  std::optional<absl::Duration> expires_in;
  absl::Duration timeout = absl::Seconds(30);
};

// The --help text of `ci-token`.
std::string CiTokenUsage();

// Reads an environment variable; nullptr when unset.
using GetEnv = std::function<const char*(const char*)>;

// `request_url` with `audience=<audience>` appended (percent-encoded), as
// GitHub's token request expects: `&` when it already has a query. Pure.
std::string ActionsTokenUrl(absl::string_view request_url,
                            absl::string_view audience);

// The `value` of GitHub's token response `{"value":"<JWT>"}`. Pure.
absl::StatusOr<std::string> ParseActionsTokenResponse(absl::string_view body);

// Appends `VERCEL_TOKEN=<token>` and a newline to the file at `path`
// ($GITHUB_ENV). A token holding a line break is refused: it could set other
// variables.
absl::Status AppendGithubEnv(const std::string& path, absl::string_view token);

// The job's identity token: the file, else the variable, else GitHub
// Actions' (ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN, asked over HTTPS with
// libcurl). Surrounding blanks are trimmed.
absl::StatusOr<std::string> ObtainWorkloadToken(const CiTokenOptions& options,
                                                const GetEnv& getenv);

// Runs `ci-token` over `channel`; returns the CLI's exit code (cli.h).
int RunCiToken(const CiTokenOptions& options,
               std::shared_ptr<grpc::Channel> channel, const GetEnv& getenv,
               std::ostream& out, std::ostream& err);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_CI_TOKEN_H_
