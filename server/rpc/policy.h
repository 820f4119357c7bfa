#ifndef VERCEL_USER_TOKENS_SERVER_RPC_POLICY_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_POLICY_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

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

// How a policy is read.
struct PolicyOptions {
  // Accept trusted issuers (and key set URLs) over plain http on a loopback
  // host (127.0.0.1, ::1, localhost): --oidc_allow_http_loopback, for tests.
  bool allow_http_loopback_issuers = false;
};

// Parses a policy from its proto JSON text (unknown fields rejected) and
// checks it: every rule names callers, `*` only ends a caller, RPC names are
// known, durations are positive, default_ttl is within max_ttl,
// revoke_own_only comes with a name_prefix, modes are "enforce", "audit" or
// empty, claim patterns compile, and every trusted issuer has an https URL
// without query, fragment or user info (see PolicyOptions), at least one
// audience, and is listed once. Errors say which rule or issuer is wrong.
absl::StatusOr<policy::Policy> ParsePolicy(absl::string_view json,
                                           const PolicyOptions& options = {});

// Checks that `url` may name an OIDC issuer or key set: absolute https (or
// http on a loopback host when allowed), with a host, and without query,
// fragment or user info. Pure.
absl::Status CheckIssuerUrl(absl::string_view url, bool allow_http_loopback);

// The trusted issuer of `policy` whose URL is `issuer` exactly; null when
// none. Points into `policy`.
const policy::TrustedIssuer* TrustedIssuerFor(const policy::Policy& policy,
                                              absl::string_view issuer);

// The rule that applies to `caller`: the one naming it exactly, else the one
// with the longest prefix (`...*`) it starts with; null when none does.
// Points into `policy`.
const policy::Rule* RuleFor(const policy::Policy& policy,
                            absl::string_view caller);

// The name of `rule` (a rule of `policy`): Rule.name, else `rules[N]`.
std::string PolicyRuleName(const policy::Policy& policy,
                           const policy::Rule* rule);

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
  // A federated caller's token claims (jwt.h ScalarClaims); nullopt for a
  // caller that brought no OIDC token.
  std::optional<std::map<std::string, std::string>> claims;
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
  // The matching rule's name (Rule.name, else `rules[N]`); empty when none
  // matched.
  std::string rule;
  // The claims the rule required (claims and claim_patterns), with the
  // caller's values, for the audit line.
  std::map<std::string, std::string> required_claims;
  // In audit mode, why the rules would have denied the call; the call is
  // allowed all the same.
  std::optional<std::string> would_deny;
};

// What the policy says about one call, with its reasons: what Decide acts
// on and `vercel-tokens policy explain` prints.
struct PolicyDecision {
  // The matching rule, pointing into the policy; null when none matched.
  const policy::Rule* rule = nullptr;
  // Its name (Rule.name, else `rules[N]`); empty when none matched.
  std::string rule_name;
  // Whether the mode in force for this call is audit.
  bool audit = false;
  // OK when the rules allow the call, else the PERMISSION_DENIED they give.
  absl::Status denial;
  // Whether the denial holds even in audit mode (DeleteAuthToken of
  // `current` with the server's token).
  bool always_denied = false;
  // What an allowed call gets.
  PolicyGrant grant;
};

// Evaluates `query` at `now` under `policy`, without acting on audit mode.
PolicyDecision Evaluate(const policy::Policy& policy, const PolicyQuery& query,
                        absl::Time now);

// Decides `query` at time `now` under `policy`: the grant, or
// PERMISSION_DENIED with reason POLICY_DENIED, domain vercel-user-tokens and
// metadata `caller` and `rpc`, whose message says which limit was hit. Always
// denies DeleteAuthToken of `current` with the server's token (it would
// revoke the server's own token). In audit mode (the rule's, else the
// policy's) a denied call is allowed with grant.would_deny set.
absl::StatusOr<PolicyGrant> Decide(const policy::Policy& policy,
                                   const PolicyQuery& query, absl::Time now);

// The denial of `rpc` to `caller` because `why`, as Decide returns it; the
// caller is printed (message and ErrorInfo metadata) as PrintableIdentity.
absl::Status PolicyDenied(absl::string_view caller, absl::string_view rpc,
                          absl::string_view why);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_POLICY_H_
