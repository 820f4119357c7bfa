// The policy's federation parts: trusted issuers, rules that require token
// claims (over GitHub Actions' and GitLab's real claim sets), audit mode.
#include <map>
#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/rpc/policy.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

constexpr char kGithub[] = "https://token.actions.githubusercontent.com";

constexpr char kPolicy[] = R"json({
  "trusted_issuers": [
    {"issuer": "https://token.actions.githubusercontent.com",
     "audiences": ["vercel-tokens"]},
    {"issuer": "https://gitlab.example.com/gitlab",
     "audiences": ["vercel-tokens"],
     "jwks_uri": "https://gitlab.example.com/gitlab/oauth/discovery/keys"}
  ],
  "rules": [
    {
      "name": "web-production-deploy",
      "callers": ["https://token.actions.githubusercontent.com#repo:acme/web:environment:production"],
      "claims": {
        "repository": "acme/web",
        "repository_owner": "acme",
        "environment": "production",
        "ref": "refs/heads/main"
      },
      "claim_patterns": {
        "job_workflow_ref": "acme/web/\\.github/workflows/deploy\\.yml@refs/heads/main"
      },
      "allowed_rpcs": ["CreateAuthToken"],
      "use_server_token": true,
      "create": {"max_ttl": "1800s", "default_ttl": "900s",
                 "name_prefix": "gha-web-", "allowed_team_ids": ["team_acme"]}
    },
    {
      "name": "acme-pull-requests",
      "callers": ["https://token.actions.githubusercontent.com#repo:acme/*"],
      "claims": {"repository_owner": "acme", "event_name": "pull_request"},
      "allowed_rpcs": ["CreateAuthToken"],
      "use_server_token": true,
      "mode": "audit",
      "create": {"max_ttl": "600s", "name_prefix": "gha-pr-"}
    },
    {
      "callers": ["https://gitlab.example.com/gitlab#project_path:acme/*"],
      "claims": {"ref_protected": "true", "namespace_path": "acme"},
      "allowed_rpcs": ["CreateAuthToken"],
      "use_server_token": true,
      "create": {"max_ttl": "1800s", "name_prefix": "gitlab-"}
    }
  ]
})json";

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

policy::Policy Parsed(const char* text = kPolicy) {
  absl::StatusOr<policy::Policy> policy = ParsePolicy(text);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : policy::Policy();
}

// The claims GitHub Actions puts in a deploy job's token (environment
// "production", on main, from acme/web's deploy workflow).
std::map<std::string, std::string> GithubDeployClaims() {
  return {
      {"iss", kGithub},
      {"sub", "repo:acme/web:environment:production"},
      {"aud", "vercel-tokens"},
      {"repository", "acme/web"},
      {"repository_owner", "acme"},
      {"repository_id", "74"},
      {"repository_owner_id", "65"},
      {"ref", "refs/heads/main"},
      {"ref_type", "branch"},
      {"environment", "production"},
      {"workflow", "deploy"},
      {"job_workflow_ref",
       "acme/web/.github/workflows/deploy.yml@refs/heads/main"},
      {"actor", "octocat"},
      {"event_name", "push"},
      {"sha", "example-sha"},
      {"run_id", "42"},
  };
}

PolicyQuery GithubCreate(std::map<std::string, std::string> claims) {
  PolicyQuery query;
  query.caller = absl::StrCat(kGithub, "#", claims["sub"]);
  query.rpc = "CreateAuthToken";
  query.uses_server_token = true;
  query.token_name = "gha-web-1";
  query.team_id = "team_acme";
  query.claims = std::move(claims);
  return query;
}

TEST(PolicyFederationTest, AllowsTheDeployJobUnderItsRuleAndReportsTheClaims) {
  absl::StatusOr<PolicyGrant> grant =
      Decide(Parsed(), GithubCreate(GithubDeployClaims()), kNow);
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->rule, "web-production-deploy");
  EXPECT_EQ(grant->default_expires_at, kNow + absl::Seconds(900));
  EXPECT_FALSE(grant->would_deny.has_value());
  const std::map<std::string, std::string> required = {
      {"environment", "production"},
      {"job_workflow_ref",
       "acme/web/.github/workflows/deploy.yml@refs/heads/main"},
      {"ref", "refs/heads/main"},
      {"repository", "acme/web"},
      {"repository_owner", "acme"}};
  EXPECT_EQ(grant->required_claims, required);
}

