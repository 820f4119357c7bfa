#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_CLI_POLICY_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_CLI_POLICY_H_

#include <optional>
#include <ostream>
#include <string>

#include "absl/time/time.h"
#include "absl/types/span.h"

// `vercel-tokens policy check FILE` and `vercel-tokens policy explain FILE`:
// the issuance policy read offline with the server's own code
// (server/rpc/policy.h), so that a CI job can vet a policy before it ships.

namespace vercel_tokens {

// The exit codes of `vercel-tokens policy ...`.
// check: the policy is valid. explain: the call would be allowed (also when
// only audit mode allows it: the output's `would_deny` says so).
inline constexpr int kPolicyExitAllowed = 0;
// explain: the call would be denied.
inline constexpr int kPolicyExitDenied = 1;
// Unknown subcommand, missing or malformed flag.
inline constexpr int kPolicyExitUsage = 2;
// The file cannot be read or is not a valid policy (the server would refuse
// to start with it, with the same message).
inline constexpr int kPolicyExitInvalid = 3;

// The flags `policy explain` reads.
struct PolicyExplainOptions {
  std::string caller;
  std::string rpc;
  std::string team_id;
  std::string name;
  // CreateAuthToken: the expiry asked for, from now; nullopt for none.
  std::optional<absl::Duration> expires_in;
  // DeleteAuthToken / GetAuthToken: the token id.
  std::string token_id;
  // A JSON object of the caller's OIDC token claims; empty: the caller
  // brought no OIDC token.
  std::string claims_json;
  // Whether the call brings no authorization and would use the server's
  // token.
  bool use_server_token = false;
  // Accept http:// loopback issuers, as --oidc_allow_http_loopback does.
  bool allow_http_loopback_issuers = false;
};

// The --help text of the policy subcommands and their exit codes.
std::string PolicyCliUsage();

// Runs `policy <check|explain> FILE` (`args` after `policy`). check prints
// `{"valid":true,"rules":N,"trusted_issuers":M}`; explain prints one JSON
// object: `allowed`, `rule` (the matching rule's name, empty for none),
// `mode` ("enforce" or "audit"), `reason` (why it is denied, or would be),
// and `would_deny` (true when only audit mode allows it). Errors go to
// `err`. Returns one of the exit codes above.
int RunPolicyCli(const PolicyExplainOptions& options,
                 absl::Span<const std::string> args, std::ostream& out,
                 std::ostream& err);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_CLI_POLICY_H_
