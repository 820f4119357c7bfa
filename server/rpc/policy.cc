#include "server/rpc/policy.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/service_error.h"
#include "server/identity/caller.h"

namespace vercel_tokens {
namespace {

using ::google::protobuf::Duration;

constexpr absl::string_view kRpcs[] = {
    "GetAuthToken",    "ListAuthTokens", "ListAuthTokensRaw", "CreateAuthToken",
    "DeleteAuthToken", "EmailLogin",     "VerifyToken"};

absl::Duration ToDuration(const Duration& d) {
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

absl::Status CheckRule(const policy::Rule& rule, int index) {
  const std::string where = absl::StrCat("rules[", index, "]");
  auto invalid = [&where](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": ", why));
  };
  if (rule.callers().empty()) return invalid("names no callers");
  for (const std::string& caller : rule.callers()) {
    if (caller.empty()) return invalid("has an empty caller");
    if (caller.find('*') < caller.size() - 1) {
      return invalid(
          absl::StrCat("caller '", caller, "': '*' may only end a caller"));
    }
  }
  for (const std::string& rpc : rule.allowed_rpcs()) {
    if (std::find(std::begin(kRpcs), std::end(kRpcs), rpc) == std::end(kRpcs)) {
      return invalid(absl::StrCat("unknown RPC '", rpc, "' (one of ",
                                  absl::StrJoin(kRpcs, ", "), ")"));
    }
  }
  const policy::CreateLimits& create = rule.create();
  if (create.has_max_ttl() &&
      ToDuration(create.max_ttl()) <= absl::ZeroDuration()) {
    return invalid("create.max_ttl must be positive");
  }
  if (create.has_default_ttl() &&
      ToDuration(create.default_ttl()) <= absl::ZeroDuration()) {
    return invalid("create.default_ttl must be positive");
  }
  if (create.has_max_ttl() && create.has_default_ttl() &&
      ToDuration(create.default_ttl()) > ToDuration(create.max_ttl())) {
    return invalid("create.default_ttl exceeds create.max_ttl");
  }
  if (rule.delete_().revoke_own_only() && create.name_prefix().empty()) {
    return invalid("delete.revoke_own_only needs create.name_prefix");
  }
  return absl::OkStatus();
}

// How well `pattern` matches `caller`: 0 for not at all, else higher for a
// closer match (an exact match beats every prefix, a longer prefix a
// shorter one).
size_t MatchStrength(absl::string_view pattern, absl::string_view caller) {
  if (absl::EndsWith(pattern, "*")) {
    const absl::string_view prefix = pattern.substr(0, pattern.size() - 1);
    return absl::StartsWith(caller, prefix) ? prefix.size() + 1 : 0;
  }
  return pattern == caller ? absl::string_view::npos : 0;
}

}  // namespace

absl::StatusOr<policy::Policy> ParsePolicy(absl::string_view json) {
  policy::Policy parsed;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  if (auto s = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &parsed,
          options);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a policy: ", s.message().as_string()));
  }
  for (int i = 0; i < parsed.rules_size(); ++i) {
    if (absl::Status s = CheckRule(parsed.rules(i), i); !s.ok()) return s;
  }
  return parsed;
}

const policy::Rule* RuleFor(const policy::Policy& policy,
                            absl::string_view caller) {
  const policy::Rule* best = nullptr;
  size_t best_strength = 0;
  for (const policy::Rule& rule : policy.rules()) {
    for (const std::string& pattern : rule.callers()) {
      if (const size_t strength = MatchStrength(pattern, caller);
          strength > best_strength) {
        best = &rule;
        best_strength = strength;
      }
    }
  }
  return best;
}

absl::Status PolicyDenied(absl::string_view caller, absl::string_view rpc,
                          absl::string_view why) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kPermissionDenied;
  const std::string printable = PrintableIdentity(caller);
  spec.message =
      absl::StrCat("the policy denies ", rpc, " to ", printable, ": ", why);
  spec.reason = std::string(kPolicyDeniedReason);
  spec.metadata = {{"caller", printable}, {"rpc", std::string(rpc)}};
  return MakeError(spec);
}

absl::StatusOr<PolicyGrant> Decide(const policy::Policy& policy,
                                   const PolicyQuery& query, absl::Time now) {
  auto deny = [&query](absl::string_view why) {
    return PolicyDenied(query.caller, query.rpc, why);
  };
  const policy::Rule* rule = RuleFor(policy, query.caller);
  if (rule == nullptr) return deny("no rule matches the caller");
  if (std::find(rule->allowed_rpcs().begin(), rule->allowed_rpcs().end(),
                query.rpc) == rule->allowed_rpcs().end()) {
    return deny("the caller's rule does not allow this RPC");
  }
  if (query.uses_server_token && !rule->use_server_token()) {
    return deny(
        "the caller may not use the server's token; send your own "
        "authorization");
  }
  PolicyGrant grant;
  if (query.rpc == "CreateAuthToken") {
    const policy::CreateLimits& limits = rule->create();
    std::optional<absl::Time> expires_at = query.expires_at;
    if (!expires_at.has_value() && limits.has_default_ttl()) {
      grant.default_expires_at = now + ToDuration(limits.default_ttl());
      expires_at = grant.default_expires_at;
    }
    if (limits.has_max_ttl()) {
      const absl::Duration max_ttl = ToDuration(limits.max_ttl());
      if (!expires_at.has_value()) {
        return deny(absl::StrCat("a token must expire within ",
                                 absl::FormatDuration(max_ttl)));
      }
      if (*expires_at > now + max_ttl) {
        return deny(absl::StrCat("expires_at is more than ",
                                 absl::FormatDuration(max_ttl), " away"));
      }
    }
    if (!absl::StartsWith(query.token_name, limits.name_prefix())) {
      return deny(absl::StrCat("the token's name must start with '",
                               limits.name_prefix(), "'"));
    }
    if (!limits.allowed_team_ids().empty() &&
        std::find(limits.allowed_team_ids().begin(),
                  limits.allowed_team_ids().end(),
                  query.team_id) == limits.allowed_team_ids().end()) {
      return deny(query.team_id.empty() ? "a team_id is required"
                                        : absl::StrCat("team '", query.team_id,
                                                       "' is not allowed"));
    }
  }
  if (query.rpc == "DeleteAuthToken") {
    if (query.uses_server_token) {
      if (query.token_id == "current" ||
          (query.server_token_id.has_value() &&
           query.token_id == *query.server_token_id)) {
        return deny("it would revoke the server's own token");
      }
      if (!query.server_token_id.has_value()) {
        return deny(
            "the server has not learned its own token's id yet, so it cannot "
            "tell whether this would revoke it; retry");
      }
    }
    if (rule->delete_().revoke_own_only()) {
      grant.required_name_prefix = rule->create().name_prefix();
    }
  }
  return grant;
}

}  // namespace vercel_tokens