TEST(PolicyFederationTest, DeniesWhenAnExactClaimDiffers) {
  for (const auto& [name, value] :
       std::map<std::string, std::string>{{"environment", "staging"},
                                          {"ref", "refs/heads/feature"},
                                          {"repository_owner", "acme-fork"}}) {
    auto claims = GithubDeployClaims();
    claims[name] = value;
    absl::StatusOr<PolicyGrant> grant =
        Decide(Parsed(), GithubCreate(claims), kNow);
    ASSERT_FALSE(grant.ok()) << name;
    EXPECT_EQ(grant.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_THAT(grant.status().message(), HasSubstr(name));
  }
}

TEST(PolicyFederationTest, DeniesWhenARequiredClaimIsMissing) {
  auto claims = GithubDeployClaims();
  claims.erase("environment");
  EXPECT_FALSE(Decide(Parsed(), GithubCreate(claims), kNow).ok());
}

TEST(PolicyFederationTest, ClaimPatternsAreAnchoredAtBothEnds) {
  for (const std::string& ref :
       {std::string(
            "evil/acme/web/.github/workflows/deploy.yml@refs/heads/main"),
        std::string("acme/web/.github/workflows/deploy.yml@refs/heads/main2"),
        std::string("acme/web/.github/workflows/deployXyml@refs/heads/main")}) {
    auto claims = GithubDeployClaims();
    claims["job_workflow_ref"] = ref;
    absl::StatusOr<PolicyGrant> grant =
        Decide(Parsed(), GithubCreate(claims), kNow);
    ASSERT_FALSE(grant.ok()) << ref;
    EXPECT_THAT(grant.status().message(), HasSubstr("job_workflow_ref"));
  }
}

TEST(PolicyFederationTest, ACallerWithoutATokenNeverMatchesARuleWithClaims) {
  PolicyQuery query = GithubCreate(GithubDeployClaims());
  query.claims.reset();
  absl::StatusOr<PolicyGrant> grant = Decide(Parsed(), query, kNow);
  ASSERT_FALSE(grant.ok());
  EXPECT_THAT(grant.status().message(), HasSubstr("no OIDC token"));
}

TEST(PolicyFederationTest, SubjectFormsSelectTheRule) {
  // A push to main from a job without an environment: sub
  // `repo:acme/web:ref:refs/heads/main` falls to the acme/* rule.
  auto claims = GithubDeployClaims();
  claims["sub"] = "repo:acme/web:ref:refs/heads/main";
  claims.erase("environment");
  const PolicyDecision push = Evaluate(Parsed(), GithubCreate(claims), kNow);
  EXPECT_EQ(push.rule_name, "acme-pull-requests");
  EXPECT_FALSE(push.denial.ok());  // event_name is push

  claims["sub"] = "repo:acme/web:pull_request";
  claims["event_name"] = "pull_request";
  PolicyQuery pr = GithubCreate(claims);
  pr.token_name = "gha-pr-7";
  pr.expires_at = kNow + absl::Seconds(300);
  const PolicyDecision decision = Evaluate(Parsed(), pr, kNow);
  EXPECT_EQ(decision.rule_name, "acme-pull-requests");
  EXPECT_TRUE(decision.denial.ok()) << decision.denial;

  claims["sub"] = "repo:other/web:pull_request";
  EXPECT_EQ(Evaluate(Parsed(), GithubCreate(claims), kNow).rule, nullptr);
}

TEST(PolicyFederationTest, AuditModeAllowsAndSaysWhatWouldBeDenied) {
  auto claims = GithubDeployClaims();
  claims["sub"] = "repo:acme/web:pull_request";
  claims["event_name"] = "pull_request";
  PolicyQuery query = GithubCreate(claims);
  query.token_name = "not-prefixed";
  query.expires_at = kNow + absl::Seconds(300);
  absl::StatusOr<PolicyGrant> grant = Decide(Parsed(), query, kNow);
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->rule, "acme-pull-requests");
  ASSERT_TRUE(grant->would_deny.has_value());
  EXPECT_THAT(*grant->would_deny, HasSubstr("must start with 'gha-pr-'"));
}

TEST(PolicyFederationTest, PolicyWideAuditModeCoversUnmatchedCallers) {
  policy::Policy policy = Parsed();
  PolicyQuery query = GithubCreate(GithubDeployClaims());
  query.caller = "spiffe://cluster.local/ns/x/sa/y";
  EXPECT_FALSE(Decide(policy, query, kNow).ok());
  policy.set_mode("audit");
  absl::StatusOr<PolicyGrant> grant = Decide(policy, query, kNow);
  ASSERT_TRUE(grant.ok());
  EXPECT_THAT(grant->would_deny.value_or(""), HasSubstr("no rule matches"));
  // A rule's own "enforce" wins over the policy's "audit".
  policy.mutable_rules(0)->set_mode("enforce");
  auto claims = GithubDeployClaims();
  claims["environment"] = "staging";
  EXPECT_FALSE(Decide(policy, GithubCreate(claims), kNow).ok());
}

