// Mutual TLS between the `vercel-tokens` CLI and the server: the CLI's
// --tls_ca_file, --tls_cert_file, --tls_key_file and --tls_server_name, and
// the server's TLS listener, with certificates made by openssl at test time;
// the listener follows a rotated client CA.

#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/pki_fixture.h"
#include "tests/integration/test_fixture.h"
#include "tests/integration/test_pki.h"

namespace vercel_tokens::integration {
namespace {

using ::testing::HasSubstr;

// A readiness check over `channel`.
grpc::Status Check(const std::shared_ptr<grpc::Channel>& channel) {
  ServingStatus status = ServingStatus::kUnknown;
  return CheckHealth(channel, "readiness", absl::Seconds(10), &status);
}

class MtlsTest : public PkiIntegrationTest {
 protected:
  // Starts a server whose listener uses the PKI's server certificate, plus
  // `flags`.
  std::unique_ptr<ServerProcess> StartTlsServer(
      std::vector<std::string> flags = {}) {
    ServerOptions options;
    options.flags = {absl::StrCat("--tls_cert_file=", pki_->server().cert),
                     absl::StrCat("--tls_key_file=", pki_->server().key)};
    options.flags.insert(options.flags.end(), flags.begin(), flags.end());
    return StartServer(options);
  }

  // Runs the CLI against `server` over TLS trusting the PKI's CA, with
  // `args` (flags and subcommand).
  static CliResult RunTls(const ServerProcess& server,
                          const std::vector<std::string>& args) {
    std::vector<std::string> all = {absl::StrCat("--server=", server.address()),
                                    "--timeout=10s", "--tls",
                                    absl::StrCat("--tls_ca_file=", pki_->ca())};
    all.insert(all.end(), args.begin(), args.end());
    absl::StatusOr<CliResult> result =
        RunCli(all, {{"VERCEL_TOKEN", kSeedSecret}});
    if (!result.ok()) {
      ADD_FAILURE() << result.status();
      return {};
    }
    return *result;
  }

  static std::string ServerNameFlag() {
    return absl::StrCat("--tls_server_name=", TestPki::kServerName);
  }
};

TEST_F(MtlsTest, ServerNameLetsTheCliReachACertificateForAnotherName) {
  std::unique_ptr<ServerProcess> server = StartTlsServer();
  ASSERT_NE(server, nullptr);

  const CliResult unnamed = RunTls(*server, {"health"});
  EXPECT_EQ(unnamed.exit_code, 1);
  EXPECT_THAT(unnamed.err, HasSubstr("UNAVAILABLE"));

  const CliResult health = RunTls(*server, {ServerNameFlag(), "health"});
  EXPECT_EQ(health.exit_code, 0) << health.err;
  EXPECT_EQ(health.out, "{\"status\":\"SERVING\"}\n");

  const CliResult get = RunTls(*server, {ServerNameFlag(), "get", "current"});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_THAT(get.out, HasSubstr(seed().id()));
}

TEST_F(MtlsTest, ClientCertificateOpensAServerThatRequiresOne) {
  std::unique_ptr<ServerProcess> server =
      StartTlsServer({absl::StrCat("--tls_client_ca_file=", pki_->ca())});
  ASSERT_NE(server, nullptr);

  const CliResult without = RunTls(*server, {ServerNameFlag(), "health"});
  EXPECT_EQ(without.exit_code, 1);
  EXPECT_THAT(without.err, HasSubstr("UNAVAILABLE"));

  const std::vector<std::string> identity = {
      ServerNameFlag(), absl::StrCat("--tls_cert_file=", pki_->dns().cert),
      absl::StrCat("--tls_key_file=", pki_->dns().key)};
  for (const char* subcommand : {"health", "list"}) {
    std::vector<std::string> args = identity;
    args.push_back(subcommand);
    const CliResult result = RunTls(*server, args);
    EXPECT_EQ(result.exit_code, 0) << subcommand << ": " << result.err;
  }
  EXPECT_TRUE(IsOk(server->process()
                       .WaitForLine(Stream::kStderr,
                                    absl::StrCat("\"caller\":\"",
                                                 TestPki::kDnsIdentity, "\""),
                                    absl::Seconds(20))
                       .status()));
}

TEST_F(MtlsTest, FollowsARotatedClientCaWithoutARestart) {
  char dir_template[] = "/tmp/vut-client-ca-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::string dir = dir_template;
  const std::string ca_file = dir + "/ca.crt";
  // As Kubernetes swaps a Secret's files: a new file renamed over the old.
  auto install = [&ca_file](const std::string& from) {
    const std::string staged = ca_file + ".new";
    std::filesystem::copy_file(
        from, staged, std::filesystem::copy_options::overwrite_existing);
    ASSERT_EQ(std::rename(staged.c_str(), ca_file.c_str()), 0);
  };
  install(pki_->ca());
  std::unique_ptr<ServerProcess> server =
      StartTlsServer({absl::StrCat("--tls_client_ca_file=", ca_file),
                      "--tls_reload_interval=1s"});
  ASSERT_NE(server, nullptr);
  std::shared_ptr<grpc::Channel> trusted =
      MtlsChannel(*server, &pki_->spiffe());
  EXPECT_TRUE(IsOk(Check(trusted)));
  EXPECT_FALSE(Check(MtlsChannel(*server, &pki_->stranger())).ok());

  install(pki_->other_ca());

  // gRPC reconnects with backoff until a handshake succeeds; the server
  // reads its files every second.
  std::shared_ptr<grpc::Channel> stranger =
      MtlsChannel(*server, &pki_->stranger());
  EXPECT_TRUE(stranger->WaitForConnected(
      absl::ToChronoTime(absl::Now() + absl::Seconds(30))));
  EXPECT_TRUE(IsOk(Check(stranger)));
  // A certificate from the CA no longer trusted opens no new connection,
  // while the connection it opened before stays up.
  EXPECT_FALSE(Check(MtlsChannel(*server, &pki_->spiffe())).ok());
  EXPECT_EQ(trusted->GetState(false), GRPC_CHANNEL_READY);
  EXPECT_TRUE(IsOk(Check(trusted)));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vercel_tokens::integration
