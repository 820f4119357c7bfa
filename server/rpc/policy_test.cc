#include "server/rpc/policy.h"

#include <string>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/support/status.h"
#include "gtest/gtest.h"
#include "server/common/service_error.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

constexpr char kDeployer[] = "spiffe://cluster.local/ns/ci/sa/deployer";

constexpr char kPolicy[] = R"json({
  "rules": [
    {
      "callers": ["spiffe://cluster.local/ns/ci/*"],
      "allowed_rpcs": ["GetAuthToken", "ListAuthTokens"],
      "use_server_token": true
    },
    {
      "callers": ["spiffe://cluster.local/ns/ci/sa/deployer"],
      "allowed_rpcs": ["CreateAuthToken", "DeleteAuthToken", "GetAuthToken"],
      "use_server_token": true,
      "create": {
        "max_ttl": "3600s",
        "default_ttl": "900s",
        "name_prefix": "ci-",
        "allowed_team_ids": ["team_a", "team_b"]
      },
      "delete": {"revoke_own_only": true}
    },
    {
      "callers": ["rotator.ops.example.com"],
      "allowed_rpcs": ["DeleteAuthToken"]
    }
  ]
})json";

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

policy::Policy Parsed() {
  absl::StatusOr<policy::Policy> policy = ParsePolicy(kPolicy);
  EXPECT_TRUE(policy.ok()) << policy.status();
  return policy.ok() ? *policy : policy::Policy();
}

PolicyQuery Create(absl::string_view caller = kDeployer) {
  PolicyQuery query;
  query.caller = std::string(caller);
  query.rpc = "CreateAuthToken";
  query.uses_server_token = true;
  query.token_name = "ci-build-42";
  query.team_id = "team_a";
  query.expires_at = kNow + absl::Minutes(30);
  return query;
}

// The ErrorInfo a denial carries, as the caller sees it.
google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  const grpc::Status sent = ToGrpcStatus(status);
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  if (details.ParseFromString(sent.error_details())) {
    for (const auto& any : details.details()) {
      if (any.UnpackTo(&info)) break;
    }
  }
  return info;
}

TEST(ParsePolicyTest, RejectsWhatCannotBeMeant) {
  const std::pair<const char*, const char*> bad[] = {
      {R"({"rules":[{"allowed_rpcs":["GetAuthToken"]}]})", "names no callers"},
      {R"({"rules":[{"callers":["a*b"]}]})", "'*' may only end"},
      {R"({"rules":[{"callers":["a"],"allowed_rpcs":["Get"]}]})",
       "unknown RPC 'Get'"},
      {R"({"rules":[{"callers":["a"],"create":{"max_ttl":"0s"}}]})",
       "create.max_ttl must be positive"},
      {R"({"rules":[{"callers":["a"],"create":{"max_ttl":"60s",
          "default_ttl":"120s"}}]})",
       "default_ttl exceeds"},
      {R"({"rules":[{"callers":["a"],"delete":{"revoke_own_only":true}}]})",
       "needs create.name_prefix"},
      {R"({"rules":[{"callers":["a"],"alowed_rpcs":[]}]})", "not a policy"},
      {R"({"rules":)", "not a policy"},
  };
  for (const auto& [json, why] : bad) {
    absl::StatusOr<policy::Policy> policy = ParsePolicy(json);
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument)
        << json;
    EXPECT_THAT(policy.status().message(), HasSubstr(why)) << json;
  }
}

TEST(RuleForTest, ExactBeatsPrefixAndLongerPrefixBeatsShorter) {
  const policy::Policy policy = Parsed();
  EXPECT_EQ(RuleFor(policy, kDeployer), &policy.rules(1));
  EXPECT_EQ(RuleFor(policy, "spiffe://cluster.local/ns/ci/sa/other"),
            &policy.rules(0));
  EXPECT_EQ(RuleFor(policy, "spiffe://cluster.local/ns/cid/sa/x"), nullptr);
  EXPECT_EQ(RuleFor(policy, "anonymous"), nullptr);
}

TEST(DecideTest, DeniesWithPolicyDeniedErrorInfo) {
  PolicyQuery query = Create("anonymous");
  absl::StatusOr<PolicyGrant> grant = Decide(Parsed(), query, kNow);
  ASSERT_EQ(grant.status().code(), absl::StatusCode::kPermissionDenied);
  const google::rpc::ErrorInfo info = ErrorInfoOf(grant.status());
  EXPECT_EQ(info.reason(), "POLICY_DENIED");
  EXPECT_EQ(info.domain(), "vercel-user-tokens");
  EXPECT_EQ(info.metadata().at("caller"), "anonymous");
  EXPECT_EQ(info.metadata().at("rpc"), "CreateAuthToken");
}

