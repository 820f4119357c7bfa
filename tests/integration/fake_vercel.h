#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_FAKE_VERCEL_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_FAKE_VERCEL_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tests/integration/fake_control.pb.h"
#include "tests/integration/process.h"

namespace vercel_tokens::integration {

// The fake Vercel API (tests/fake_vercel/fake_vercel.py) running in its own
// process on a free loopback port, and a blocking client of its control
// endpoints.
//
// Destroying it kills the fake. Not thread-safe: one thread drives it (the
// gRPC calls under test may run on others).
class FakeVercel {
 public:
  // How long the blocking control calls wait at most.
  static constexpr absl::Duration kWaitTimeout = absl::Seconds(15);

  // Starts the fake and waits until it listens: over plain HTTP, or over
  // HTTPS when `tls_cert_file` and `tls_key_file` (PEM) are given; the
  // control client then trusts `tls_cert_file`, which must be self-signed.
  // It listens on `port`, or on a free one when 0.
  static absl::StatusOr<std::unique_ptr<FakeVercel>> Start(
      const std::string& tls_cert_file = "",
      const std::string& tls_key_file = "", int port = 0);

  FakeVercel(const FakeVercel&) = delete;
  FakeVercel& operator=(const FakeVercel&) = delete;

  // The base URL of its Vercel API, e.g. `http://127.0.0.1:41234` or
  // `https://127.0.0.1:41234`.
  const std::string& base_url() const { return base_url_; }

  // Clears all state, releases held requests, then seeds `request`. Returns
  // the seeded tokens.
  absl::StatusOr<ResetResponse> Reset(const ResetRequest& request);

  // Adds a fault; the first fault that matches a request answers it.
  absl::Status AddFault(const Fault& fault);

  // Answers every held request.
  absl::Status Release();

  // Confirms the pending email logins of `email`.
  absl::Status Confirm(absl::string_view email);

  // Returns every request recorded since the last reset.
  absl::StatusOr<std::vector<RecordedRequest>> Requests();

  // Wait until at least `count` requests were recorded / are being held /
  // were aborted by their client while held, for at most kWaitTimeout.
  absl::Status WaitForRequests(int count);
  absl::Status WaitHeld(int count);
  absl::Status WaitAborted(int count);

 private:
  FakeVercel(std::unique_ptr<Process> process, std::string base_url,
             std::string ca_file);

  // Sends one control request and returns the response body; fails unless
  // the fake answers 200.
  absl::StatusOr<std::string> Control(absl::string_view method,
                                      absl::string_view path_and_query,
                                      absl::string_view body);
  absl::Status Wait(absl::string_view endpoint, int count);

  std::unique_ptr<Process> process_;
  std::string base_url_;
  // The CA the control client trusts; empty over plain HTTP.
  std::string ca_file_;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_FAKE_VERCEL_H_
