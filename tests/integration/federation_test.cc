// OIDC federation through the real server: a local issuer (discovery and key
// set over HTTPS on loopback, keys generated per test) whose tokens, sent in
// x-workload-token, become callers `<issuer>#<sub>` under the policy's
// trusted_issuers and claim rules; and every way such a token is refused.
#include <openssl/sha.h>
#include <stdlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/identity/jwt.h"
#include "server/identity/test_keys.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/fake_oidc.h"
#include "tests/integration/self_signed.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using vercel_tokens::testing::TestKey;

constexpr char kSubject[] = "repo:acme/web:environment:production";
constexpr absl::Duration kLogWait = absl::Seconds(20);

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         digest);
  return absl::BytesToHexString(absl::string_view(
      reinterpret_cast<const char*>(digest), SHA256_DIGEST_LENGTH));
}

class FederationTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    char dir_template[] = "/tmp/vut-federation-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    absl::StatusOr<SelfSigned> cert = MakeSelfSigned(dir_, "issuer");
    ASSERT_TRUE(cert.ok()) << cert.status();
    cert_ = *cert;
    absl::StatusOr<std::unique_ptr<FakeOidc>> issuer =
        FakeOidc::Start(cert_.cert_file, cert_.key_file);
    ASSERT_TRUE(issuer.ok()) << issuer.status();
    issuer_ = *std::move(issuer);
    ASSERT_TRUE(issuer_->SetJwks(testing::Jwks({key_.PublicJwk()})).ok());
  }

  void TearDown() override {
    server_.reset();
    issuer_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts a server trusting the fake issuer; `mode` is the policy's.
  void StartFederatedServer(absl::string_view mode = "enforce") {
    const std::string policy = absl::StrCat(
        R"({"mode":")", mode, R"(","trusted_issuers":[{"issuer":")",
        issuer_->issuer(), R"(","audiences":["vercel-tokens"]}],
        "rules":[{"name":"web-production",
          "callers":[")",
        issuer_->issuer(), "#", kSubject, R"("],
          "claims":{"repository":"acme/web","environment":"production"},
          "allowed_rpcs":["CreateAuthToken","GetAuthToken"],
          "use_server_token":true,
          "create":{"max_ttl":"3600s","default_ttl":"600s",
                    "name_prefix":"gha-","allowed_team_ids":[")",
        kSeedTeam, R"("]}}]})");
    const std::string policy_file = absl::StrCat(dir_, "/policy.json");
    std::ofstream(policy_file) << policy;
    ServerOptions options;
    options.flags = {absl::StrCat("--policy_file=", policy_file),
                     absl::StrCat("--oidc_ca_file=", cert_.cert_file),
                     "--oidc_min_refetch_interval=1h"};
    options.env = {{"VERCEL_TOKEN", kSeedSecret}};
    server_ = StartServer(options);
    ASSERT_NE(server_, nullptr);
  }

  std::string Claims(absl::string_view extra = "", absl::string_view iss = "") {
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    return absl::StrCat(
        R"({"iss":")", iss.empty() ? issuer_->issuer() : std::string(iss),
        R"(","sub":")", kSubject,
        R"(","aud":"vercel-tokens","jti":"run-42-attempt-1","iat":)", now,
        R"(,"nbf":)", now, R"(,"exp":)", now + 300,
        R"(,"repository":"acme/web","repository_owner":"acme","ref":"refs/heads/main","environment":"production")",
        extra, "}");
  }

  // CreateAuthToken with `token` in x-workload-token and no authorization.
  grpc::Status Create(const std::string& token,
                      v1::CreateAuthTokenResponse* response = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(20));
    context.AddMetadata("x-workload-token", token);
    v1::CreateAuthTokenRequest request;
    request.set_name("gha-web-deploy");
    request.set_team_id(kSeedTeam);
    v1::CreateAuthTokenResponse unused;
    return v1::UserTokensService::NewStub(server_->NewChannel())
        ->CreateAuthToken(&context, request,
                          response != nullptr ? response : &unused);
  }

  void ExpectRefused(const grpc::Status& status, grpc::StatusCode code,
                     absl::string_view reason) {
    EXPECT_EQ(status.error_code(), code) << status.error_message();
    EXPECT_EQ(DecodeErrorDetails(status).reason, reason)
        << status.error_message();
  }

  FakeOidc::Counts Counts() {
    absl::StatusOr<FakeOidc::Counts> counts = issuer_->GetCounts();
    EXPECT_TRUE(counts.ok()) << counts.status();
    return counts.value_or(FakeOidc::Counts());
  }

  std::string dir_;
  SelfSigned cert_;
  TestKey key_{"RSA", "k1"};
  std::unique_ptr<FakeOidc> issuer_;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(FederationTest, AValidTokenIsAllowedUnderItsRuleAndAudited) {
  StartFederatedServer();
  const std::string token = key_.Sign("RS256", Claims());
  v1::CreateAuthTokenResponse created;
  const grpc::Status status = Create(token, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_FALSE(created.bearer_token().empty());

  absl::StatusOr<std::string> line = server_->process().WaitForLine(
      Stream::kStderr, R"("rpc":"CreateAuthToken")", kLogWait);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(*line, HasSubstr(R"("caller_source":"oidc")"));
  EXPECT_THAT(
      *line, HasSubstr(absl::StrCat(R"("issuer":")", issuer_->issuer(), "\"")));
  EXPECT_THAT(*line, HasSubstr(absl::StrCat(R"("subject":")", kSubject, "\"")));
  EXPECT_THAT(*line, HasSubstr(R"("credential_id":"run-42-attempt-1")"));
  EXPECT_THAT(*line, HasSubstr(R"("rule":"web-production")"));
  EXPECT_THAT(
      *line,
      HasSubstr(R"("claims":"environment=production&repository=acme%2Fweb")"));
  EXPECT_THAT(*line,
              HasSubstr(absl::StrCat(R"("token_sha256":")",
                                     Sha256Hex(created.bearer_token()), "\"")));
  // Neither the issued token nor the workload token is ever written.
  EXPECT_THAT(server_->Output(), Not(HasSubstr(created.bearer_token())));
  EXPECT_THAT(server_->Output(),
              Not(HasSubstr(token.substr(token.rfind('.')))));
}

