// Service-to-service issuance against the real server: caller identity from
// client certificates (openssl-made at test time) or a trusted
// x-forwarded-client-cert, the issuance policy and its reloading, the audit
// trail, orphaned tokens revoked, and idempotent create.

#include <curl/curl.h>
#include <stdio.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/pki_fixture.h"
#include "tests/integration/temp_file.h"
#include "tests/integration/test_fixture.h"
#include "tests/integration/test_pki.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr absl::Duration kLogWait = absl::Seconds(20);

// The spiffe identity creates tokens named deployer-* (at most 1h, 10 min by
// default) and revokes only those; the dns:rotator.* identities revoke with
// their own token and start logins.
constexpr char kPolicy[] = R"json({"rules": [
  {"callers": ["spiffe://cluster.local/ns/billing/sa/deployer"],
   "allowed_rpcs": ["GetAuthToken", "ListAuthTokens", "ListAuthTokensRaw",
                    "CreateAuthToken", "DeleteAuthToken"],
   "use_server_token": true,
   "create": {"max_ttl": "3600s", "default_ttl": "600s",
              "name_prefix": "deployer-"},
   "delete": {"revoke_own_only": true}},
  {"callers": ["dns:rotator.*"],
   "allowed_rpcs": ["DeleteAuthToken", "EmailLogin", "VerifyToken"]}
]})json";

constexpr const char* kRpcs[] = {
    "GetAuthToken",    "ListAuthTokens", "ListAuthTokensRaw", "CreateAuthToken",
    "DeleteAuthToken", "EmailLogin",     "VerifyToken"};

// Replaces the file at `path` with `contents` in one rename, as a ConfigMap
// update does.
void Rewrite(const std::string& path, const std::string& contents) {
  const std::string next = path + ".next";
  std::ofstream(next) << contents;
  ASSERT_EQ(rename(next.c_str(), path.c_str()), 0);
}

class IssuanceTest : public PkiIntegrationTest {
 protected:
  // Starts a server with `options`; with a policy and a server token, waits
  // until it has learned its token's id (server_token_id.h), so that its
  // GET /v5/user/tokens/current is the first request the fake recorded.
  std::unique_ptr<ServerProcess> StartLearned(const ServerOptions& options) {
    std::unique_ptr<ServerProcess> server = StartServer(options);
    const bool policy = std::any_of(
        options.flags.begin(), options.flags.end(), [](const std::string& f) {
          return absl::StartsWith(f, "--policy_file=");
        });
    if (server != nullptr && policy) {
      WaitForServerTokenId(*server);
    }
    return server;
  }

  // A server with mutual TLS and the server token kSeedSecret, plus `flags`.
  std::unique_ptr<ServerProcess> StartMtlsServer(
      std::vector<std::string> flags = {}) {
    ServerOptions options;
    options.flags = {absl::StrCat("--tls_cert_file=", pki_->server().cert),
                     absl::StrCat("--tls_key_file=", pki_->server().key),
                     absl::StrCat("--tls_client_ca_file=", pki_->ca())};
    options.flags.insert(options.flags.end(), flags.begin(), flags.end());
    options.env = {{"VERCEL_TOKEN", kSeedSecret}};
    return StartLearned(options);
  }

  // A plaintext server with the server token kSeedSecret, plus `flags`.
  std::unique_ptr<ServerProcess> StartPlainServer(
      std::vector<std::string> flags = {}) {
    ServerOptions options;
    options.flags = std::move(flags);
    options.env = {{"VERCEL_TOKEN", kSeedSecret}};
    return StartLearned(options);
  }

  static UserTokensClient MtlsClient(
      const ServerProcess& server, const CertFiles* identity,
      absl::string_view bearer = "",
      absl::Duration timeout = absl::Seconds(10)) {
    ClientOptions options;
    options.bearer_token = std::string(bearer);
    options.timeout = timeout;
    return UserTokensClient(MtlsChannel(server, identity), options);
  }

