#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_FAKE_OIDC_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_FAKE_OIDC_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tests/integration/process.h"

namespace vercel_tokens::integration {

// The fake OIDC issuer (tests/fake_oidc/fake_oidc.py) in its own process,
// serving discovery and a key set over HTTPS on a free loopback port, and a
// blocking client of its control endpoints. Destroying it kills the fake.
// Not thread-safe.
class FakeOidc {
 public:
  // Starts it with the self-signed `cert_file`/`key_file` (for 127.0.0.1),
  // which its control client trusts.
  static absl::StatusOr<std::unique_ptr<FakeOidc>> Start(
      const std::string& cert_file, const std::string& key_file);

  // `https://127.0.0.1:<port>`: its issuer URL.
  const std::string& issuer() const { return issuer_; }

  // Serves `jwks` (a JWKS JSON document) from now on.
  absl::Status SetJwks(const std::string& jwks);
  // Makes discovery and the key set answer 503 while `down`; makes the
  // discovery document name `discovery_issuer` instead of itself when set.
  absl::Status SetState(bool down,
                        std::optional<std::string> discovery_issuer = {});

  // Makes its stand-in for GitHub Actions' token request URL
  // (`<issuer>/_actions/token?api-version=2.0`, see actions_url()) answer
  // `token` to a request bearing `request_token`.
  absl::Status SetActionsToken(const std::string& request_token,
                               const std::string& token);
  std::string actions_url() const {
    return issuer_ + "/_actions/token?api-version=2.0";
  }
  // The audience the last token request asked for; empty for none.
  absl::StatusOr<std::string> ActionsAudience();

  // How many discovery and key set requests it has had.
  struct Counts {
    int discovery = 0;
    int jwks = 0;
  };
  absl::StatusOr<Counts> GetCounts();

 private:
  FakeOidc(std::unique_ptr<Process> process, std::string issuer,
           std::string ca_file);
  absl::StatusOr<std::string> Control(const std::string& method,
                                      const std::string& path,
                                      const std::string& body);

  std::unique_ptr<Process> process_;
  std::string issuer_;
  std::string ca_file_;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_FAKE_OIDC_H_
