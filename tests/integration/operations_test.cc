// What operators rely on: named health services through a drain, the
// upstream reachability metric, proxy variables, and W3C trace context.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "health_check.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::Contains;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Key;
using ::testing::Not;
using ::testing::Pair;

constexpr char kTraceparent[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr char kReachable[] = "vercel_tokens_upstream_reachable";

using OperationsTest = IntegrationTest;

ServingStatus Health(const ServerProcess& server, const std::string& service) {
  ServingStatus status = ServingStatus::kUnknown;
  EXPECT_TRUE(IsOk(
      CheckHealth(server.NewChannel(), service, absl::Seconds(10), &status)))
      << service;
  return status;
}

TEST_F(OperationsTest, LivenessStaysServingWhileReadinessDrains) {
  std::unique_ptr<ServerProcess> server =
      StartServer({{"--drain_delay=120s"}, {}});
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(Health(*server, "liveness"), ServingStatus::kServing);
  EXPECT_EQ(Health(*server, "readiness"), ServingStatus::kServing);

  ASSERT_TRUE(IsOk(server->process().Signal(SIGTERM)));
  ASSERT_TRUE(IsOk(server->process()
                       .WaitForLine(Stream::kStderr, "\"msg\":\"draining\"",
                                    absl::Seconds(15))
                       .status()));

  EXPECT_EQ(Health(*server, "readiness"), ServingStatus::kNotServing);
  EXPECT_EQ(Health(*server, ""), ServingStatus::kNotServing);
  EXPECT_EQ(Health(*server, "liveness"), ServingStatus::kServing);
  // Calls that still arrive while load balancers catch up are served.
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  EXPECT_TRUE(IsOk(ClientOf(*server).GetAuthToken(request, &response)));

  // A second signal ends the drain at once.
  ASSERT_TRUE(IsOk(server->process().Signal(SIGTERM)));
  absl::StatusOr<int> exit_code = server->process().Wait(absl::Seconds(15));
  ASSERT_TRUE(IsOk(exit_code.status()));
  EXPECT_EQ(*exit_code, 0);
}

// A loopback port nothing listens on (until a test starts something there).
int UnusedPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  close(fd);
  return port;
}

