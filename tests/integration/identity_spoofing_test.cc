// The spoofing attacks of issue 16, each through the real server: every one
// of these succeeded (or answered RESOURCE_EXHAUSTED) before the identity
// chain.

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
using ::testing::Le;
using ::testing::SizeIs;

constexpr char kDeployer[] = "spiffe://cluster.local/ns/ci/sa/deployer";

// Only the deployer (and, where a test says so, anonymous) may call
// GetAuthToken with the server's token.
std::string PolicyFor(std::vector<std::string> callers) {
  std::string list;
  for (const std::string& caller : callers) {
    absl::StrAppend(&list, list.empty() ? "" : ",", "\"", caller, "\"");
  }
  return absl::StrCat(R"({"rules": [{"callers": [)", list,
                      R"(], "allowed_rpcs": ["GetAuthToken"],
      "use_server_token": true}]})");
}

class IdentitySpoofingTest : public PkiIntegrationTest {
 protected:
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> flags) {
    ServerOptions options;
    options.flags = std::move(flags);
    options.env = {{"VERCEL_TOKEN", kSeedSecret}};
    return StartServer(options);
  }

  std::vector<std::string> MtlsFlags(const TempFile& policy) {
    return {absl::StrCat("--tls_cert_file=", pki_->server().cert),
            absl::StrCat("--tls_key_file=", pki_->server().key),
            absl::StrCat("--tls_client_ca_file=", pki_->ca()),
            absl::StrCat("--policy_file=", policy.path())};
  }

  static grpc::Status Get(const std::shared_ptr<grpc::Channel>& channel,
                          const std::vector<std::string>& forwarded = {}) {
    auto stub = v1::UserTokensService::NewStub(channel);
    grpc::ClientContext context;
    for (const std::string& header : forwarded) {
      context.AddMetadata("x-forwarded-client-cert", header);
    }
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::GetAuthTokenRequest request;
    request.set_token_id("current");
    v1::GetAuthTokenResponse response;
    return stub->GetAuthToken(&context, request, &response);
  }
};

TEST_F(IdentitySpoofingTest, ForwardedCertQuoteInjectionIsRefused) {
  TempFile policy(PolicyFor({kDeployer}));
  std::unique_ptr<ServerProcess> server =
      Start({"--trust_forwarded_client_cert",
             absl::StrCat("--policy_file=", policy.path())});
  ASSERT_NE(server, nullptr);
  // What the client sends, then what an appending sidecar (Envoy's
  // APPEND_FORWARD, Istio-shaped) makes of it.
  const std::string client = absl::StrCat("URI=", kDeployer, ";By=\"");
  for (const std::string& appended :
       {absl::StrCat(client,
                     ",By=spiffe://cluster.local/ns/tokens/sa/server;Hash=ab;"
                     "Subject=\"\";URI=spiffe://cluster.local/ns/low/sa/x"),
        absl::StrCat(client,
                     ",By=spiffe://cluster.local/ns/tokens/sa/server;Hash=ab;"
                     "URI=spiffe://cluster.local/ns/low/sa/x")}) {
    const grpc::Status status = Get(server->NewChannel(), {appended});
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << status.error_message();
    EXPECT_EQ(DecodeErrorDetails(status).reason,
              "FORWARDED_CLIENT_CERT_INVALID");
  }
  // Two headers: the last no longer wins.
  const grpc::Status two =
      Get(server->NewChannel(), {"URI=spiffe://cluster.local/ns/low/sa/x",
                                 absl::StrCat("URI=", kDeployer)});
  EXPECT_EQ(two.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // The sidecar's own, well-formed element still identifies.
  EXPECT_TRUE(IsOk(Get(server->NewChannel(),
                       {absl::StrCat("By=spiffe://cluster.local/ns/tokens/sa/"
                                     "server;Hash=ab;Subject=\"\";URI=",
                                     kDeployer)})));
}

TEST_F(IdentitySpoofingTest,
       AForwardedHeaderNextToATlsListenerIsRefusedAtStart) {
  for (bool client_ca : {false, true}) {
    std::vector<std::string> flags = {
        "--listen=127.0.0.1:0", "--trust_forwarded_client_cert",
        absl::StrCat("--tls_cert_file=", pki_->server().cert),
        absl::StrCat("--tls_key_file=", pki_->server().key)};
    if (client_ca) {
      flags.push_back(absl::StrCat("--tls_client_ca_file=", pki_->ca()));
    }
    auto process = ServerProcess::Spawn(flags, {});
    ASSERT_TRUE(IsOk(process.status()));
    absl::StatusOr<int> exit_code = (*process)->Wait(absl::Seconds(15));
    ASSERT_TRUE(IsOk(exit_code.status()));
    EXPECT_NE(*exit_code, 0);
    EXPECT_THAT((*process)->Output(Stream::kStderr),
                HasSubstr("--trust_forwarded_client_cert cannot go with"));
  }
}

TEST_F(IdentitySpoofingTest, CertificateNamesKeepTheirNamespaces) {
  TempFile policy(PolicyFor({kDeployer, "anonymous"}));
  std::unique_ptr<ServerProcess> server = Start(MtlsFlags(policy));
  ASSERT_NE(server, nullptr);
  struct Case {
    const char* name;
    std::string cn;
    std::string san;
    std::string identity;
  };
  const Case cases[] = {
      {"cn-spiffe", kDeployer, "", absl::StrCat("cn:", kDeployer)},
      {"cn-anonymous", "anonymous", "", "cn:anonymous"},
      {"dns-only", "", "DNS:deployer.ci.svc", "dns:deployer.ci.svc"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CertFiles> cert = pki_->IssueClient(c.name, c.cn, c.san);
    ASSERT_TRUE(IsOk(cert.status()));
    const grpc::Status status = Get(MtlsChannel(*server, &*cert));
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
        << c.name << ": " << status.error_message();
    EXPECT_EQ(DecodeErrorDetails(status).metadata["caller"], c.identity)
        << c.name;
  }
  // A certificate with no name at all is not the anonymous caller.
  absl::StatusOr<CertFiles> nameless = pki_->IssueClient("nameless", "", "");
  ASSERT_TRUE(IsOk(nameless.status()));
  const grpc::Status status = Get(MtlsChannel(*server, &*nameless));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
      << status.error_message();
  EXPECT_EQ(DecodeErrorDetails(status).reason, "CLIENT_CERTIFICATE_UNUSABLE");
}

TEST_F(IdentitySpoofingTest, AHugeUriSanIsDeniedWithABoundedAnswer) {
  TempFile policy(PolicyFor({kDeployer}));
  std::unique_ptr<ServerProcess> server = Start(MtlsFlags(policy));
  ASSERT_NE(server, nullptr);
  const std::string huge =
      absl::StrCat("spiffe://cluster.local/ns/", std::string(16 << 10, 'a'));
  absl::StatusOr<CertFiles> cert =
      pki_->IssueClient("huge", "huge", absl::StrCat("URI:", huge));
  ASSERT_TRUE(IsOk(cert.status()));
  const grpc::Status status = Get(MtlsChannel(*server, &*cert));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
      << status.error_message().substr(0, 200);
  EXPECT_THAT(status.error_message(), SizeIs(Le(1024u)));
  EXPECT_THAT(DecodeErrorDetails(status).metadata["caller"],
              HasSubstr("(16410 bytes)"));
}

}  // namespace
}  // namespace vercel_tokens::integration
