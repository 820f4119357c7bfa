#include "server/rpc/policy.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"
#include "re2/re2.h"
#include "server/common/service_error.h"
#include "server/common/url.h"
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

absl::Status CheckMode(absl::string_view mode) {
  if (mode.empty() || mode == "enforce" || mode == "audit") {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("mode '", mode, "' is not one of \"enforce\", \"audit\""));
}

// The anchored form of a claim pattern.
std::string Anchored(absl::string_view pattern) {
  return absl::StrCat("^(?:", pattern, ")$");
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
  if (absl::Status s = CheckMode(rule.mode()); !s.ok()) {
    return invalid(s.message());
  }
  for (const auto& [name, value] : rule.claims()) {
    if (name.empty()) return invalid("claims has an empty claim name");
  }
  for (const auto& [name, pattern] : rule.claim_patterns()) {
    if (name.empty()) return invalid("claim_patterns has an empty claim name");
    const RE2 re(Anchored(pattern), RE2::Quiet);
    if (!re.ok()) {
      return invalid(
          absl::StrCat("claim_patterns['", name, "']: ", re.error()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckIssuer(const policy::TrustedIssuer& issuer, int index,
                         const PolicyOptions& options) {
  auto invalid = [index](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat("trusted_issuers[", index, "]: ", why));
  };
  if (absl::Status s =
          CheckIssuerUrl(issuer.issuer(), options.allow_http_loopback_issuers);
      !s.ok()) {
    return invalid(absl::StrCat("issuer ", s.message()));
  }
  if (!issuer.jwks_uri().empty()) {
    if (absl::Status s = CheckIssuerUrl(issuer.jwks_uri(),
                                        options.allow_http_loopback_issuers);
        !s.ok()) {
      return invalid(absl::StrCat("jwks_uri ", s.message()));
    }
  }
  if (issuer.audiences().empty()) {
    return invalid(
        "names no audiences (a token must be meant for this server)");
  }
  for (const std::string& audience : issuer.audiences()) {
    if (audience.empty()) return invalid("has an empty audience");
  }
  return absl::OkStatus();
}

}  // namespace

std::string PolicyRuleName(const policy::Policy& policy,
                           const policy::Rule* rule) {
  if (rule == nullptr) return "";
  if (!rule->name().empty()) return rule->name();
  for (int i = 0; i < policy.rules_size(); ++i) {
    if (&policy.rules(i) == rule) return absl::StrCat("rules[", i, "]");
  }
  return "";
}

namespace {

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

absl::Status CheckIssuerUrl(absl::string_view url, bool allow_http_loopback) {
  absl::StatusOr<OriginAndPath> split = SplitUrl(url);
  if (!split.ok()) return split.status();
  if (!split->origin.is_https && !allow_http_loopback) {
    return absl::InvalidArgumentError(
        "must be https:// (http:// on a loopback host needs "
        "--oidc_allow_http_loopback, for tests)");
  }
  return absl::OkStatus();
}

const policy::TrustedIssuer* TrustedIssuerFor(const policy::Policy& policy,
                                              absl::string_view issuer) {
  for (const policy::TrustedIssuer& trusted : policy.trusted_issuers()) {
    if (trusted.issuer() == issuer) return &trusted;
  }
  return nullptr;
}

absl::StatusOr<policy::Policy> ParsePolicy(absl::string_view json,
                                           const PolicyOptions& options) {
  policy::Policy parsed;
  google::protobuf::util::JsonParseOptions json_options;
  json_options.ignore_unknown_fields = false;
  if (auto s = google::protobuf::util::JsonStringToMessage(
          google::protobuf::StringPiece(json.data(), json.size()), &parsed,
          json_options);
      !s.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a policy: ", s.message().as_string()));
  }
  for (int i = 0; i < parsed.rules_size(); ++i) {
    if (absl::Status s = CheckRule(parsed.rules(i), i); !s.ok()) return s;
  }
  if (absl::Status s = CheckMode(parsed.mode()); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("mode: ", s.message()));
  }
  for (int i = 0; i < parsed.trusted_issuers_size(); ++i) {
    const policy::TrustedIssuer& issuer = parsed.trusted_issuers(i);
    if (absl::Status s = CheckIssuer(issuer, i, options); !s.ok()) return s;
    for (int j = 0; j < i; ++j) {
      if (parsed.trusted_issuers(j).issuer() == issuer.issuer()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "trusted_issuers[", i, "]: issuer listed twice (also [", j, "])"));
      }
    }
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

PolicyDecision Evaluate(const policy::Policy& policy, const PolicyQuery& query,
                        absl::Time now) {
  PolicyDecision decision;
  decision.rule = RuleFor(policy, query.caller);
  decision.rule_name = PolicyRuleName(policy, decision.rule);
  const std::string& mode =
      decision.rule != nullptr && !decision.rule->mode().empty()
          ? decision.rule->mode()
          : policy.mode();
  decision.audit = mode == "audit";
  decision.grant.rule = decision.rule_name;
  auto deny = [&](absl::string_view why) {
    decision.denial = PolicyDenied(query.caller, query.rpc, why);
    return decision;
  };
  // Never allowed, whatever the mode: revoking the server's own token.
  if (query.rpc == "DeleteAuthToken" && query.uses_server_token) {
    decision.always_denied = true;
    if (query.token_id == "current" ||
        (query.server_token_id.has_value() &&
         query.token_id == *query.server_token_id)) {
      return deny("it would revoke the server's own token");
    }
    decision.always_denied = false;
  }
  const policy::Rule* rule = decision.rule;
  if (rule == nullptr) return deny("no rule matches the caller");
  for (const auto& [name, value] : rule->claims()) {
    decision.grant.required_claims[name] = "";
  }
  for (const auto& [name, pattern] : rule->claim_patterns()) {
    decision.grant.required_claims[name] = "";
  }
  if (!decision.grant.required_claims.empty()) {
    if (!query.claims.has_value()) {
      return deny(absl::StrCat(decision.rule_name,
                               " requires token claims; the caller brought "
                               "no OIDC token"));
    }
    for (auto& [name, value] : decision.grant.required_claims) {
      auto it = query.claims->find(name);
      if (it != query.claims->end()) value = it->second;
    }
    for (const auto& [name, expected] : rule->claims()) {
      auto it = query.claims->find(name);
      if (it == query.claims->end() || it->second != expected) {
        return deny(absl::StrCat("claim '", name, "' is not '", expected, "'"));
      }
    }
    for (const auto& [name, pattern] : rule->claim_patterns()) {
      auto it = query.claims->find(name);
      if (it == query.claims->end() ||
          !RE2::FullMatch(it->second, RE2(Anchored(pattern), RE2::Quiet))) {
        return deny(
            absl::StrCat("claim '", name, "' does not match '", pattern, "'"));
      }
    }
  }
  if (std::find(rule->allowed_rpcs().begin(), rule->allowed_rpcs().end(),
                query.rpc) == rule->allowed_rpcs().end()) {
    return deny("the caller's rule does not allow this RPC");
  }
  if (query.uses_server_token && !rule->use_server_token()) {
    return deny(
        "the caller may not use the server's token; send your own "
        "authorization");
  }
  PolicyGrant& grant = decision.grant;
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
    if (query.uses_server_token && !query.server_token_id.has_value()) {
      decision.always_denied = true;
      return deny(
          "the server has not learned its own token's id yet, so it cannot "
          "tell whether this would revoke it; retry");
    }
    if (rule->delete_().revoke_own_only()) {
      grant.required_name_prefix = rule->create().name_prefix();
    }
  }
  return decision;
}

absl::StatusOr<PolicyGrant> Decide(const policy::Policy& policy,
                                   const PolicyQuery& query, absl::Time now) {
  PolicyDecision decision = Evaluate(policy, query, now);
  if (decision.denial.ok()) return std::move(decision.grant);
  if (!decision.audit || decision.always_denied) return decision.denial;
  // Audit mode never lets the server's token delete while the server cannot
  // tell whether that would revoke its own token.
  if (query.rpc == "DeleteAuthToken" && query.uses_server_token &&
      !query.server_token_id.has_value()) {
    return decision.denial;
  }
  PolicyGrant grant = std::move(decision.grant);
  grant.would_deny = std::string(decision.denial.message());
  return grant;
}

}  // namespace vercel_tokens
