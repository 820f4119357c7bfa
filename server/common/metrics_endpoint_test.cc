#include "server/common/metrics_endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/counter.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Sends `request` to `ip`:`port` and returns everything the server answers
// before closing; empty when it cannot connect.
std::string Exchange(const std::string& ip, int port,
                     const std::string& request) {
  sockaddr_storage address{};
  socklen_t length = 0;
  if (ip.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&address);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    inet_pton(AF_INET6, ip.c_str(), &v6->sin6_addr);
    length = sizeof(*v6);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&address);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &v4->sin_addr);
    length = sizeof(*v4);
  }
  const int fd = socket(address.ss_family, SOCK_STREAM, 0);
  std::string answer;
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), length) == 0) {
    send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buffer[4096];
    for (ssize_t n; (n = recv(fd, buffer, sizeof(buffer), 0)) > 0;) {
      answer.append(buffer, static_cast<size_t>(n));
    }
  }
  close(fd);
  return answer;
}

constexpr char kGetMetrics[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

// A connected IPv4 socket to 127.0.0.1:`port`, or -1.
int Connect(int port) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return -1;
  }
  return fd;
}

// Whether the server closed `fd` within `wait_ms` (it sends nothing else
// before a complete request).
bool ClosedWithin(int fd, int wait_ms) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, wait_ms) <= 0) return false;
  char byte;
  return recv(fd, &byte, 1, MSG_DONTWAIT) <= 0;
}

class MetricsEndpointTest : public ::testing::Test {
 protected:
  MetricsEndpointTest() : registry_(std::make_shared<prometheus::Registry>()) {
    prometheus::BuildCounter()
        .Name("vercel_tokens_test_total")
        .Help("A test counter.")
        .Register(*registry_)
        .Add({})
        .Increment(3);
  }

  std::shared_ptr<prometheus::Registry> registry_;
};

TEST_F(MetricsEndpointTest, DualStackServesIpv4AndIpv6) {
  auto endpoint = MetricsEndpoint::Start("[::]:0", registry_);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();

  for (const std::string ip : {"127.0.0.1", "::1"}) {
    const std::string answer = Exchange(ip, (*endpoint)->port(), kGetMetrics);
    EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n")) << ip;
    EXPECT_THAT(answer, HasSubstr("\nvercel_tokens_test_total 3\n")) << ip;
  }
}

TEST_F(MetricsEndpointTest, Ipv4AddressServesIpv4Only) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry_);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();

  EXPECT_THAT(Exchange("127.0.0.1", (*endpoint)->port(), kGetMetrics),
              StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_EQ(Exchange("::1", (*endpoint)->port(), kGetMetrics), "");
}

TEST_F(MetricsEndpointTest, AnswersOtherRequestsWithoutMetrics) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry_);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  const int port = (*endpoint)->port();

  EXPECT_THAT(Exchange("127.0.0.1", port, "GET / HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 404 "));
  EXPECT_THAT(Exchange("127.0.0.1", port, "POST /metrics HTTP/1.1\r\n\r\n"),
              StartsWith("HTTP/1.1 405 "));
  EXPECT_THAT(Exchange("127.0.0.1", port,
                       "GET /metrics HTTP/1.1\r\nX: " +
                           std::string(10000, 'a') + "\r\n\r\n"),
              StartsWith("HTTP/1.1 431 "));
}

TEST_F(MetricsEndpointTest, ScrapeIsAnsweredWithinASecondWhileClientsTrickle) {
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry_);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  const int port = (*endpoint)->port();
  std::vector<int> tricklers;
  for (int i = 0; i < 100; ++i) {
    const int fd = Connect(port);
    ASSERT_GE(fd, 0);
    send(fd, "G", 1, MSG_NOSIGNAL);
    tricklers.push_back(fd);
  }

  const absl::Time start = absl::Now();
  const std::string answer = Exchange("127.0.0.1", port, kGetMetrics);
  const absl::Duration took = absl::Now() - start;

  EXPECT_THAT(answer, StartsWith("HTTP/1.1 200 OK\r\n"));
  EXPECT_LT(took, absl::Seconds(1));
  for (int fd : tricklers) close(fd);
}

TEST_F(MetricsEndpointTest, WholeRequestHasOneDeadline) {
  MetricsEndpoint::Limits limits;
  limits.request_timeout = absl::Milliseconds(500);
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry_, limits);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  const int fd = Connect((*endpoint)->port());
  ASSERT_GE(fd, 0);
  const absl::Time start = absl::Now();

  // One byte of a request every 100 ms: each read alone is quick.
  bool closed = false;
  const std::string request = kGetMetrics;
  for (size_t i = 0; i < 100 && !closed; ++i) {
    send(fd, &request[i % request.size()], 1, MSG_NOSIGNAL);
    closed = ClosedWithin(fd, 100);
  }

  EXPECT_TRUE(closed);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  close(fd);
}

TEST_F(MetricsEndpointTest, NewConnectionClosesTheOldestWhenFull) {
  MetricsEndpoint::Limits limits;
  limits.max_connections = 2;
  auto endpoint = MetricsEndpoint::Start("127.0.0.1:0", registry_, limits);
  ASSERT_TRUE(endpoint.ok()) << endpoint.status();
  const int port = (*endpoint)->port();
  const int first = Connect(port);
  ASSERT_TRUE(!ClosedWithin(first, 100));
  const int second = Connect(port);
  ASSERT_TRUE(!ClosedWithin(second, 100));

  const int third = Connect(port);

  EXPECT_TRUE(ClosedWithin(first, 5000));
  EXPECT_FALSE(ClosedWithin(second, 100));
  send(third, kGetMetrics, sizeof(kGetMetrics) - 1, MSG_NOSIGNAL);
  pollfd p{third, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 5000), 1);
  close(first);
  close(second);
  close(third);
}

TEST_F(MetricsEndpointTest, RefusesAnAddressItCannotUse) {
  EXPECT_FALSE(MetricsEndpoint::Start("no-port", registry_).ok());
  EXPECT_FALSE(MetricsEndpoint::Start("example.com:9090", registry_).ok());
}

}  // namespace
}  // namespace vercel_tokens
