#include "server/vercel/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

// A loopback TCP listener. In kSilent mode it never accepts, so requests
// hang until cancelled or timed out (the kernel completes the handshake).
// In kAnswer mode a thread per connection answers every request but those
// for /slow with `response` on a kept-alive connection and counts
// connections; in kAnswerThenClose mode it closes the connection after the
// first answer.
class LoopbackServer {
 public:
  enum class Mode { kSilent, kAnswer, kAnswerThenClose };

  LoopbackServer(Mode mode, std::string response = "")
      : close_after_answer_(mode == Mode::kAnswerThenClose),
        response_(std::move(response)) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    EXPECT_EQ(listen(fd_, 256), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (mode != Mode::kSilent) {
      acceptor_ = std::thread([this] { AcceptLoop(); });
    }
  }

  ~LoopbackServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    if (acceptor_.joinable()) acceptor_.join();
    for (std::thread& t : connections_) t.join();
  }

  BaseUrl Url() const {
    return BaseUrl{absl::StrCat("http://127.0.0.1:", port_), false};
  }
  int connections() const { return connections_accepted_.load(); }

 private:
  void AcceptLoop() {
    while (true) {
      const int client = accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_accepted_;
      connections_.emplace_back([this, client] { Serve(client); });
    }
  }

  void Serve(int client) {
    std::string pending;
    char buffer[4096];
    while (true) {
      const ssize_t n = read(client, buffer, sizeof(buffer));
      if (n <= 0) break;
      pending.append(buffer, static_cast<size_t>(n));
      size_t end;
      while ((end = pending.find("\r\n\r\n")) != std::string::npos) {
        const bool slow = absl::StartsWith(pending, "GET /slow");
        pending.erase(0, end + 4);
        // Requests for /slow are never answered: they hold the connection.
        if (slow) continue;
        if (write(client, response_.data(), response_.size()) < 0 ||
            close_after_answer_) {
          close(client);
          return;
        }
      }
    }
    close(client);
  }

  const bool close_after_answer_;
  std::string response_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> connections_accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> connections_;
};

std::string HttpResponse(int status, const std::string& body,
                         const std::string& extra_headers = "") {
  return absl::StrCat("HTTP/1.1 ", status,
                      " X\r\nContent-Length: ", body.size(), "\r\n",
                      extra_headers, "\r\n", body);
}

std::unique_ptr<HttpClient> MakeClient(BaseUrl url,
                                       size_t max_response_bytes = 1 << 20,
                                       long max_connections = 0,
                                       Metrics* metrics = nullptr) {
  HttpClient::Options options;
  options.metrics = metrics;
  options.max_host_connections = max_connections;
  options.loops = 1;
  options.base_url = std::move(url);
  options.max_response_bytes = max_response_bytes;
  options.user_agent = "test";
  auto client = HttpClient::Create(std::move(options));
  EXPECT_TRUE(client.ok()) << client.status();
  return *std::move(client);
}

UpstreamRequest Get(std::string target = "/ping") {
  UpstreamRequest request;
  request.endpoint = absl::StrCat("GET ", target);
  request.target = std::move(target);
  return request;
}

// Collects one transfer's outcome; Wait blocks until the callback ran.
struct Outcome {
  absl::Notification done;
  absl::StatusOr<UpstreamResponse> result = absl::UnknownError("unset");
  std::atomic<int> calls{0};

  HttpClient::Callback Callback() {
    return [this](absl::StatusOr<UpstreamResponse> r) {
      result = std::move(r);
      ++calls;
      done.Notify();
    };
  }
  void Wait() {
    ASSERT_TRUE(done.WaitForNotificationWithTimeout(absl::Seconds(20)));
  }
};

absl::Time Later() { return absl::Now() + absl::Seconds(30); }

TEST(HttpClientTest, ReturnsStatusHeadersAndBody) {
  LoopbackServer server(
      LoopbackServer::Mode::kAnswer,
      HttpResponse(404, "{\"a\":1}", "X-RateLimit-Remaining: 9\r\n"));
  auto client = MakeClient(server.Url());
  Outcome outcome;
  ASSERT_TRUE(client->Submit(Get(), Later(), outcome.Callback()).ok());
  outcome.Wait();
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_EQ(outcome.result->http_status, 404);
  EXPECT_EQ(outcome.result->body, "{\"a\":1}");
  EXPECT_EQ(outcome.result->Header("x-ratelimit-remaining"), "9");
}