TEST_F(FederationTest, TokensThatMustNotPassAreRefused) {
  StartFederatedServer();
  ASSERT_TRUE(Create(key_.Sign("RS256", Claims())).ok());
  const FakeOidc::Counts before = Counts();
  const TestKey ec("P-256", "k1");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  struct Case {
    const char* name;
    std::string token;
    grpc::StatusCode code;
    const char* reason;
  } cases[] = {
      {"wrong issuer",
       key_.Sign("RS256", Claims("", "https://127.0.0.1:1/untrusted")),
       grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID"},
      {"wrong audience",
       key_.Sign("RS256",
                 absl::StrCat(R"({"iss":")", issuer_->issuer(), R"(","sub":")",
                              kSubject, R"(","aud":"someone-else","exp":)",
                              now + 300, "}")),
       grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_AUDIENCE"},
      {"expired",
       key_.Sign("RS256",
                 absl::StrCat(R"({"iss":")", issuer_->issuer(), R"(","sub":")",
                              kSubject, R"(","aud":"vercel-tokens","exp":)",
                              now - 600, "}")),
       grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_EXPIRED"},
      {"nbf in the future",
       key_.Sign("RS256",
                 absl::StrCat(R"({"iss":")", issuer_->issuer(), R"(","sub":")",
                              kSubject, R"(","aud":"vercel-tokens","nbf":)",
                              now + 600, R"(,"exp":)", now + 900, "}")),
       grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID"},
      {"alg none",
       testing::RawJwt(R"({"alg":"none","kid":"k1"})", Claims(), ""),
       grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID"},
      {"HS256 with the public key as the secret",
       testing::Hs256Jwt("k1", Claims(), key_.PublicPem()),
       grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID"},
      {"a key of another type", ec.Sign("ES256", Claims()),
       grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID"},
      {"claims that do not match the rule",
       key_.Sign("RS256",
                 absl::StrCat(
                     R"({"iss":")", issuer_->issuer(), R"(","sub":")", kSubject,
                     R"(","aud":"vercel-tokens","exp":)", now + 300,
                     R"(,"repository":"acme/web","environment":"staging"})")),
       grpc::StatusCode::PERMISSION_DENIED, "POLICY_DENIED"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectRefused(Create(c.token), c.code, c.reason);
  }
  // A token over 8 KiB reaches the identity chain (listener_limits.h
  // leaves room for it) and is refused there, before any verifier.
  const std::string big = key_.Sign(
      "RS256",
      Claims(absl::StrCat(R"(,"pad":")", std::string(8200, 'x'), "\"")));
  ASSERT_GT(big.size(), kMaxWorkloadTokenBytes);
  ExpectRefused(Create(big), grpc::StatusCode::UNAUTHENTICATED,
                "WORKLOAD_TOKEN_INVALID");
  // The header list stays bounded (listener_limits.h kMaxHeaderListBytes,
  // 16 KiB): far over it, gRPC refuses the call.
  const std::string huge = key_.Sign(
      "RS256",
      Claims(absl::StrCat(R"(,"pad":")", std::string(32 << 10, 'x'), "\"")));
  EXPECT_EQ(Create(huge).error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  // None of them made the server fetch anything: the untrusted issuer's URL
  // least of all.
  const FakeOidc::Counts after = Counts();
  EXPECT_EQ(after.discovery, before.discovery);
  EXPECT_EQ(after.jwks, before.jwks);
}