TEST(DecideTest, AllowsOnlyTheRulesRpcs) {
  PolicyQuery query;
  query.caller = "spiffe://cluster.local/ns/ci/sa/other";
  query.uses_server_token = true;
  query.rpc = "ListAuthTokens";
  EXPECT_TRUE(Decide(Parsed(), query, kNow).ok());
  for (const char* rpc : {"CreateAuthToken", "EmailLogin", "VerifyToken"}) {
    query.rpc = rpc;
    EXPECT_EQ(Decide(Parsed(), query, kNow).status().code(),
              absl::StatusCode::kPermissionDenied)
        << rpc;
  }
}

TEST(DecideTest, ServerTokenOnlyWhenTheRuleSaysSo) {
  PolicyQuery query;
  query.caller = "rotator.ops.example.com";
  query.rpc = "DeleteAuthToken";
  query.token_id = "tok_1";
  query.uses_server_token = true;
  EXPECT_THAT(Decide(Parsed(), query, kNow).status().message(),
              HasSubstr("may not use the server's token"));
  query.uses_server_token = false;
  EXPECT_TRUE(Decide(Parsed(), query, kNow).ok());
}

TEST(DecideTest, CreateTtlIsCappedAndDefaulted) {
  PolicyQuery query = Create();
  ASSERT_TRUE(Decide(Parsed(), query, kNow).ok());
  EXPECT_EQ(Decide(Parsed(), query, kNow)->default_expires_at, std::nullopt);

  query.expires_at = kNow + absl::Hours(2);
  EXPECT_THAT(Decide(Parsed(), query, kNow).status().message(),
              HasSubstr("more than 1h away"));

  query.expires_at = std::nullopt;
  absl::StatusOr<PolicyGrant> grant = Decide(Parsed(), query, kNow);
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->default_expires_at, kNow + absl::Minutes(15));

  policy::Policy no_default = Parsed();
  no_default.mutable_rules(1)->mutable_create()->clear_default_ttl();
  EXPECT_THAT(Decide(no_default, query, kNow).status().message(),
              HasSubstr("must expire within 1h"));
}

TEST(DecideTest, CreateNameAndTeamAreChecked) {
  PolicyQuery query = Create();
  query.token_name = "build-42";
  EXPECT_THAT(Decide(Parsed(), query, kNow).status().message(),
              HasSubstr("must start with 'ci-'"));
  query = Create();
  query.team_id = "team_c";
  EXPECT_THAT(Decide(Parsed(), query, kNow).status().message(),
              HasSubstr("team 'team_c' is not allowed"));
  query.team_id = "";
  EXPECT_THAT(Decide(Parsed(), query, kNow).status().message(),
              HasSubstr("a team_id is required"));
}

TEST(DecideTest, RevokeOwnOnlyAsksForTheNamePrefixAndNeverCurrent) {
  PolicyQuery query;
  query.caller = kDeployer;
  query.rpc = "DeleteAuthToken";
  query.token_id = "tok_1";
  query.uses_server_token = true;
  query.server_token_id = "tok_server";
  absl::StatusOr<PolicyGrant> grant = Decide(Parsed(), query, kNow);
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->required_name_prefix, "ci-");

  query.token_id = "current";
  EXPECT_THAT(Decide(Parsed(), query, kNow).status().message(),
              HasSubstr("server's own token"));
  query.uses_server_token = false;
  EXPECT_TRUE(Decide(Parsed(), query, kNow).ok());
}

// The attack of issue 16: `GetAuthToken current` reads the server token's
// id; deleting it by that id revoked the server's own token.
TEST(DecideTest, TheServerTokensOwnIdIsProtectedLikeCurrent) {
  PolicyQuery query;
  query.caller = kDeployer;
  query.rpc = "DeleteAuthToken";
  query.uses_server_token = true;
  query.server_token_id = "tok_server";
  query.token_id = "tok_server";
  EXPECT_THAT(Decide(Parsed(), query, kNow).status().message(),
              HasSubstr("server's own token"));
  // Unknown yet: refused rather than guessed.
  query.server_token_id.reset();
  query.token_id = "tok_1";
  EXPECT_EQ(Decide(Parsed(), query, kNow).status().code(),
            absl::StatusCode::kPermissionDenied);
  // With the caller's own token, its own business.
  query.uses_server_token = false;
  query.token_id = "tok_server";
  EXPECT_TRUE(Decide(Parsed(), query, kNow).ok());
}

}  // namespace
}  // namespace vercel_tokens