  // Calls `rpc` with a valid request.
  static grpc::Status Call(const UserTokensClient& client,
                           absl::string_view rpc) {
    if (rpc == "GetAuthToken") {
      v1::GetAuthTokenRequest request;
      request.set_token_id("current");
      v1::GetAuthTokenResponse response;
      return client.GetAuthToken(request, &response);
    }
    if (rpc == "ListAuthTokens") {
      v1::ListAuthTokensResponse response;
      return client.ListAuthTokens({}, &response);
    }
    if (rpc == "ListAuthTokensRaw") {
      v1::ListAuthTokensRawResponse response;
      return client.ListAuthTokensRaw({}, &response);
    }
    if (rpc == "CreateAuthToken") {
      v1::CreateAuthTokenRequest request;
      request.set_name("deployer-matrix");
      request.set_team_id(kSeedTeam);
      v1::CreateAuthTokenResponse response;
      return client.CreateAuthToken(request, &response);
    }
    if (rpc == "DeleteAuthToken") {
      v1::DeleteAuthTokenRequest request;
      request.set_token_id("tok_does_not_exist");
      v1::DeleteAuthTokenResponse response;
      return client.DeleteAuthToken(request, &response);
    }
    if (rpc == "EmailLogin") {
      v1::EmailLoginRequest request;
      request.set_email("someone@example.com");
      v1::EmailLoginResponse response;
      return client.EmailLogin(request, &response);
    }
    v1::VerifyTokenRequest request;
    request.set_token("not-a-real-verification-token");
    v1::VerifyTokenResponse response;
    return client.VerifyToken(request, &response);
  }

  static void ExpectPolicyDenied(const grpc::Status& status,
                                 absl::string_view caller,
                                 absl::string_view rpc) {
    EXPECT_TRUE(HasCode(status, grpc::StatusCode::PERMISSION_DENIED)) << rpc;
    const ErrorDetails details = DecodeErrorDetails(status);
    EXPECT_EQ(details.reason, "POLICY_DENIED") << rpc;
    EXPECT_EQ(details.domain, "vercel-user-tokens") << rpc;
    EXPECT_THAT(
        details.metadata,
        ::testing::IsSupersetOf({std::pair<const std::string, std::string>(
                                     "caller", std::string(caller)),
                                 std::pair<const std::string, std::string>(
                                     "rpc", std::string(rpc))}))
        << rpc;
  }

  // The fake with only the seed token, whose secret is the server's token.
  static ResetRequest SeedOnly() {
    ResetRequest request;
    SeedToken* token = request.add_tokens();
    token->set_name("seed");
    token->set_bearer_token(kSeedSecret);
    token->set_team_id(kSeedTeam);
    return request;
  }

  // GET /metrics of `server`, started with --metrics_listen=127.0.0.1:0.
  static std::string Scrape(const ServerProcess& server) {
    constexpr char kAddress[] = "\"address\":\"";
    const std::string err = server.Output();
    const size_t line = err.find("\"msg\":\"metrics listening\"");
    EXPECT_NE(line, std::string::npos) << err;
    const size_t start = err.find(kAddress, line) + sizeof(kAddress) - 1;
    const std::string url = absl::StrCat(
        "http://", err.substr(start, err.find('"', start) - start), "/metrics");
    std::unique_ptr<CURL, void (*)(CURL*)> easy(curl_easy_init(),
                                                curl_easy_cleanup);
    std::string body;
    curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 15000L);
    curl_easy_setopt(
        easy.get(), CURLOPT_WRITEFUNCTION,
        +[](char* data, size_t size, size_t count, void* out) {
          static_cast<std::string*>(out)->append(data, size * count);
          return size * count;
        });
    curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &body);
    EXPECT_EQ(curl_easy_perform(easy.get()), CURLE_OK) << url;
    return body;
  }

  static std::vector<std::string> AuditLines(const ServerProcess& server) {
    std::vector<std::string> lines;
    for (absl::string_view line :
         absl::StrSplit(server.Output(), '\n', absl::SkipEmpty())) {
      if (absl::StrContains(line, "\"log\":\"audit\"")) {
        lines.emplace_back(line);
      }
    }
    return lines;
  }
};

TEST_F(IssuanceTest, HandshakeNeedsACertificateFromTheClientCa) {
  std::unique_ptr<ServerProcess> server = StartMtlsServer();
  ASSERT_NE(server, nullptr);
  EXPECT_TRUE(HasCode(Call(MtlsClient(*server, nullptr), "GetAuthToken"),
                      grpc::StatusCode::UNAVAILABLE));
  EXPECT_TRUE(
      HasCode(Call(MtlsClient(*server, &pki_->stranger()), "GetAuthToken"),
              grpc::StatusCode::UNAVAILABLE));
  EXPECT_THAT(Requests(), IsEmpty());
  EXPECT_TRUE(IsOk(Call(MtlsClient(*server, &pki_->spiffe()), "GetAuthToken")));
}