TEST_F(FederationTest, AnUnknownKidAfterRotationSucceedsAfterOneRefetch) {
  StartFederatedServer();
  ASSERT_TRUE(Create(key_.Sign("RS256", Claims())).ok());
  const FakeOidc::Counts before = Counts();
  const TestKey rotated("RSA", "k2");
  ASSERT_TRUE(
      issuer_->SetJwks(testing::Jwks({key_.PublicJwk(), rotated.PublicJwk()}))
          .ok());
  const grpc::Status status = Create(rotated.Sign("RS256", Claims()));
  EXPECT_TRUE(status.ok()) << status.error_message();
  const FakeOidc::Counts after = Counts();
  EXPECT_EQ(after.discovery, before.discovery + 1);
  EXPECT_EQ(after.jwks, before.jwks + 1);
}

TEST_F(FederationTest, AKidFloodCostsOneFetchPerInterval) {
  StartFederatedServer();
  ASSERT_TRUE(Create(key_.Sign("RS256", Claims())).ok());
  const FakeOidc::Counts before = Counts();
  for (int i = 0; i < 20; ++i) {
    const TestKey made_up("P-256", absl::StrCat("made-up-", i));
    ExpectRefused(Create(made_up.Sign("ES256", Claims())),
                  grpc::StatusCode::UNAUTHENTICATED, "WORKLOAD_TOKEN_INVALID");
  }
  const FakeOidc::Counts after = Counts();
  EXPECT_EQ(after.jwks, before.jwks + 1);
  EXPECT_EQ(after.discovery, before.discovery + 1);
  // The real key still works, from the cache.
  EXPECT_TRUE(Create(key_.Sign("RS256", Claims())).ok());
}

