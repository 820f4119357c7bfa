#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_PKI_FIXTURE_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_PKI_FIXTURE_H_

#include <memory>

#include "absl/status/statusor.h"
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

  inline static TestPki* pki_ = nullptr;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_PKI_FIXTURE_H_