TEST_F(IssuanceTest, EachIdentityGetsItsRulesOverAllSevenRpcs) {
  TempFile policy(kPolicy);
  std::unique_ptr<ServerProcess> server =
      StartMtlsServer({absl::StrCat("--policy_file=", policy.path())});
  ASSERT_NE(server, nullptr);
  const std::string spiffe = TestPki::kSpiffeId;
  const std::string dns = TestPki::kDnsIdentity;
  const std::vector<std::string> spiffe_allowed = {
      "GetAuthToken", "ListAuthTokens", "ListAuthTokensRaw", "CreateAuthToken",
      "DeleteAuthToken"};
  const std::vector<std::string> dns_allowed = {"EmailLogin", "VerifyToken"};
  for (const char* rpc : kRpcs) {
    Reset(SeedOnly());
    for (const auto& [identity, caller, allowed] :
         {std::tuple{&pki_->spiffe(), spiffe, spiffe_allowed},
          std::tuple{&pki_->dns(), dns, dns_allowed}}) {
      const grpc::Status status = Call(MtlsClient(*server, identity), rpc);
      const bool expect_allowed =
          std::find(allowed.begin(), allowed.end(), rpc) != allowed.end();
      if (expect_allowed) {
        EXPECT_NE(DecodeErrorDetails(status).reason, "POLICY_DENIED")
            << caller << " " << rpc << ": " << status.error_message();
      } else {
        ExpectPolicyDenied(status, caller, rpc);
      }
    }
    // Only the allowed calls reached Vercel: one request each at most (a
    // revoke-own-only delete reads first, and stops at Vercel's 404).
    const bool anyone_allowed =
        std::find(spiffe_allowed.begin(), spiffe_allowed.end(), rpc) !=
            spiffe_allowed.end() ||
        std::find(dns_allowed.begin(), dns_allowed.end(), rpc) !=
            dns_allowed.end();
    EXPECT_EQ(Requests().size(), anyone_allowed ? 1u : 0u) << rpc;
  }
  // The rotator may revoke with its own token, never with the server's.
  Reset(SeedOnly());
  ExpectPolicyDenied(Call(MtlsClient(*server, &pki_->dns()), "DeleteAuthToken"),
                     dns, "DeleteAuthToken");
  EXPECT_THAT(Requests(), IsEmpty());
  EXPECT_TRUE(HasCode(
      Call(MtlsClient(*server, &pki_->dns(), kSeedSecret), "DeleteAuthToken"),
      grpc::StatusCode::NOT_FOUND));
  auto line = server->process().WaitForLine(
      Stream::kStderr, absl::StrCat("\"caller\":\"", dns, "\""), kLogWait);
  EXPECT_TRUE(IsOk(line.status()));
}

TEST_F(IssuanceTest, CreateTtlIsCappedOrDefaultedAndTheNamePrefixed) {
  TempFile policy(kPolicy);
  std::unique_ptr<ServerProcess> server =
      StartMtlsServer({absl::StrCat("--policy_file=", policy.path())});
  ASSERT_NE(server, nullptr);
  UserTokensClient client = MtlsClient(*server, &pki_->spiffe());

  v1::CreateAuthTokenRequest request;
  request.set_name("deployer-ttl");
  request.set_team_id(kSeedTeam);
  *request.mutable_expires_at() =
      google::protobuf::util::TimeUtil::SecondsToTimestamp(
          absl::ToUnixSeconds(absl::Now() + absl::Hours(2)));
  v1::CreateAuthTokenResponse response;
  ExpectPolicyDenied(client.CreateAuthToken(request, &response),
                     TestPki::kSpiffeId, "CreateAuthToken");
  request.set_name("other-name");
  request.clear_expires_at();
  ExpectPolicyDenied(client.CreateAuthToken(request, &response),
                     TestPki::kSpiffeId, "CreateAuthToken");
  EXPECT_THAT(CallRequests(), IsEmpty());

  request.set_name("deployer-ttl");
  const absl::Time before = absl::Now();
  ASSERT_TRUE(IsOk(client.CreateAuthToken(request, &response)));
  const absl::Time expires =
      absl::FromUnixSeconds(response.token().expires_at().seconds());
  EXPECT_GE(expires, before + absl::Minutes(10) - absl::Seconds(1));
  EXPECT_LE(expires, absl::Now() + absl::Minutes(10) + absl::Seconds(1));
}