TEST_F(OperationsTest, ReachabilityFollowsAnUnreachableUpstreamAndItsRecovery) {
  const int port = UnusedPort();
  ASSERT_NE(port, 0);
  auto server = ServerProcess::Start(
      absl::StrCat("http://127.0.0.1:", port),
      {{"--metrics_listen=127.0.0.1:0", "--upstream_max_attempts=1"}, {}});
  ASSERT_TRUE(IsOk(server.status()));
  auto reachable = [&]() -> double {
    absl::StatusOr<std::string> metrics = ScrapeMetrics(**server);
    EXPECT_TRUE(IsOk(metrics.status()));
    absl::StatusOr<double> value =
        SampleValue(metrics.value_or(""), kReachable);
    EXPECT_TRUE(IsOk(value.status()));
    return value.value_or(-1);
  };
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  EXPECT_EQ(reachable(), 1);  // Until a request says otherwise.

  EXPECT_TRUE(HasCode(ClientOf(**server).GetAuthToken(request, &response),
                      grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(reachable(), 0);
  EXPECT_TRUE(
      IsOk((*server)
               ->process()
               .WaitForLine(Stream::kStderr, "\"msg\":\"upstream unreachable\"",
                            absl::Seconds(15))
               .status()));

  // Vercel comes back on the same address.
  absl::StatusOr<std::unique_ptr<FakeVercel>> upstream =
      FakeVercel::Start("", "", port);
  ASSERT_TRUE(IsOk(upstream.status()));
  ResetRequest reset;
  reset.add_tokens()->set_bearer_token(kSeedSecret);
  ASSERT_TRUE(IsOk((*upstream)->Reset(reset).status()));
  EXPECT_TRUE(IsOk(ClientOf(**server).GetAuthToken(request, &response)));
  EXPECT_EQ(reachable(), 1);
  EXPECT_TRUE(
      IsOk((*server)
               ->process()
               .WaitForLine(Stream::kStderr, "\"msg\":\"upstream reachable\"",
                            absl::Seconds(15))
               .status()));
}

TEST_F(OperationsTest, ReachabilityIsProbedWithoutAnyCall) {
  const int port = UnusedPort();
  ASSERT_NE(port, 0);
  auto server = ServerProcess::Start(
      absl::StrCat("http://127.0.0.1:", port),
      {{"--metrics_listen=127.0.0.1:0", "--upstream_probe_interval=1s"}, {}});
  ASSERT_TRUE(IsOk(server.status()));
  auto scrape = [&]() {
    absl::StatusOr<std::string> metrics = ScrapeMetrics(**server);
    EXPECT_TRUE(IsOk(metrics.status()));
    return metrics.value_or("");
  };
  // The build and the process are described from the start.
  const std::string at_start = scrape();
  EXPECT_THAT(
      at_start,
      ContainsRegex(
          R"(vercel_tokens_build_info\{commit="[0-9a-z]+",version="[0-9.]+"\} 1)"));
  for (const char* name :
       {"process_cpu_seconds_total ", "process_resident_memory_bytes ",
        "process_open_fds ", "process_max_fds ",
        "process_start_time_seconds "}) {
    EXPECT_THAT(at_start, HasSubstr(absl::StrCat("\n", name))) << name;
  }

  // Nothing listens: no call is made, yet the probe notices, at once (its
  // line may come before `listening`).
  const std::string unreachable = "\"msg\":\"upstream unreachable\"";
  if (!absl::StrContains((*server)->process().Output(Stream::kStderr),
                         unreachable)) {
    EXPECT_TRUE(
        IsOk((*server)
                 ->process()
                 .WaitForLine(Stream::kStderr, unreachable, absl::Seconds(15))
                 .status()));
  }
  EXPECT_EQ(SampleValue(scrape(), kReachable).value_or(-1), 0);

  // Vercel comes back on the same address: the next probe sees it.
  absl::StatusOr<std::unique_ptr<FakeVercel>> upstream =
      FakeVercel::Start("", "", port);
  ASSERT_TRUE(IsOk(upstream.status()));
  EXPECT_TRUE(
      IsOk((*server)
               ->process()
               .WaitForLine(Stream::kStderr, "\"msg\":\"upstream reachable\"",
                            absl::Seconds(15))
               .status()));
  EXPECT_EQ(SampleValue(scrape(), kReachable).value_or(-1), 1);
  // What the probe sent: one small GET, with no credentials.
  absl::StatusOr<std::vector<RecordedRequest>> requests =
      (*upstream)->Requests();
  ASSERT_TRUE(IsOk(requests.status()));
  ASSERT_FALSE(requests->empty());
  EXPECT_THAT(requests->front(), IsUpstream("GET", "/v2/user", ""));
  EXPECT_THAT(requests->front().headers(), Not(Contains(Key("authorization"))));
}

TEST_F(OperationsTest, UpstreamRequestsGoThroughTheProxyOfTheEnvironment) {
  // Nothing listens at the upstream address: only the proxy (the fake,
  // which records the proxy-form request line) can receive the request.
  const int port = UnusedPort();
  ASSERT_NE(port, 0);
  auto proxied = ServerProcess::Start(
      absl::StrCat("http://127.0.0.1:", port),
      {{"--upstream_max_attempts=1"}, {{"http_proxy", fake().base_url()}}});
  ASSERT_TRUE(IsOk(proxied.status()));
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;

  ClientOf(**proxied).GetAuthToken(request, &response);

  std::vector<RecordedRequest> requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].path(),
            absl::StrCat("http://127.0.0.1:", port, "/v5/user/tokens/current"));
}

// Calls GetAuthToken("current") with `traceparent` as metadata.
grpc::Status GetWithTraceparent(const ServerProcess& server,
                                const std::string& traceparent) {
  auto stub = v1::UserTokensService::NewStub(server.NewChannel());
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", kSeedSecret));
  context.AddMetadata("traceparent", traceparent);
  v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  v1::GetAuthTokenResponse response;
  return stub->GetAuthToken(&context, request, &response);
}

std::vector<std::string> CallLines(const ServerProcess& server) {
  std::vector<std::string> lines;
  for (absl::string_view line : absl::StrSplit(server.Output(), '\n')) {
    if (absl::StrContains(line, "\"msg\":\"call\"")) lines.emplace_back(line);
  }
  return lines;
}

TEST_F(OperationsTest, TraceparentGoesUpstreamAndIntoTheCallsLogLine) {
  ASSERT_TRUE(IsOk(GetWithTraceparent(server(), kTraceparent)));

  std::vector<RecordedRequest> requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0].headers(),
              Contains(Pair("traceparent", kTraceparent)));
  EXPECT_THAT(CallLines(server()),
              Contains(HasSubstr(
                  absl::StrCat("\"traceparent\":\"", kTraceparent, "\""))));
}

TEST_F(OperationsTest, AMalformedTraceparentIsIgnored) {
  const std::string forged = "00-not-a-trace\"},\"level\":\"error";

  ASSERT_TRUE(IsOk(GetWithTraceparent(server(), forged)));

  std::vector<RecordedRequest> requests = Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_THAT(requests[0].headers(), Not(Contains(Key("traceparent"))));
  EXPECT_THAT(server().Output(), Not(HasSubstr("not-a-trace")));
}

}  // namespace
}  // namespace vercel_tokens::integration
