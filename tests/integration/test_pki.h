#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEST_PKI_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEST_PKI_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace vercel_tokens::integration {

// A certificate and its private key, as PEM files.
struct CertFiles {
  std::string cert;
  std::string key;
};

// A throw-away public key infrastructure made with the openssl command at
// test time, in a temporary directory removed on destruction:
//
// - `ca`: the CA a server trusts for client certificates
// (--tls_client_ca_file);
// - `server`: the server's certificate from `ca`, for the DNS name
//   kServerName only (so a client of 127.0.0.1 must name it);
// - `spiffe`: a client certificate from `ca` whose URI SAN is kSpiffeId (and
//   whose CN is `ignored-cn`);
// - `dns`: a client certificate from `ca` whose first DNS SAN is kDnsName;
// - `other_ca`: another CA;
// - `stranger`: a client certificate with kSpiffeId from `other_ca`.
//
// Not thread-safe; the files are read-only once Create returns.
class TestPki {
 public:
  static constexpr char kServerName[] = "tokens.vut.test";
  static constexpr char kSpiffeId[] =
      "spiffe://cluster.local/ns/billing/sa/deployer";
  static constexpr char kDnsName[] = "rotator.ops.vut.test";
  // The identity the `dns` certificate proves (its DNS SAN's namespace).
  static constexpr char kDnsIdentity[] = "dns:rotator.ops.vut.test";

  static absl::StatusOr<std::unique_ptr<TestPki>> Create();

  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;
  ~TestPki();

  const std::string& ca() const { return ca_.cert; }
  const std::string& other_ca() const { return other_ca_.cert; }
  const CertFiles& server() const { return server_; }
  const CertFiles& spiffe() const { return spiffe_; }
  const CertFiles& dns() const { return dns_; }
  const CertFiles& stranger() const { return stranger_; }

  // A client certificate `name` from `ca` with subject CN `cn` and the
  // subjectAltName `san` (none when empty): for tests of hostile names.
  absl::StatusOr<CertFiles> IssueClient(const std::string& name,
                                        const std::string& cn,
                                        const std::string& san) const;

 private:
  explicit TestPki(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;
  CertFiles ca_;
  CertFiles other_ca_;
  CertFiles server_;
  CertFiles spiffe_;
  CertFiles dns_;
  CertFiles stranger_;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEST_PKI_H_
