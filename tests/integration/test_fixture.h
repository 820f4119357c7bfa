#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEST_FIXTURE_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEST_FIXTURE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/fake_control.pb.h"
#include "tests/integration/fake_vercel.h"
#include "tests/integration/server_process.h"
#include "user_tokens_client.h"

namespace vercel_tokens::integration {

// The secret and team of the token every test starts with.
inline constexpr char kSeedSecret[] = "secret-seed-1";
inline constexpr char kSeedTeam[] = "team_seed";

// Succeeds when `status` is OK, else says why not.
::testing::AssertionResult IsOk(const absl::Status& status);
::testing::AssertionResult IsOk(const grpc::Status& status);

// Succeeds when `status` has `code`, else says what it has.
::testing::AssertionResult HasCode(const grpc::Status& status,
                                   grpc::StatusCode code);

// Matches a RecordedRequest with this method, raw path and raw query.
MATCHER_P3(IsUpstream, method, path, raw_query,
           ::testing::PrintToString(method) + " " +
               ::testing::PrintToString(path) + " ?" +
               ::testing::PrintToString(raw_query)) {
  *result_listener << "which is " << arg.method() << " " << arg.path() << " ?"
                   << arg.raw_query();
  return arg.method() == method && arg.path() == path &&
         arg.raw_query() == raw_query;
}

// Matches a google.protobuf.Timestamp equal to `millis` milliseconds since
// the Unix epoch, to the nanosecond.
MATCHER_P(
    IsEpochMillis, millis,
    ::google::protobuf::util::TimeUtil::ToString(
        ::google::protobuf::util::TimeUtil::MillisecondsToTimestamp(millis))) {
  *result_listener << "which is "
                   << ::google::protobuf::util::TimeUtil::ToString(arg);
  return arg ==
         ::google::protobuf::util::TimeUtil::MillisecondsToTimestamp(millis);
}

// A test against one fake Vercel API and one server, both shared by the
// tests of a suite (started by the first test, stopped after the last; the
// server runs with --upstream_max_attempts=1, i.e. no retries). Each
// test starts with the fake reset to one seeded token (`seed()`, secret
// kSeedSecret, team kSeedTeam), no faults and no recorded requests.
class IntegrationTest : public ::testing::Test {
 public:
  static void TearDownTestSuite();

 protected:
  void SetUp() override;

  FakeVercel& fake() { return *fake_; }
  ServerProcess& server() { return *server_; }
  const VercelToken& seed() const { return seed_; }

  // Seeds `count` tokens named t1 (oldest) ... t<count>, each in team
  // kSeedTeam, the first one with the secret kSeedSecret, listed `page_size`
  // per page.
  static ResetRequest NumberedTokens(int count, int page_size);

  // Resets the fake to `request`; returns the seeded tokens, or none after
  // adding a test failure.
  std::vector<VercelToken> Reset(const ResetRequest& request);

  // The requests the fake recorded since the last reset; none after adding a
  // test failure.
  std::vector<RecordedRequest> Requests();

  // Requests() without the server's own GET /v5/user/tokens/current at
  // start (server_token_id.h), which a server with a token of its own sends
  // first.
  std::vector<RecordedRequest> CallRequests();

  // Waits until `server` has learned its own token's id (so that its GET
  // /v5/user/tokens/current is the first request the fake recorded); adds a
  // test failure after 15 s.
  static void WaitForServerTokenId(ServerProcess& server);

  // How many of Requests() used HTTP `method`.
  int CountRequests(absl::string_view method);

  // Makes the fake hold the next token create (POST /v3/user/tokens) until
  // the test releases it; adds a test failure if it cannot.
  void HoldNextCreate();

  // A CreateAuthToken of a token named `name` in kSeedTeam, idempotent under
  // `request_id`.
  static ::vercel::authentication::v1::CreateAuthTokenRequest CreateRequest(
      absl::string_view name, absl::string_view request_id);

  // Starts a server of its own against the shared fake; null after adding a
  // test failure.
  std::unique_ptr<ServerProcess> StartServer(const ServerOptions& options);

  // A client of `server` (default: the shared one) calling with `bearer`
  // (empty: no authorization metadata) and `timeout`.
  UserTokensClient Client(absl::string_view bearer = kSeedSecret,
                          absl::Duration timeout = absl::Seconds(10));
  static UserTokensClient ClientOf(const ServerProcess& server,
                                   absl::string_view bearer = kSeedSecret,
                                   absl::Duration timeout = absl::Seconds(10));

 private:
  static std::unique_ptr<FakeVercel>& SharedFake();
  static std::unique_ptr<ServerProcess>& SharedServer();

  FakeVercel* fake_ = nullptr;
  ServerProcess* server_ = nullptr;
  VercelToken seed_;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEST_FIXTURE_H_
