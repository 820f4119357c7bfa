// TLS to the upstream: always verified, and --vercel_ca_file adds a CA.

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/fake_vercel.h"
#include "tests/integration/server_process.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;

constexpr char kSecret[] = "tls-seed-secret";

ServerOptions WithFlags(std::vector<std::string> flags) {
  ServerOptions options;
  options.flags = std::move(flags);
  return options;
}

// A fake Vercel API served over HTTPS with a fresh self-signed certificate
// for 127.0.0.1, shared by the suite.
class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char dir_template[] = "/tmp/vut-tls-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = new std::string(dir_template);
    const std::string cert = CertFile();
    const std::string key = KeyFile();
    auto openssl = Process::Start(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
         "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout",
         key, "-out", cert},
        TestEnvironment());
    ASSERT_TRUE(IsOk(openssl.status()));
    auto exit_code = (*openssl)->Wait(absl::Seconds(30));
    ASSERT_TRUE(IsOk(exit_code.status()));
    ASSERT_EQ(*exit_code, 0) << (*openssl)->Output(Stream::kStderr);

    auto fake = FakeVercel::Start(cert, key);
    ASSERT_TRUE(IsOk(fake.status()));
    fake_ = fake->release();
  }

  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
    if (dir_ != nullptr) std::filesystem::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(fake_, nullptr);
    ResetRequest reset;
    SeedToken* seed = reset.add_tokens();
    seed->set_name("tls");
    seed->set_bearer_token(kSecret);
    ASSERT_TRUE(IsOk(fake_->Reset(reset).status()));
  }

  static std::string CertFile() { return *dir_ + "/cert.pem"; }
  static std::string KeyFile() { return *dir_ + "/key.pem"; }

  static grpc::Status GetCurrent(const ServerProcess& server) {
    ClientOptions options;
    options.bearer_token = kSecret;
    options.timeout = absl::Seconds(10);
    UserTokensClient client(server.NewChannel(), options);
    v1::GetAuthTokenRequest request;
    request.set_token_id("current");
    v1::GetAuthTokenResponse response;
    return client.GetAuthToken(request, &response);
  }

  static std::string* dir_;
  static FakeVercel* fake_;
};

std::string* TlsTest::dir_ = nullptr;
FakeVercel* TlsTest::fake_ = nullptr;

TEST_F(TlsTest, ExtraCaFileLetsTheServerReachAnHttpsUpstream) {
  auto server = ServerProcess::Start(
      fake_->base_url(),
      WithFlags({absl::StrCat("--vercel_ca_file=", CertFile())}));
  ASSERT_TRUE(IsOk(server.status()));

  EXPECT_TRUE(IsOk(GetCurrent(**server)));
  auto requests = fake_->Requests();
  ASSERT_TRUE(IsOk(requests.status()));
  EXPECT_THAT(*requests, ::testing::ElementsAre(
                             IsUpstream("GET", "/v5/user/tokens/current", "")));
}

TEST_F(TlsTest, UntrustedCertificateIsUnavailableAndNothingIsSent) {
  auto server = ServerProcess::Start(fake_->base_url());
  ASSERT_TRUE(IsOk(server.status()));

  const grpc::Status status = GetCurrent(**server);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "UPSTREAM_UNAVAILABLE");
  auto requests = fake_->Requests();
  ASSERT_TRUE(IsOk(requests.status()));
  EXPECT_THAT(*requests, ::testing::IsEmpty());
}

TEST_F(TlsTest, TlsListenerServesCallsAndHealthOnlyOverTls) {
  auto server = ServerProcess::Start(
      fake_->base_url(),
      WithFlags({absl::StrCat("--vercel_ca_file=", CertFile()),
                 absl::StrCat("--tls_cert_file=", CertFile()),
                 absl::StrCat("--tls_key_file=", KeyFile())}));
  ASSERT_TRUE(IsOk(server.status()));
  const std::string server_flag =
      absl::StrCat("--server=", (*server)->address());
  const std::string tls_flags[] = {"--tls",
                                   absl::StrCat("--tls_ca_file=", CertFile())};

  auto health = RunCli({server_flag, tls_flags[0], tls_flags[1], "health"});
  ASSERT_TRUE(IsOk(health.status()));
  EXPECT_EQ(health->exit_code, 0) << health->err;
  EXPECT_THAT(health->out, ::testing::HasSubstr("SERVING"));

  auto get = RunCli({server_flag, tls_flags[0], tls_flags[1], "get", "current"},
                    {{"VERCEL_TOKEN", kSecret}});
  ASSERT_TRUE(IsOk(get.status()));
  EXPECT_EQ(get->exit_code, 0) << get->err;
  EXPECT_THAT(get->out, ::testing::HasSubstr("\"name\":\"tls\""));

  auto plaintext = RunCli({server_flag, "--timeout=2s", "health"});
  ASSERT_TRUE(IsOk(plaintext.status()));
  EXPECT_EQ(plaintext->exit_code, 1);
}

TEST(TlsStartupTest, UnreadableCaFileStopsTheServerFromStarting) {
  auto process = ServerProcess::Spawn(
      {"--listen=127.0.0.1:0", "--vercel_api_base_url=https://127.0.0.1:1",
       "--vercel_ca_file=/nonexistent/ca.pem"},
      {});
  ASSERT_TRUE(IsOk(process.status()));
  auto exit_code = (*process)->Wait(absl::Seconds(30));
  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_NE(*exit_code, 0);
  EXPECT_THAT((*process)->Output(Stream::kStderr),
              ::testing::HasSubstr("cannot read /nonexistent/ca.pem"));
}

}  // namespace
}  // namespace vercel_tokens::integration