TEST_F(IssuanceTest, RevokeOwnOnlyReadsTheNameAndNeverRevokesCurrent) {
  ResetRequest reset;
  SeedToken* server_token = reset.add_tokens();
  server_token->set_name("platform-server");
  server_token->set_bearer_token(kSeedSecret);
  SeedToken* own = reset.add_tokens();
  own->set_name("deployer-old");
  const std::vector<VercelToken> seeded = Reset(reset);
  ASSERT_EQ(seeded.size(), 2u);
  TempFile policy(kPolicy);
  std::unique_ptr<ServerProcess> server =
      StartMtlsServer({absl::StrCat("--policy_file=", policy.path())});
  ASSERT_NE(server, nullptr);
  UserTokensClient client = MtlsClient(*server, &pki_->spiffe());
  v1::DeleteAuthTokenResponse response;

  v1::DeleteAuthTokenRequest request;
  request.set_token_id("current");
  ExpectPolicyDenied(client.DeleteAuthToken(request, &response),
                     TestPki::kSpiffeId, "DeleteAuthToken");
  EXPECT_THAT(CallRequests(), IsEmpty());

  // The server token itself, by id (the attack of issue 16: its id is what
  // `GetAuthToken current` shows): refused before anything goes upstream.
  request.set_token_id(seeded[0].id());
  ExpectPolicyDenied(client.DeleteAuthToken(request, &response),
                     TestPki::kSpiffeId, "DeleteAuthToken");
  EXPECT_THAT(CallRequests(), IsEmpty());

  request.set_token_id(seeded[1].id());
  EXPECT_TRUE(IsOk(client.DeleteAuthToken(request, &response)));
  EXPECT_EQ(Requests().back().method(), "DELETE");
  EXPECT_TRUE(IsOk(Call(client, "GetAuthToken")));  // The server still works.
}

TEST_F(IssuanceTest, ForwardedClientCertIsTrustedOnlyWhenConfigured) {
  TempFile policy(R"({"rules": [{"callers": ["spiffe://mesh/ns/ci/*"],
      "allowed_rpcs": ["GetAuthToken"], "use_server_token": true}]})");
  const std::string header =
      "By=spiffe://mesh/ns/tokens/sa/server;Hash=0a;"
      "URI=spiffe://mesh/ns/ci/sa/deployer";
  for (const bool trusted : {false, true}) {
    std::vector<std::string> flags = {
        absl::StrCat("--policy_file=", policy.path())};
    if (trusted) flags.push_back("--trust_forwarded_client_cert");
    std::unique_ptr<ServerProcess> server = StartPlainServer(flags);
    ASSERT_NE(server, nullptr);
    auto stub = v1::UserTokensService::NewStub(server->NewChannel());
    grpc::ClientContext context;
    context.AddMetadata("x-forwarded-client-cert", header);
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::GetAuthTokenRequest request;
    request.set_token_id("current");
    v1::GetAuthTokenResponse response;
    const grpc::Status status =
        stub->GetAuthToken(&context, request, &response);
    if (trusted) {
      EXPECT_TRUE(IsOk(status));
    } else {
      ExpectPolicyDenied(status, "anonymous", "GetAuthToken");
    }
  }
}