TEST(HttpClientTest, ReusesOneConnectionForSequentialRequests) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer, HttpResponse(200, "{}"));
  auto client = MakeClient(server.Url());
  for (int i = 0; i < 20; ++i) {
    Outcome outcome;
    ASSERT_TRUE(client->Submit(Get(), Later(), outcome.Callback()).ok());
    outcome.Wait();
    ASSERT_TRUE(outcome.result.ok());
  }
  EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClientTest, OversizedBodyFailsWithResourceExhausted) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer,
                        HttpResponse(200, std::string(5000, 'x')));
  auto client = MakeClient(server.Url(), /*max_response_bytes=*/1000);
  Outcome outcome;
  ASSERT_TRUE(client->Submit(Get(), Later(), outcome.Callback()).ok());
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kResourceExhausted);
}

TEST(HttpClientTest, ResponseCutInsideItsHeadersIsUnavailable) {
  // libcurl itself reports this as a complete, empty 200.
  LoopbackServer server(
      LoopbackServer::Mode::kAnswerThenClose,
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Len");
  auto client = MakeClient(server.Url());
  Outcome outcome;
  ASSERT_TRUE(client->Submit(Get(), Later(), outcome.Callback()).ok());
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kUnavailable)
      << outcome.result.status();
}

TEST(HttpClientTest, DeadlineBoundsTheTransfer) {
  LoopbackServer server(LoopbackServer::Mode::kSilent);
  auto client = MakeClient(server.Url());
  Outcome outcome;
  ASSERT_TRUE(client
                  ->Submit(Get(), absl::Now() + absl::Milliseconds(200),
                           outcome.Callback())
                  .ok());
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kDeadlineExceeded);
}

TEST(HttpClientTest, PastDeadlineFailsWithoutConnecting) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer, HttpResponse(200, "{}"));
  auto client = MakeClient(server.Url());
  Outcome outcome;
  ASSERT_TRUE(
      client->Submit(Get(), absl::Now() - absl::Seconds(1), outcome.Callback())
          .ok());
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(server.connections(), 0);
}

// A loopback port bound to a socket that never listens: connecting to it is
// refused, and no other process can take the port while it is held (a port
// closed and given back could be reused by anything before the test
// connects).
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  ~RefusingPort() { close(fd_); }

  BaseUrl Url() const {
    return BaseUrl{absl::StrCat("http://127.0.0.1:", port_), false};
  }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(HttpClientTest, RefusedConnectionIsUnavailable) {
  RefusingPort refusing;
  auto client = MakeClient(refusing.Url());
  Outcome outcome;
  ASSERT_TRUE(client->Submit(Get(), Later(), outcome.Callback()).ok());
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StrContains(outcome.result.status().message(),
                                "cannot reach the Vercel API"));
}

TEST(HttpClientTest, CancelAbortsAHangingTransfer) {
  LoopbackServer server(LoopbackServer::Mode::kSilent);
  auto client = MakeClient(server.Url());
  Outcome outcome;
  auto id = client->Submit(Get(), Later(), outcome.Callback());
  ASSERT_TRUE(id.ok());
  client->Cancel(*id);
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kCancelled);
}

// Cancels race with completions: every callback must still run exactly once,
// with either the response or CANCELLED.
TEST(HttpClientTest, CancelRacingCompletionRunsEachCallbackOnce) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer, HttpResponse(200, "{}"));
  auto client = MakeClient(server.Url());
  constexpr int kTransfers = 300;
  std::vector<Outcome> outcomes(kTransfers);
  std::vector<uint64_t> ids;
  for (Outcome& outcome : outcomes) {
    auto id = client->Submit(Get(), Later(), outcome.Callback());
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  std::thread canceller([&] {
    for (size_t i = 0; i < ids.size(); i += 2) client->Cancel(ids[i]);
  });
  canceller.join();
  int cancelled = 0;
  int answered = 0;
  for (Outcome& outcome : outcomes) {
    outcome.Wait();
    if (outcome.result.ok()) {
      EXPECT_EQ(outcome.result->http_status, 200);
      ++answered;
    } else {
      EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kCancelled);
      ++cancelled;
    }
  }
  client->Shutdown();
  for (Outcome& outcome : outcomes) EXPECT_EQ(outcome.calls.load(), 1);
  EXPECT_EQ(cancelled + answered, kTransfers);
  EXPECT_GE(answered, kTransfers / 2);  // Odd ones are never cancelled.
}