TEST_F(FederationTest, TheIssuerDownWithACachedSetStillVerifies) {
  StartFederatedServer();
  ASSERT_TRUE(Create(key_.Sign("RS256", Claims())).ok());
  ASSERT_TRUE(issuer_->SetState(/*down=*/true).ok());
  const grpc::Status status = Create(key_.Sign("RS256", Claims()));
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(FederationTest, TheIssuerDownWithNothingCachedIsUnavailable) {
  ASSERT_TRUE(issuer_->SetState(/*down=*/true).ok());
  StartFederatedServer();
  const grpc::Status status = Create(key_.Sign("RS256", Claims()));
  ExpectRefused(status, grpc::StatusCode::UNAVAILABLE, "IDENTITY_UNAVAILABLE");
  EXPECT_GT(Counts().discovery, 0);
}

TEST_F(FederationTest, ADiscoveryDocumentNamingAnotherIssuerIsRefused) {
  ASSERT_TRUE(issuer_->SetState(/*down=*/false, "https://evil.example").ok());
  StartFederatedServer();
  const grpc::Status status = Create(key_.Sign("RS256", Claims()));
  ExpectRefused(status, grpc::StatusCode::UNAVAILABLE, "IDENTITY_UNAVAILABLE");
  EXPECT_THAT(status.error_message(), HasSubstr("another issuer"));
  EXPECT_EQ(Counts().jwks, 0);
}

TEST_F(FederationTest, TheCliIsTheWholeGithubActionsStep) {
  StartFederatedServer();
  ASSERT_TRUE(issuer_
                  ->SetActionsToken("actions-request-secret",
                                    key_.Sign("RS256", Claims()))
                  .ok());
  const std::string github_env = absl::StrCat(dir_, "/github_env");
  std::ofstream(github_env) << "EARLIER=1\n";
  absl::StatusOr<CliResult> run = RunCli(
      {absl::StrCat("--server=", server_->address()), "ci-token",
       "--audience=vercel-tokens", "--name=gha-web-deploy",
       absl::StrCat("--team_id=", kSeedTeam), "--expires_in=20m",
       absl::StrCat("--actions_ca_file=", cert_.cert_file), "--output=env"},
      {{"ACTIONS_ID_TOKEN_REQUEST_URL", issuer_->actions_url()},
       {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "actions-request-secret"},
       {"GITHUB_ENV", github_env}});
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->exit_code, 0) << run->err;
  EXPECT_EQ(*issuer_->ActionsAudience(), "vercel-tokens");
  std::ifstream in(github_env);
  std::stringstream env;
  env << in.rdbuf();
  ASSERT_THAT(env.str(), ::testing::StartsWith("EARLIER=1\nVERCEL_TOKEN="));
  const std::string written = env.str();
  absl::string_view line = written;
  line.remove_prefix(strlen("EARLIER=1\nVERCEL_TOKEN="));
  ASSERT_TRUE(absl::ConsumeSuffix(&line, "\n"));
  const std::string token(line);
  EXPECT_FALSE(token.empty());
  // Masked before anything else; never on stderr.
  EXPECT_EQ(run->out, absl::StrCat("::add-mask::", token, "\n"));
  EXPECT_THAT(run->err, Not(HasSubstr(token)));
  // It is the token the server issued and audited.
  absl::StatusOr<std::string> audit = server_->process().WaitForLine(
      Stream::kStderr, R"("rpc":"CreateAuthToken")", kLogWait);
  ASSERT_TRUE(audit.ok()) << audit.status();
  EXPECT_THAT(*audit, HasSubstr(absl::StrCat(R"("token_sha256":")",
                                             Sha256Hex(token), "\"")));

  // A wrong request token: the CLI fails and writes nothing.
  run = RunCli({absl::StrCat("--server=", server_->address()), "ci-token",
                "--name=gha-web-deploy", "--output=env",
                absl::StrCat("--actions_ca_file=", cert_.cert_file)},
               {{"ACTIONS_ID_TOKEN_REQUEST_URL", issuer_->actions_url()},
                {"ACTIONS_ID_TOKEN_REQUEST_TOKEN", "wrong"},
                {"GITHUB_ENV", github_env}});
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->exit_code, 1);
  EXPECT_THAT(run->err, HasSubstr("id-token: write"));
}

TEST_F(FederationTest, TheCliReadsAGitlabIdTokenFromAVariable) {
  StartFederatedServer();
  absl::StatusOr<CliResult> run =
      RunCli({absl::StrCat("--server=", server_->address()), "ci-token",
              "--workload_token_env=VERCEL_ID_TOKEN", "--name=gha-web-deploy",
              absl::StrCat("--team_id=", kSeedTeam), "--output=token"},
             {{"VERCEL_ID_TOKEN", key_.Sign("RS256", Claims())}});
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_EQ(run->exit_code, 0) << run->err;
  EXPECT_THAT(run->out, ::testing::StartsWith("vcp_"));
}

TEST_F(FederationTest, AuditModeAllowsAndLogsWouldDeny) {
  StartFederatedServer("audit");
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const std::string staging = key_.Sign(
      "RS256",
      absl::StrCat(R"({"iss":")", issuer_->issuer(), R"(","sub":")", kSubject,
                   R"(","aud":"vercel-tokens","exp":)", now + 300,
                   R"(,"repository":"acme/web","environment":"staging"})"));
  const grpc::Status status = Create(staging);
  EXPECT_TRUE(status.ok()) << status.error_message();
  absl::StatusOr<std::string> line = server_->process().WaitForLine(
      Stream::kStderr, R"("event":"would_deny")", kLogWait);
  ASSERT_TRUE(line.ok()) << line.status();
  EXPECT_THAT(*line, HasSubstr(R"("rule":"web-production")"));
  EXPECT_THAT(*line, HasSubstr("claim 'environment' is not 'production'"));
}

}  // namespace
}  // namespace vercel_tokens::integration