TEST_F(IssuanceTest, PolicyReloadsOnChangeAndSighupAndKeepsTheOldOnError) {
  TempFile policy(R"({"rules": [{"callers": ["anonymous"],
      "allowed_rpcs": ["GetAuthToken"], "use_server_token": true}]})");
  std::unique_ptr<ServerProcess> server =
      StartPlainServer({absl::StrCat("--policy_file=", policy.path())});
  ASSERT_NE(server, nullptr);
  UserTokensClient client = ClientOf(*server, "");
  EXPECT_TRUE(IsOk(Call(client, "GetAuthToken")));
  ExpectPolicyDenied(Call(client, "ListAuthTokens"), "anonymous",
                     "ListAuthTokens");

  Rewrite(policy.path(), R"({"rules": [{"callers": ["anonymous"],
      "allowed_rpcs": ["ListAuthTokens"], "use_server_token": true}]})");
  ASSERT_TRUE(IsOk(
      server->process()
          .WaitForLine(Stream::kStderr, "\"trigger\":\"file change\"", kLogWait)
          .status()));
  EXPECT_TRUE(IsOk(Call(client, "ListAuthTokens")));
  ExpectPolicyDenied(Call(client, "GetAuthToken"), "anonymous", "GetAuthToken");

  Rewrite(policy.path(), R"({"rules": [{"callers": ["anonymous"],)");
  ASSERT_TRUE(
      IsOk(server->process()
               .WaitForLine(Stream::kStderr, "policy reload failed", kLogWait)
               .status()));
  EXPECT_TRUE(IsOk(Call(client, "ListAuthTokens")));

  // SIGHUP reloads at once, whether or not the poller got there first.
  Rewrite(policy.path(), R"({"rules": [{"callers": ["anonymous"],
      "allowed_rpcs": ["GetAuthToken"], "use_server_token": true}]})");
  ASSERT_TRUE(IsOk(server->process().Signal(SIGHUP)));
  ASSERT_TRUE(
      IsOk(server->process()
               .WaitForLine(Stream::kStderr, "\"trigger\":\"SIGHUP\"", kLogWait)
               .status()));
  EXPECT_TRUE(IsOk(Call(client, "GetAuthToken")));
}

TEST_F(IssuanceTest, StateChangingCallsLeaveAuditLinesWithoutSecrets) {
  TempFile policy(kPolicy);
  std::unique_ptr<ServerProcess> server =
      StartMtlsServer({absl::StrCat("--policy_file=", policy.path())});
  ASSERT_NE(server, nullptr);
  UserTokensClient deployer = MtlsClient(*server, &pki_->spiffe());
  UserTokensClient rotator = MtlsClient(*server, &pki_->dns(), kSeedSecret);

  v1::CreateAuthTokenRequest create;
  create.set_name("deployer-audited");
  create.set_team_id(kSeedTeam);
  create.set_request_id("5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e11");
  v1::CreateAuthTokenResponse created;
  ASSERT_TRUE(IsOk(deployer.CreateAuthToken(create, &created)));
  ExpectPolicyDenied(Call(deployer, "EmailLogin"), TestPki::kSpiffeId,
                     "EmailLogin");
  v1::EmailLoginRequest login;
  login.set_email("audit@example.com");
  v1::EmailLoginResponse started;
  ASSERT_TRUE(IsOk(rotator.EmailLogin(login, &started)));
  v1::VerifyTokenRequest verify;
  verify.set_token(started.token());
  v1::VerifyTokenResponse verified;
  rotator.VerifyToken(verify, &verified);
  v1::DeleteAuthTokenRequest revoke;
  revoke.set_token_id(created.token().id());
  v1::DeleteAuthTokenResponse revoked;
  ASSERT_TRUE(IsOk(rotator.DeleteAuthToken(revoke, &revoked)));
  ASSERT_TRUE(IsOk(Call(deployer, "GetAuthToken")));  // Not audited.

  std::vector<std::string> lines;
  for (int i = 0; i < 100 && lines.size() < 5; ++i) {
    ASSERT_TRUE(
        IsOk(server->process()
                 .WaitForLine(Stream::kStderr, "\"msg\":\"call\"", kLogWait)
                 .status()));
    lines = AuditLines(*server);
  }
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_THAT(lines[0], HasSubstr("\"rpc\":\"CreateAuthToken\""));
  EXPECT_THAT(lines[0], HasSubstr("\"code\":\"OK\""));
  EXPECT_THAT(lines[0], HasSubstr(absl::StrCat("\"token_id\":\"",
                                               created.token().id(), "\"")));
  EXPECT_THAT(lines[0], HasSubstr("\"token_name\":\"deployer-audited\""));
  EXPECT_THAT(lines[0], HasSubstr("\"server_token_used\":\"true\""));
  EXPECT_THAT(lines[0], HasSubstr("\"request_id_sha256\":\"03289a3ddbd4"));
  EXPECT_THAT(lines[0], HasSubstr("\"vercel_request_id\":\"fra1::"));
  EXPECT_THAT(lines[0], HasSubstr("\"expires_at\":\"20"));
  EXPECT_THAT(lines[1], HasSubstr("\"code\":\"PERMISSION_DENIED\""));
  EXPECT_THAT(lines[1], HasSubstr("\"rpc\":\"EmailLogin\""));
  EXPECT_THAT(lines[2], HasSubstr("\"rpc\":\"EmailLogin\""));
  EXPECT_THAT(lines[3], HasSubstr("\"rpc\":\"VerifyToken\""));
  EXPECT_THAT(lines[4], HasSubstr("\"rpc\":\"DeleteAuthToken\""));
  EXPECT_THAT(lines[4], HasSubstr("\"server_token_used\":\"false\""));
  EXPECT_THAT(lines[4],
              HasSubstr(absl::StrCat("\"caller\":\"", TestPki::kDnsIdentity)));
  const std::string output = server->Output();
  for (const std::string& secret :
       {std::string(kSeedSecret), created.bearer_token(), started.token(),
        started.security_code()}) {
    ASSERT_FALSE(secret.empty());
    EXPECT_THAT(output, Not(HasSubstr(secret)));
  }
}