TEST(HttpClientTest, ShutdownCancelsInFlightAndRefusesNewWork) {
  LoopbackServer server(LoopbackServer::Mode::kSilent);
  auto client = MakeClient(server.Url());
  Outcome outcome;
  ASSERT_TRUE(client->Submit(Get(), Later(), outcome.Callback()).ok());
  client->Shutdown();
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kCancelled);
  Outcome refused;
  auto id = client->Submit(Get(), Later(), refused.Callback());
  EXPECT_EQ(id.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(refused.calls.load(), 0);
}

TEST(HttpClientTest, DelayedTransferStartsNoEarlierThanNotBefore) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer, HttpResponse(200, "{}"));
  auto client = MakeClient(server.Url());
  Outcome outcome;
  const absl::Time not_before = absl::Now() + absl::Milliseconds(200);
  ASSERT_TRUE(
      client->Submit(Get(), Later(), outcome.Callback(), not_before).ok());
  outcome.Wait();
  EXPECT_GE(absl::Now(), not_before);
  ASSERT_TRUE(outcome.result.ok()) << outcome.result.status();
  EXPECT_EQ(outcome.result->http_status, 200);
}

TEST(HttpClientTest, CancelAbortsADelayedTransferBeforeItConnects) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer, HttpResponse(200, "{}"));
  auto client = MakeClient(server.Url());
  Outcome outcome;
  auto id = client->Submit(Get(), Later(), outcome.Callback(),
                           absl::Now() + absl::Seconds(60));
  ASSERT_TRUE(id.ok());
  client->Cancel(*id);
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kCancelled);
  EXPECT_EQ(server.connections(), 0);
}

TEST(HttpClientTest, ShutdownCancelsDelayedTransfers) {
  LoopbackServer server(LoopbackServer::Mode::kSilent);
  auto client = MakeClient(server.Url());
  Outcome outcome;
  ASSERT_TRUE(client
                  ->Submit(Get(), Later(), outcome.Callback(),
                           absl::Now() + absl::Seconds(60))
                  .ok());
  client->Shutdown();
  outcome.Wait();
  EXPECT_EQ(outcome.result.status().code(), absl::StatusCode::kCancelled);
}

TEST(HttpClientTest, WaitingForAConnectionRespectsTheDeadline) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer, HttpResponse(200, ""));
  auto client = MakeClient(server.Url(), 1 << 20, /*max_connections=*/1);
  Outcome hanging;
  ASSERT_TRUE(client->Submit(Get("/slow"), Later(), hanging.Callback()).ok());
  Outcome waiting;
  const absl::Time start = absl::Now();
  ASSERT_TRUE(client
                  ->Submit(Get("/slow"), start + absl::Milliseconds(300),
                           waiting.Callback())
                  .ok());
  waiting.Wait();
  EXPECT_EQ(waiting.result.status().code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_TRUE(absl::StrContains(waiting.result.status().message(),
                                "waiting for a connection"))
      << waiting.result.status();
  EXPECT_EQ(hanging.calls.load(), 0) << "the first transfer still runs";
  client->Shutdown();  // Runs the callbacks while their outcomes live.
}

