// identity_cost: the server CPU one call spends identifying its caller, by
// source: a workload token whose review is cached (x-workload-token) against
// a verified client certificate (mTLS). Everything else a call does is the
// same for both, so the difference is what a cached workload identity costs
// more than an mTLS one (issue 16's target: at most 20 µs).
//
//   build/bench/identity_cost [calls]
//
// Prints the mean CPU time per identification (CLOCK_PROCESS_CPUTIME_ID) of
// each source, over `calls` calls (default 200000) after a warm-up, on one
// thread. Not a test: nothing asserts the figures.

#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "server/identity/certificate_source.h"
#include "server/identity/workload_token_source.h"

namespace vercel_tokens {
namespace {

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

// Answers every review at once: only the first call of a token reaches it.
class InstantVerifier final : public WorkloadTokenVerifier {
 public:
  bool Accepts(const UnverifiedJwt&) const override { return true; }
  absl::string_view audience() const override { return "vercel-user-tokens"; }
  void Verify(const std::string&, const UnverifiedJwt&, Done done) override {
    Caller caller;
    caller.id = "spiffe://cluster.local/ns/billing/sa/deployer";
    caller.source = CallerSource::kKubernetes;
    caller.service_account_uid = "0b4ee6f6-7d4a-4f8e-9c57-1f0e5e3b1a2c";
    caller.pod_name = "api-5d9c7b8f6d-x2x4z";
    caller.pod_uid = "7c0d8f9e-1b2a-4c3d-8e9f-0a1b2c3d4e5f";
    caller.credential_id = "4f1c9a2e-8b7d-4e6f-a5c3-2d1e0f9a8b7c";
    std::move(done)(std::move(caller));
  }
};

// A projected ServiceAccount token of realistic size (about 1 KB).
std::string ServiceAccountToken() {
  const std::string payload = absl::StrCat(
      R"({"aud":["vercel-user-tokens"],"exp":)",
      absl::ToUnixSeconds(absl::Now() + absl::Hours(1)),
      R"(,"iat":1764950000,"iss":"https://kubernetes.default.svc.cluster.local",)",
      R"("jti":"4f1c9a2e-8b7d-4e6f-a5c3-2d1e0f9a8b7c","kubernetes.io":{)",
      R"("namespace":"billing","node":{"name":"node-1","uid":"1b2c"},)",
      R"("pod":{"name":"api-5d9c7b8f6d-x2x4z","uid":"7c0d8f9e"},)",
      R"("serviceaccount":{"name":"deployer","uid":"0b4ee6f6"}},)",
      R"("nbf":1764950000,"sub":"system:serviceaccount:billing:deployer"})");
  return absl::StrCat(
      absl::WebSafeBase64Escape(R"({"alg":"RS256","kid":"k1"})"), ".",
      absl::WebSafeBase64Escape(payload), ".",
      absl::WebSafeBase64Escape(std::string(256, 's')));
}

// Mean CPU seconds per Identify of `source` with `call`.
double Measure(IdentitySource& source, const CallCredentials& prototype,
               int calls) {
  int identified = 0;
  auto one = [&] {
    // Each call copies its credentials out of its context, as the server
    // does (CallCredentials::FromContext).
    CallCredentials call = prototype;
    source.Identify(call, [&](absl::StatusOr<Caller> caller) {
      identified += caller.ok() ? 1 : 0;
    });
  };
  for (int i = 0; i < 1000; ++i) one();
  const double start = CpuSeconds();
  for (int i = 0; i < calls; ++i) one();
  const double spent = CpuSeconds() - start;
  if (identified != calls + 1000) {
    std::fprintf(stderr, "only %d of %d calls identified\n", identified,
                 calls + 1000);
    std::exit(1);
  }
  return spent / calls;
}

int Run(int calls) {
  std::vector<std::unique_ptr<WorkloadTokenVerifier>> verifiers;
  verifiers.push_back(std::make_unique<InstantVerifier>());
  WorkloadTokenSource workload(std::move(verifiers), {});
  CallCredentials with_token;
  with_token.workload_tokens = {ServiceAccountToken()};

  CertificateSource certificate;
  CallCredentials with_certificate;
  with_certificate.peer_certificate.emplace();
  with_certificate.peer_certificate->uri_sans = {
      "spiffe://cluster.local/ns/billing/sa/deployer"};
  with_certificate.peer_certificate->dns_sans = {"deployer.billing.svc"};
  with_certificate.peer_certificate->common_name = "deployer";

  const double mtls = Measure(certificate, with_certificate, calls);
  const double cached = Measure(workload, with_token, calls);
  std::printf("source                      CPU per identification\n");
  std::printf("mtls (certificate)          %8.2f us\n", mtls * 1e6);
  std::printf("kubernetes (cached review)  %8.2f us  (token %zu bytes)\n",
              cached * 1e6, with_token.workload_tokens[0].size());
  std::printf("difference                  %8.2f us\n", (cached - mtls) * 1e6);
  return 0;
}

}  // namespace
}  // namespace vercel_tokens

int main(int argc, char** argv) {
  return vercel_tokens::Run(argc > 1 ? std::atoi(argv[1]) : 200000);
}