TEST_F(IssuanceTest, TokenCreatedAfterTheCallerLeftIsRevoked) {
  std::unique_ptr<ServerProcess> server =
      StartPlainServer({"--metrics_listen=127.0.0.1:0"});
  ASSERT_NE(server, nullptr);
  Fault hold;
  hold.set_method("POST");
  hold.set_path("/v3/user/tokens");
  hold.set_hold(true);
  hold.set_times(2);
  ASSERT_TRUE(IsOk(fake().AddFault(hold)));

  // One caller's deadline passes while the POST is held.
  v1::CreateAuthTokenRequest request;
  request.set_name("orphan-deadline");
  request.set_team_id(kSeedTeam);
  v1::CreateAuthTokenResponse response;
  EXPECT_TRUE(HasCode(ClientOf(*server, "", absl::Seconds(1))
                          .CreateAuthToken(request, &response),
                      grpc::StatusCode::DEADLINE_EXCEEDED));
  // Another cancels.
  auto stub = v1::UserTokensService::NewStub(server->NewChannel());
  grpc::ClientContext context;
  request.set_name("orphan-cancel");
  absl::Notification done;
  stub->async()->CreateAuthToken(&context, &request, &response,
                                 [&done](grpc::Status) { done.Notify(); });
  ASSERT_TRUE(IsOk(fake().WaitHeld(2)));
  context.TryCancel();
  done.WaitForNotification();

  ASSERT_TRUE(IsOk(fake().Release()));
  for (const char* name : {"orphan-deadline", "orphan-cancel"}) {
    auto line = server->process().WaitForLine(
        Stream::kStderr, "\"event\":\"orphan_revoked\"", kLogWait);
    ASSERT_TRUE(IsOk(line.status())) << name;
  }
  int deletes = 0;
  for (const RecordedRequest& r : Requests()) deletes += r.method() == "DELETE";
  EXPECT_EQ(deletes, 2);
  EXPECT_THAT(
      Scrape(*server),
      HasSubstr("vercel_tokens_orphaned_tokens_total{outcome=\"revoked\"}"
                " 2"));
  v1::ListAuthTokensResponse listed;
  ASSERT_TRUE(IsOk(ClientOf(*server, "").ListAuthTokens({}, &listed)));
  for (const v1::AuthToken& token : listed.tokens()) {
    EXPECT_FALSE(absl::StartsWith(token.name(), "orphan-")) << token.name();
  }
}