TEST(PolicyFederationTest, AuditModeNeverLetsTheServerRevokeItsOwnToken) {
  policy::Policy policy = Parsed();
  policy.set_mode("audit");
  PolicyQuery query;
  query.caller = "anyone";
  query.rpc = "DeleteAuthToken";
  query.uses_server_token = true;
  query.token_id = "current";
  EXPECT_FALSE(Decide(policy, query, kNow).ok());
}

TEST(PolicyFederationTest, GitlabClaimsAreComparedAsText) {
  PolicyQuery query;
  query.caller =
      "https://gitlab.example.com/gitlab#project_path:acme/web:ref_type:"
      "branch:ref:main";
  query.rpc = "CreateAuthToken";
  query.uses_server_token = true;
  query.token_name = "gitlab-1";
  query.expires_at = kNow + absl::Seconds(60);
  query.claims = std::map<std::string, std::string>{{"namespace_path", "acme"},
                                                    {"ref_protected", "true"}};
  EXPECT_TRUE(Decide(Parsed(), query, kNow).ok());
  (*query.claims)["ref_protected"] = "false";
  EXPECT_FALSE(Decide(Parsed(), query, kNow).ok());
}

TEST(PolicyFederationTest, FindsTrustedIssuersByExactUrl) {
  const policy::Policy policy = Parsed();
  ASSERT_NE(TrustedIssuerFor(policy, kGithub), nullptr);
  EXPECT_EQ(
      TrustedIssuerFor(policy, "https://token.actions.githubusercontent.com/"),
      nullptr);
  EXPECT_EQ(TrustedIssuerFor(policy, "https://evil.example"), nullptr);
}

struct BadPolicy {
  const char* json;
  const char* error;
};

class BadFederationPolicyTest : public ::testing::TestWithParam<BadPolicy> {};

TEST_P(BadFederationPolicyTest, IsRefusedWithAReason) {
  absl::StatusOr<policy::Policy> policy = ParsePolicy(GetParam().json);
  ASSERT_FALSE(policy.ok());
  EXPECT_THAT(policy.status().message(), HasSubstr(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadFederationPolicyTest,
    ::testing::Values(
        BadPolicy{
            R"({"trusted_issuers":[{"issuer":"http://issuer.example","audiences":["a"]}]})",
            "trusted_issuers[0]: issuer must be https"},
        BadPolicy{
            R"({"trusted_issuers":[{"issuer":"http://127.0.0.1:8080","audiences":["a"]}]})",
            "--oidc_allow_http_loopback"},
        BadPolicy{
            R"({"trusted_issuers":[{"issuer":"https://i.example?x=1","audiences":["a"]}]})",
            "no query"},
        BadPolicy{
            R"({"trusted_issuers":[{"issuer":"https://u:p@i.example","audiences":["a"]}]})",
            "user info"},
        BadPolicy{
            R"({"trusted_issuers":[{"issuer":"https://i.example#f","audiences":["a"]}]})",
            "fragment"},
        BadPolicy{R"({"trusted_issuers":[{"issuer":"https://i.example"}]})",
                  "names no audiences"},
        BadPolicy{
            R"({"trusted_issuers":[{"issuer":"https://i.example","audiences":["a"],"jwks_uri":"ftp://x"}]})",
            "trusted_issuers[0]: jwks_uri"},
        BadPolicy{
            R"({"trusted_issuers":[{"issuer":"https://i.example","audiences":["a"]},{"issuer":"https://i.example","audiences":["b"]}]})",
            "listed twice"},
        BadPolicy{R"({"mode":"warn"})", "mode: mode 'warn'"},
        BadPolicy{R"({"rules":[{"callers":["x"],"mode":"dry-run"}]})",
                  "rules[0]: mode 'dry-run'"},
        BadPolicy{
            R"({"rules":[{"callers":["x"],"claim_patterns":{"ref":"(unclosed"}}]})",
            "rules[0]: claim_patterns['ref']"}));

TEST(PolicyFederationTest, HttpLoopbackIssuersNeedTheTestOption) {
  constexpr char kLoopback[] =
      R"({"trusted_issuers":[{"issuer":"http://127.0.0.1:8080/tenant","audiences":["a"]}]})";
  PolicyOptions options;
  options.allow_http_loopback_issuers = true;
  EXPECT_TRUE(ParsePolicy(kLoopback, options).ok());
  constexpr char kRemote[] =
      R"({"trusted_issuers":[{"issuer":"http://issuer.example","audiences":["a"]}]})";
  EXPECT_FALSE(ParsePolicy(kRemote, options).ok());
}

}  // namespace
}  // namespace vercel_tokens