TEST(HttpClientTest, ASlowEndpointCannotStarveTheOthers) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer,
                        HttpResponse(200, "fast"));
  auto client = MakeClient(server.Url(), 1 << 20, /*max_connections=*/64);
  std::vector<std::unique_ptr<Outcome>> slow;
  for (int i = 0; i < 2000; ++i) {
    slow.push_back(std::make_unique<Outcome>());
    ASSERT_TRUE(
        client->Submit(Get("/slow"), Later(), slow.back()->Callback()).ok());
  }
  Outcome fast;
  ASSERT_TRUE(client->Submit(Get("/login"), Later(), fast.Callback()).ok());
  fast.Wait();
  ASSERT_TRUE(fast.result.ok()) << fast.result.status();
  EXPECT_EQ(fast.result->body, "fast");
  for (const auto& outcome : slow) EXPECT_EQ(outcome->calls.load(), 0);
  EXPECT_LE(server.connections(), 64);
  client->Shutdown();  // Runs the callbacks while their outcomes live.
}

// The value of `name`{endpoint=`endpoint`} in `registry`: a gauge's value
// or a histogram's sample count; -1 when absent.
double MetricValue(prometheus::Registry& registry, const std::string& name,
                   const std::string& endpoint) {
  for (const prometheus::MetricFamily& family : registry.Collect()) {
    if (family.name != name) continue;
    for (const prometheus::ClientMetric& metric : family.metric) {
      if (metric.label.empty() || metric.label[0].value != endpoint) continue;
      return family.type == prometheus::MetricType::Histogram
                 ? static_cast<double>(metric.histogram.sample_count)
                 : metric.gauge.value;
    }
  }
  return -1;
}

TEST(HttpClientTest, EachEndpointQueueReportsItsLengthAndWait) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer,
                        HttpResponse(200, "fast"));
  auto registry = std::make_shared<prometheus::Registry>();
  Metrics metrics(registry);
  auto client =
      MakeClient(server.Url(), 1 << 20, /*max_connections=*/4, &metrics);
  std::vector<std::unique_ptr<Outcome>> slow;
  for (int i = 0; i < 10; ++i) {
    slow.push_back(std::make_unique<Outcome>());
    ASSERT_TRUE(
        client->Submit(Get("/slow"), Later(), slow.back()->Callback()).ok());
  }
  Outcome fast;
  ASSERT_TRUE(client->Submit(Get("/login"), Later(), fast.Callback()).ok());
  fast.Wait();

  // /slow may hold three of the four connections; seven wait.
  EXPECT_EQ(MetricValue(*registry, "vercel_tokens_upstream_queue_length",
                        "GET /slow"),
            7);
  EXPECT_EQ(MetricValue(*registry, "vercel_tokens_upstream_queue_length",
                        "GET /login"),
            0);
  EXPECT_EQ(MetricValue(*registry, "vercel_tokens_upstream_queue_wait_seconds",
                        "GET /login"),
            1);
  client->Shutdown();  // Runs the callbacks while their outcomes live.
  EXPECT_EQ(MetricValue(*registry, "vercel_tokens_upstream_queue_length",
                        "GET /slow"),
            0);
  EXPECT_EQ(MetricValue(*registry, "vercel_tokens_upstream_queue_wait_seconds",
                        "GET /slow"),
            10);
}

TEST(HttpClientTest, SpreadsTransfersOverLoops) {
  LoopbackServer server(LoopbackServer::Mode::kAnswer, HttpResponse(200, "ok"));
  HttpClient::Options options;
  options.base_url = server.Url();
  options.loops = 3;
  auto client = HttpClient::Create(std::move(options));
  ASSERT_TRUE(client.ok()) << client.status();
  EXPECT_EQ((*client)->loops(), 3);
  std::vector<std::unique_ptr<Outcome>> outcomes;
  for (int i = 0; i < 9; ++i) {
    outcomes.push_back(std::make_unique<Outcome>());
    ASSERT_TRUE(
        (*client)->Submit(Get(), Later(), outcomes.back()->Callback()).ok());
  }
  for (auto& outcome : outcomes) {
    outcome->Wait();
    ASSERT_TRUE(outcome->result.ok()) << outcome->result.status();
    EXPECT_EQ(outcome->result->body, "ok");
  }
}

TEST(HttpClientTest, RejectsAnUnreadableCaFile) {
  HttpClient::Options options;
  options.base_url = BaseUrl{"https://127.0.0.1:1", true};
  options.extra_ca_file = "/nonexistent/ca.pem";
  EXPECT_FALSE(HttpClient::Create(std::move(options)).ok());
}

}  // namespace
}  // namespace vercel_tokens