TEST_F(IssuanceTest, RepeatedRequestIdCreatesOnce) {
  std::unique_ptr<ServerProcess> server = StartPlainServer();
  ASSERT_NE(server, nullptr);
  UserTokensClient client = ClientOf(*server, kSeedSecret);
  v1::CreateAuthTokenRequest request;
  request.set_name("idempotent");
  request.set_team_id(kSeedTeam);
  request.set_request_id("0b1e6c55-2f57-4ad9-9a51-5b7a4c3b9d10");
  v1::CreateAuthTokenResponse first;
  v1::CreateAuthTokenResponse again;
  ASSERT_TRUE(IsOk(client.CreateAuthToken(request, &first)));
  ASSERT_TRUE(IsOk(client.CreateAuthToken(request, &again)));
  EXPECT_EQ(again.token().id(), first.token().id());
  EXPECT_EQ(again.bearer_token(), first.bearer_token());
  request.set_name("idempotent-changed");
  EXPECT_TRUE(HasCode(client.CreateAuthToken(request, &again),
                      grpc::StatusCode::INVALID_ARGUMENT));
  EXPECT_EQ(Requests().size(), 1u);
  EXPECT_THAT(server->Output(), Not(HasSubstr(first.bearer_token())));

  // Twenty concurrent duplicates while the first POST is held.
  Reset(SeedOnly());
  Fault hold;
  hold.set_method("POST");
  hold.set_path("/v3/user/tokens");
  hold.set_hold(true);
  ASSERT_TRUE(IsOk(fake().AddFault(hold)));
  request.set_name("concurrent");
  request.set_request_id("9d7e1c3a-41f4-4b8e-8a0e-2d2f8c6b7a55");
  std::vector<v1::CreateAuthTokenResponse> responses(20);
  std::vector<grpc::Status> statuses(20);
  std::vector<std::thread> callers;
  for (int i = 0; i < 20; ++i) {
    callers.emplace_back([&, i] {
      statuses[i] = ClientOf(*server, kSeedSecret, absl::Seconds(30))
                        .CreateAuthToken(request, &responses[i]);
    });
  }
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  ASSERT_TRUE(IsOk(fake().Release()));
  for (std::thread& t : callers) t.join();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(IsOk(statuses[i])) << i << " " << statuses[i].error_message();
    EXPECT_EQ(responses[i].token().id(), responses[0].token().id());
  }
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(IssuanceTest, ServerTokenWithoutPolicyIsWarnedAbout) {
  std::unique_ptr<ServerProcess> with_token = StartPlainServer();
  ASSERT_NE(with_token, nullptr);
  EXPECT_THAT(with_token->Output(), HasSubstr("no --policy_file: any caller"));
  TempFile policy(kPolicy);
  std::unique_ptr<ServerProcess> with_policy =
      StartPlainServer({absl::StrCat("--policy_file=", policy.path())});
  ASSERT_NE(with_policy, nullptr);
  EXPECT_THAT(with_policy->Output(), Not(HasSubstr("no --policy_file")));
  EXPECT_THAT(with_policy->Output(), HasSubstr("policy loaded"));
}

TEST_F(IssuanceTest, VercelEchoingTheTokenInAnyEncodingIsRedacted) {
  constexpr char kToken[] = "Caller+Token/Value=42";
  const std::string echoes[] = {
      "caller%2btoken%2fvalue%3d42",             // Lower-case percent-encoding.
      "Caller%2BToken%2FValue%3D42",             // Upper-case percent-encoding.
      "caller+token/value=42",                   // Lower-cased.
      "Q2FsbGVyK1Rva2VuL1ZhbHVlPTQy",            // Base64.
      "QmVhcmVyIENhbGxlcitUb2tlbi9WYWx1ZT00Mg",  // base64url("Bearer ...").
  };
  Fault fault;
  fault.set_method("GET");
  fault.set_status(403);
  fault.set_times(1);
  std::string message = "token";
  for (const std::string& echo : echoes) absl::StrAppend(&message, " ", echo);
  fault.set_body(absl::StrCat(R"({"error":{"code":"forbidden","message":")",
                              message, R"("}})"));
  ASSERT_TRUE(IsOk(fake().AddFault(fault)));
  const grpc::Status status = Call(Client(kToken), "GetAuthToken");
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::PERMISSION_DENIED));
  EXPECT_THAT(status.error_message(), HasSubstr("[redacted]"));
  ASSERT_TRUE(IsOk(server()
                       .process()
                       .WaitForLine(Stream::kStderr,
                                    "\"code\":\"PERMISSION_DENIED\"", kLogWait)
                       .status()));
  const std::string output = server().Output();
  for (const std::string& echo : echoes) {
    EXPECT_THAT(status.error_message(), Not(HasSubstr(echo)));
    EXPECT_THAT(output, Not(HasSubstr(echo)));
  }
}

}  // namespace
}  // namespace vercel_tokens::integration
