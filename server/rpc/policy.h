#ifndef VERCEL_USER_TOKENS_SERVER_RPC_POLICY_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_POLICY_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/rpc/policy.pb.h"

// The issuance policy (policy.proto): parsing, checking and deciding. Pure
// functions of their inputs; no I/O.

namespace vercel_tokens {

// The ErrorInfo reason of a call the policy denies.
inline constexpr absl::string_view kPolicyDeniedReason = "POLICY_DENIED";

// Parses a policy from its proto JSON text (unknown fields rejected) and
// checks it: every rule names callers, `*` only ends a caller, RPC names are
// known, durations are positive, default_ttl is within max_ttl, and
// revoke_own_only comes with a name_prefix. Errors say which rule is wrong.
absl::StatusOr<policy::Policy> ParsePolicy(absl::string_view json);

// The rule that applies to `caller`: the one naming it exactly, else the one
// with the longest prefix (`...*`) it starts with; null when none does.
// Points into `policy`.
const policy::Rule* RuleFor(const policy::Policy& policy,
                            absl::string_view caller);

// What the policy is asked about one call.
struct PolicyQuery {
  std::string caller;
  // The RPC's short name, e.g. CreateAuthToken.
  std::string rpc;
  // Whether the call uses the server's Vercel token (it brought none and the
  // server holds one).
  bool uses_server_token = false;
  // CreateAuthToken: the requested expiry (nullopt: none), name and team.
  std::optional<absl::Time> expires_at;
  std::string token_name;
  std::string team_id;
  // DeleteAuthToken: the token to revoke.
  std::string token_id;
  // The id of the server's own Vercel token (server_token_id.h); nullopt
  // while the server has not learned it. A DeleteAuthToken with the server's
  // token is denied for `current`, for this id, and while it is unknown.
  std::optional<std::string> server_token_id;
};

// What the policy allows a call, with the conditions it sets.
struct PolicyGrant {
  // CreateAuthToken: the expiry to send when the request set none.
  std::optional<absl::Time> default_expires_at;
  // DeleteAuthToken: the prefix the token's name must start with, which the
  // server checks by reading the token before it deletes it.
  std::optional<std::string> required_name_prefix;
};

// Decides `query` at time `now` under `policy`: the grant, or
// PERMISSION_DENIED with reason POLICY_DENIED, domain vercel-user-tokens and
// metadata `caller` and `rpc`, whose message says which limit was hit. Always
// denies DeleteAuthToken of `current` with the server's token (it would
// revoke the server's own token).
absl::StatusOr<PolicyGrant> Decide(const policy::Policy& policy,
                                   const PolicyQuery& query, absl::Time now);

// The denial of `rpc` to `caller` because `why`, as Decide returns it; the
// caller is printed (message and ErrorInfo metadata) as PrintableIdentity.
absl::Status PolicyDenied(absl::string_view caller, absl::string_view rpc,
                          absl::string_view why);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_POLICY_H_
