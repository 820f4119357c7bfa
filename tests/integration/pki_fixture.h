#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_PKI_FIXTURE_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_PKI_FIXTURE_H_

#include <fstream>
#include <iterator>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"
#include "tests/integration/test_pki.h"

namespace vercel_tokens::integration {

// IntegrationTest with a CA and its certificates (TestPki), made once per
// test suite: for tests of the TLS listener and of caller identity.
class PkiIntegrationTest : public IntegrationTest {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<TestPki>> pki = TestPki::Create();
    ASSERT_TRUE(IsOk(pki.status()));
    pki_ = pki->release();
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
    IntegrationTest::TearDownTestSuite();
  }

  // A channel to `server` that trusts `ca_file` (by default the PKI's CA)
  // for the name TestPki::kServerName and presents `identity` (null: no
  // certificate).
  static std::shared_ptr<grpc::Channel> MtlsChannel(
      const ServerProcess& server, const CertFiles* identity,
      const std::string& ca_file = pki_->ca()) {
    grpc::SslCredentialsOptions tls;
    tls.pem_root_certs = TempFileContents(ca_file);
    if (identity != nullptr) {
      tls.pem_cert_chain = TempFileContents(identity->cert);
      tls.pem_private_key = TempFileContents(identity->key);
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride(TestPki::kServerName);
    return grpc::CreateCustomChannel(server.address(),
                                     grpc::SslCredentials(tls), args);
  }

  static std::string TempFileContents(const std::string& path) {
    std::ifstream in(path);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  inline static TestPki* pki_ = nullptr;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_PKI_FIXTURE_H_
