// Exactly-once issuance in one process: what a request_id deduplicates and
// for whom, a repeat that waits for a first attempt whose caller left, and
// orphaned creates through a SIGTERM. The replicas sharing a store are in
// tests/replicas.

#include <signal.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr char kRequestId[] = "5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e11";
// The SHA-256 of kRequestId, as the audit line names it.
constexpr char kRequestIdSha256[] =
    "03289a3ddbd4458211ed7bd3237af5cb3f8725e9c2e01d4ab8c2b927d56a4e71";

class ExactlyOnceTest : public IntegrationTest {
 protected:
  // A server with the server token kSeedSecret and `flags`.
  std::unique_ptr<ServerProcess> Start(std::vector<std::string> flags) {
    ServerOptions options;
    options.flags = std::move(flags);
    options.flags.push_back("--metrics_listen=127.0.0.1:0");
    options.env = {{"VERCEL_TOKEN", kSeedSecret}};
    return StartServer(options);
  }

  // Polls the server's metrics until `series` reads `value`; false after
  // kWait. A condition polled, not a sleep that hopes.
  static bool AwaitSample(const ServerProcess& server, absl::string_view series,
                          double value) {
    const absl::Time deadline = absl::Now() + kWait;
    while (absl::Now() < deadline) {
      if (absl::StatusOr<std::string> text = ScrapeMetrics(server); text.ok()) {
        if (absl::StatusOr<double> v = SampleValue(*text, series);
            v.ok() && *v == value) {
          return true;
        }
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    return false;
  }
};

TEST_F(ExactlyOnceTest, AnonymousCallersOfTheServerTokenAreNeverDeduplicated) {
  std::unique_ptr<ServerProcess> server = Start({});
  ASSERT_NE(server, nullptr);
  // Two callers that proved no identity and send no token of their own:
  // the second must not receive the first one's bearer token.
  v1::CreateAuthTokenResponse first;
  v1::CreateAuthTokenResponse second;
  ASSERT_TRUE(
      IsOk(ClientOf(*server, "")
               .CreateAuthToken(CreateRequest("a", kRequestId), &first)));
  ASSERT_TRUE(
      IsOk(ClientOf(*server, "")
               .CreateAuthToken(CreateRequest("a", kRequestId), &second)));
  EXPECT_NE(second.token().id(), first.token().id());
  EXPECT_NE(second.bearer_token(), first.bearer_token());
  EXPECT_EQ(CountRequests("POST"), 2);
}

TEST_F(ExactlyOnceTest, RequestIdsAreNormalisedAndOnlyTheirHashIsAudited) {
  std::unique_ptr<ServerProcess> server = Start({});
  ASSERT_NE(server, nullptr);
  UserTokensClient client = ClientOf(*server, kSeedSecret);
  v1::CreateAuthTokenResponse lower;
  v1::CreateAuthTokenResponse upper;
  ASSERT_TRUE(
      IsOk(client.CreateAuthToken(CreateRequest("c", kRequestId), &lower)));
  ASSERT_TRUE(IsOk(client.CreateAuthToken(
      CreateRequest("c", absl::AsciiStrToUpper(kRequestId)), &upper)));
  EXPECT_EQ(upper.token().id(), lower.token().id());
  EXPECT_EQ(CountRequests("POST"), 1);

  v1::CreateAuthTokenResponse unused;
  EXPECT_TRUE(HasCode(
      client.CreateAuthToken(
          CreateRequest("c", "00000000-0000-0000-0000-000000000000"), &unused),
      grpc::StatusCode::INVALID_ARGUMENT));

  ASSERT_TRUE(IsOk(server->process()
                       .WaitForLine(Stream::kStderr, "idempotent_replay", kWait)
                       .status()));
  const std::string output = server->Output();
  EXPECT_THAT(output, HasSubstr(absl::StrCat("\"request_id_sha256\":\"",
                                             kRequestIdSha256, "\"")));
  EXPECT_THAT(output, Not(HasSubstr(kRequestId)));
  EXPECT_THAT(output, Not(HasSubstr(absl::AsciiStrToUpper(kRequestId))));
}

TEST_F(ExactlyOnceTest, ARetryWaitsForTheFirstAttemptInsteadOfItsRevocation) {
  std::unique_ptr<ServerProcess> server = Start({"--orphan_grace=30s"});
  ASSERT_NE(server, nullptr);
  HoldNextCreate();
  // The first attempt times out while Vercel holds its POST.
  v1::CreateAuthTokenResponse first;
  EXPECT_TRUE(
      HasCode(ClientOf(*server, kSeedSecret, absl::Seconds(1))
                  .CreateAuthToken(CreateRequest("w", kRequestId), &first),
              grpc::StatusCode::DEADLINE_EXCEEDED));
  ASSERT_TRUE(IsOk(
      server->process()
          .WaitForLine(Stream::kStderr, "\"code\":\"DEADLINE_EXCEEDED\"", kWait)
          .status()));
  // Its retry arrives while the POST still runs, and waits for it.
  v1::CreateAuthTokenResponse retried;
  std::future<grpc::Status> retry = std::async(std::launch::async, [&] {
    return ClientOf(*server, kSeedSecret, absl::Seconds(30))
        .CreateAuthToken(CreateRequest("w", kRequestId), &retried);
  });
  // The first call has its answer; the retry is the one call in flight.
  ASSERT_TRUE(AwaitSample(
      *server,
      R"(vercel_tokens_grpc_calls_in_flight{method="CreateAuthToken"})", 1));
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  ASSERT_TRUE(IsOk(fake().Release()));

  const grpc::Status status = retry.get();
  ASSERT_TRUE(IsOk(status)) << status.error_message();
  EXPECT_FALSE(retried.bearer_token().empty());
  EXPECT_EQ(CountRequests("POST"), 1);
  EXPECT_EQ(CountRequests("DELETE"), 0);
  v1::GetAuthTokenRequest get;
  get.set_token_id(retried.token().id());
  v1::GetAuthTokenResponse got;
  EXPECT_TRUE(IsOk(ClientOf(*server, kSeedSecret).GetAuthToken(get, &got)));
  EXPECT_THAT(server->Output(), Not(HasSubstr("orphan_revoked")));
}

TEST_F(ExactlyOnceTest, WaitingRepeatsCountAgainstMaxInFlight) {
  std::unique_ptr<ServerProcess> server = Start({"--max_in_flight=2"});
  ASSERT_NE(server, nullptr);
  HoldNextCreate();
  std::vector<std::future<grpc::Status>> waiting;
  std::vector<v1::CreateAuthTokenResponse> responses(2);
  for (int i = 0; i < 2; ++i) {
    waiting.push_back(std::async(std::launch::async, [&, i] {
      return ClientOf(*server, kSeedSecret, absl::Seconds(30))
          .CreateAuthToken(CreateRequest("m", kRequestId), &responses[i]);
    }));
    ASSERT_TRUE(AwaitSample(
        *server,
        R"(vercel_tokens_grpc_calls_in_flight{method="CreateAuthToken"})",
        i + 1));
  }
  v1::CreateAuthTokenResponse refused;
  EXPECT_TRUE(
      HasCode(ClientOf(*server, kSeedSecret)
                  .CreateAuthToken(CreateRequest("m", kRequestId), &refused),
              grpc::StatusCode::RESOURCE_EXHAUSTED));
  // The held POST has reached Vercel: released before it arrives, it
  // would be held for good.
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  ASSERT_TRUE(IsOk(fake().Release()));
  for (auto& call : waiting) EXPECT_TRUE(IsOk(call.get()));
  EXPECT_EQ(responses[1].token().id(), responses[0].token().id());
}

TEST_F(ExactlyOnceTest,
       ASlowCreateEndsWithUpstreamTimeoutAndItsTokenIsRevoked) {
  std::unique_ptr<ServerProcess> server = Start({"--orphan_grace=30s"});
  ASSERT_NE(server, nullptr);
  HoldNextCreate();
  v1::CreateAuthTokenResponse unused;
  const grpc::Status status =
      ClientOf(*server, kSeedSecret, absl::Seconds(2))
          .CreateAuthToken(CreateRequest("slow", ""), &unused);
  EXPECT_TRUE(HasCode(status, grpc::StatusCode::DEADLINE_EXCEEDED));
  EXPECT_EQ(DecodeErrorDetails(status).reason, "UPSTREAM_TIMEOUT");
  // Vercel answers later: the token nobody received is revoked.
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  ASSERT_TRUE(IsOk(fake().Release()));
  ASSERT_TRUE(IsOk(
      server->process()
          .WaitForLine(Stream::kStderr, "\"event\":\"orphan_revoked\"", kWait)
          .status()));
  EXPECT_EQ(CountRequests("DELETE"), 1);
}

TEST_F(ExactlyOnceTest, AnAnswerAfterTheGraceIsStillRevoked) {
  constexpr absl::Duration kDeadline = absl::Seconds(1);
  constexpr absl::Duration kGrace = absl::Milliseconds(100);
  std::unique_ptr<ServerProcess> server =
      Start({absl::StrCat("--orphan_grace=", absl::FormatDuration(kGrace))});
  ASSERT_NE(server, nullptr);
  HoldNextCreate();
  v1::CreateAuthTokenResponse unused;
  const absl::Time start = absl::Now();
  EXPECT_TRUE(HasCode(ClientOf(*server, kSeedSecret, kDeadline)
                          .CreateAuthToken(CreateRequest("late", ""), &unused),
                      grpc::StatusCode::DEADLINE_EXCEEDED));
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  // Vercel answers after deadline + --orphan_grace: the process still
  // lives, so the token is still revoked. The server has no event for the
  // grace's end; what the test is about is that point of the clock.
  absl::SleepFor(start + kDeadline + kGrace - absl::Now());
  ASSERT_TRUE(IsOk(fake().Release()));
  ASSERT_TRUE(IsOk(
      server->process()
          .WaitForLine(Stream::kStderr, "\"event\":\"orphan_revoked\"", kWait)
          .status()));
  EXPECT_EQ(CountRequests("DELETE"), 1);
}

TEST_F(ExactlyOnceTest, ACreateAbandonedAtExitIsRecorded) {
  std::unique_ptr<ServerProcess> server =
      Start({"--orphan_grace=1s", "--orphan_revoke_timeout=1s",
             "--shutdown_grace=1s"});
  ASSERT_NE(server, nullptr);
  HoldNextCreate();
  v1::CreateAuthTokenResponse unused;
  EXPECT_TRUE(
      HasCode(ClientOf(*server, kSeedSecret, absl::Seconds(1))
                  .CreateAuthToken(CreateRequest("u", kRequestId), &unused),
              grpc::StatusCode::DEADLINE_EXCEEDED));
  ASSERT_TRUE(AwaitSample(
      *server,
      R"(vercel_tokens_grpc_calls_in_flight{method="CreateAuthToken"})", 0));
  // Vercel never answers; the server stops within its budget and says what
  // it left behind.
  ASSERT_TRUE(IsOk(server->process().Signal(SIGTERM)));
  absl::StatusOr<std::string> line = server->process().WaitForLine(
      Stream::kStderr, "\"event\":\"orphan_unknown\"", kWait);
  ASSERT_TRUE(IsOk(line.status()));
  EXPECT_THAT(*line, HasSubstr(kRequestIdSha256));
  EXPECT_THAT(*line, HasSubstr("\"token_name\":\"u\""));
  EXPECT_THAT(*line, HasSubstr("\"time\":\"20"));
  absl::StatusOr<int> exit_code = server->process().Wait(kWait);
  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_EQ(*exit_code, 0);
  ASSERT_TRUE(IsOk(fake().Release()));
}

TEST_F(ExactlyOnceTest, SigtermLetsTheRevocationOfAnOrphanComplete) {
  std::unique_ptr<ServerProcess> server =
      Start({"--shutdown_grace=1s", "--orphan_grace=30s"});
  ASSERT_NE(server, nullptr);
  HoldNextCreate();
  v1::CreateAuthTokenResponse unused;
  EXPECT_TRUE(HasCode(ClientOf(*server, kSeedSecret, absl::Seconds(1))
                          .CreateAuthToken(CreateRequest("s", ""), &unused),
                      grpc::StatusCode::DEADLINE_EXCEEDED));
  ASSERT_TRUE(IsOk(server->process().Signal(SIGTERM)));
  ASSERT_TRUE(
      IsOk(server->process()
               .WaitForLine(Stream::kStderr, "\"msg\":\"shutting down\"", kWait)
               .status()));
  // Vercel answers the orphaned create while the server shuts down, and
  // takes its time over the revoking DELETE.
  Fault hold_delete;
  hold_delete.set_method("DELETE");
  hold_delete.set_path_prefix("/v3/user/tokens/");
  hold_delete.set_hold(true);
  hold_delete.set_times(1);
  ASSERT_TRUE(IsOk(fake().AddFault(hold_delete)));
  ASSERT_TRUE(IsOk(fake().Release()));
  EXPECT_TRUE(IsOk(fake().WaitHeld(1)));
  // The server has stopped serving and waits for what it owes.
  EXPECT_TRUE(IsOk(server->process()
                       .WaitForLine(Stream::kStderr,
                                    "\"msg\":\"finishing orphan work\"", kWait)
                       .status()));
  ASSERT_TRUE(IsOk(fake().Release()));

  absl::StatusOr<int> exit_code = server->process().Wait(kWait);
  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_EQ(*exit_code, 0);
  const std::string output = server->Output();
  EXPECT_THAT(output, HasSubstr("\"event\":\"orphan_revoked\""));
  EXPECT_THAT(output, Not(HasSubstr("orphan_revoke_failed")));
  // The DELETE reached Vercel and was not cut off by the exit.
  EXPECT_EQ(CountRequests("DELETE"), 1);
  for (const RecordedRequest& r : Requests()) {
    if (r.method() == "DELETE") EXPECT_FALSE(r.aborted());
  }
}

}  // namespace
}  // namespace vercel_tokens::integration
