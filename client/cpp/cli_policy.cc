#include "cli_policy.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "server/identity/jwt.h"
#include "server/rpc/policy.h"

namespace vercel_tokens {
namespace {

// A stand-in for the server token's id, which only a running server knows:
// only `current` is then recognised as the server's own token.
constexpr char kServerTokenId[] = "(the server's own token)";

// `text` as a JSON string, quoted and escaped.
std::string Quoted(absl::string_view text) {
  google::protobuf::Value value;
  value.set_string_value(std::string(text));
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(value, &out).ok()) {
    return "\"\"";
  }
  return out;
}

absl::StatusOr<policy::Policy> Load(const std::string& path,
                                    const PolicyOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<policy::Policy> parsed = ParsePolicy(text.str(), options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", parsed.status().message()));
  }
  return parsed;
}

int Usage(std::ostream& err, absl::string_view why) {
  err << "vercel-tokens policy: " << why
      << "\nusage: vercel-tokens policy check FILE\n"
         "       vercel-tokens policy explain FILE --caller=ID --rpc=RPC "
         "[--team_id=T] [--name=N] [--expires_in=D] [--token_id=ID] "
         "[--claims=JSON] [--use_server_token]\n";
  return kPolicyExitUsage;
}

}  // namespace

std::string PolicyCliUsage() {
  return R"(
Policy files (offline, with the server's own code; no --server needed):
  policy check FILE     Validates an issuance policy (--policy_file) as the
                        server does at start; prints
                        {"valid":true,"rules":N,"trusted_issuers":M}.
  policy explain FILE --caller=ID --rpc=RPC [--team_id=T] [--name=N]
        [--expires_in=D] [--token_id=ID] [--claims=JSON] [--use_server_token]
                        Says which rule matches the caller (for an OIDC
                        caller `<issuer>#<sub>`, with its token's claims as
                        a JSON object) and whether the call would be allowed:
                        {"allowed","rule","mode","reason","would_deny"}.
  Exit codes: 0 valid / allowed (also when only audit mode allows it),
  1 denied, 2 usage error, 3 the file cannot be read or is not a valid
  policy.
)";
}

int RunPolicyCli(const PolicyExplainOptions& options,
                 absl::Span<const std::string> args, std::ostream& out,
                 std::ostream& err) {
  if (args.size() != 2 || (args[0] != "check" && args[0] != "explain")) {
    return Usage(err, "expected `check FILE` or `explain FILE`");
  }
  PolicyOptions parse_options;
  parse_options.allow_http_loopback_issuers =
      options.allow_http_loopback_issuers;
  absl::StatusOr<policy::Policy> policy = Load(args[1], parse_options);
  if (!policy.ok()) {
    err << "vercel-tokens policy: " << policy.status().message() << "\n";
    return kPolicyExitInvalid;
  }
  if (args[0] == "check") {
    out << "{\"valid\":true,\"rules\":" << policy->rules_size()
        << ",\"trusted_issuers\":" << policy->trusted_issuers_size() << "}\n";
    return kPolicyExitAllowed;
  }
  if (options.caller.empty() || options.rpc.empty()) {
    return Usage(err, "explain needs --caller and --rpc");
  }
  PolicyQuery query;
  query.caller = options.caller;
  query.rpc = options.rpc;
  query.uses_server_token = options.use_server_token;
  query.team_id = options.team_id;
  query.token_name = options.name;
  query.token_id = options.token_id;
  query.server_token_id = kServerTokenId;
  const absl::Time now = absl::Now();
  if (options.expires_in.has_value()) {
    query.expires_at = now + *options.expires_in;
  }
  if (!options.claims_json.empty()) {
    google::protobuf::Struct claims;
    if (!google::protobuf::util::JsonStringToMessage(options.claims_json,
                                                     &claims)
             .ok()) {
      return Usage(err, "--claims must be a JSON object");
    }
    query.claims = ScalarClaims(claims);
  }
  const PolicyDecision decision = Evaluate(*policy, query, now);
  const bool denied = !decision.denial.ok();
  const bool would_deny = denied && decision.audit && !decision.always_denied;
  const bool allowed = !denied || would_deny;
  out << "{\"allowed\":" << (allowed ? "true" : "false")
      << ",\"rule\":" << Quoted(decision.rule_name)
      << ",\"mode\":" << Quoted(decision.audit ? "audit" : "enforce")
      << ",\"reason\":"
      << Quoted(denied ? decision.denial.message() : absl::string_view())
      << ",\"would_deny\":" << (would_deny ? "true" : "false") << "}\n";
  return denied && !would_deny ? kPolicyExitDenied : kPolicyExitAllowed;
}

}  // namespace vercel_tokens
