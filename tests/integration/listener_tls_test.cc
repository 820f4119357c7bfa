// The TLS listener follows its certificate files: a renewed certificate is
// served to new connections while open ones keep going.

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/self_signed.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

class ListenerTlsTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    char dir_template[] = "/tmp/vut-listener-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Copies `from` to `to` through a temporary file and a rename, as
  // Kubernetes swaps a Secret's files: readers see the old or the new one.
  void Install(const std::string& from, const std::string& to) {
    const std::string staged = to + ".new";
    std::filesystem::copy_file(
        from, staged, std::filesystem::copy_options::overwrite_existing);
    ASSERT_EQ(std::rename(staged.c_str(), to.c_str()), 0) << to;
  }

  std::string dir_;
};

// A channel to `address` that trusts only `cert_pem`.
std::shared_ptr<grpc::Channel> Trusting(const std::string& address,
                                        const std::string& cert_pem) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = cert_pem;
  return grpc::CreateChannel(address, grpc::SslCredentials(options));
}

grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel) {
  ServingStatus status = ServingStatus::kUnknown;
  return CheckHealth(channel, "readiness", absl::Seconds(10), &status);
}

TEST_F(ListenerTlsTest, ServesARenewedCertificateWithoutDroppingConnections) {
  absl::StatusOr<SelfSigned> old_cert = MakeSelfSigned(dir_, "old");
  absl::StatusOr<SelfSigned> new_cert = MakeSelfSigned(dir_, "new");
  ASSERT_TRUE(IsOk(old_cert.status()));
  ASSERT_TRUE(IsOk(new_cert.status()));
  const std::string cert_file = dir_ + "/tls.crt";
  const std::string key_file = dir_ + "/tls.key";
  Install(old_cert->cert_file, cert_file);
  Install(old_cert->key_file, key_file);
  std::unique_ptr<ServerProcess> server = StartServer(
      {{absl::StrCat("--tls_cert_file=", cert_file),
        absl::StrCat("--tls_key_file=", key_file), "--tls_reload_interval=1s"},
       {}});
  ASSERT_NE(server, nullptr);
  std::shared_ptr<grpc::Channel> old_client =
      Trusting(server->address(), old_cert->cert_pem);
  ASSERT_TRUE(IsOk(Check(old_client)));
  EXPECT_FALSE(Check(Trusting(server->address(), new_cert->cert_pem)).ok());

  Install(new_cert->key_file, key_file);
  Install(new_cert->cert_file, cert_file);

  // gRPC reconnects with backoff until a handshake with the new certificate
  // succeeds; the server reads its files every second.
  std::shared_ptr<grpc::Channel> new_client =
      Trusting(server->address(), new_cert->cert_pem);
  EXPECT_TRUE(new_client->WaitForConnected(
      absl::ToChronoTime(absl::Now() + absl::Seconds(30))));
  EXPECT_TRUE(IsOk(Check(new_client)));
  // The connection made with the old certificate is still open: were it
  // dropped, reconnecting would fail, as this client trusts only the old
  // one.
  EXPECT_EQ(old_client->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(IsOk(Check(old_client)));
}

TEST_F(ListenerTlsTest, RefusesToStartWithoutItsCertificate) {
  auto process =
      ServerProcess::Spawn({"--listen=127.0.0.1:0",
                            absl::StrCat("--tls_cert_file=", dir_, "/no.crt"),
                            absl::StrCat("--tls_key_file=", dir_, "/no.key")},
                           {});
  ASSERT_TRUE(IsOk(process.status()));

  absl::StatusOr<int> exit_code = (*process)->Wait(absl::Seconds(15));

  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_NE(*exit_code, 0);
  EXPECT_NE((*process)->Output(Stream::kStderr).find("--tls_cert_file"),
            std::string::npos);
}

}  // namespace
}  // namespace vercel_tokens::integration
