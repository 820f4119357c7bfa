#include "server/common/metrics_endpoint.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "prometheus/text_serializer.h"

namespace vercel_tokens {
namespace {

constexpr size_t kMaxRequestHead = 8 << 10;

absl::Status Errno(absl::string_view what) {
  return absl::UnavailableError(absl::StrCat(what, ": ", std::strerror(errno)));
}

// A listening socket for `host` (a literal address) and `port`.
absl::StatusOr<int> Listen(const std::string& host, const std::string& port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (int error = getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
      error != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad address ", host, ":", port, ": ", gai_strerror(error)));
  }
  const addrinfo info = *found;
  sockaddr_storage address{};
  std::memcpy(&address, found->ai_addr, found->ai_addrlen);
  freeaddrinfo(found);
  const int fd =
      socket(info.ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
             info.ai_protocol);
  if (fd < 0 && errno == EAFNOSUPPORT) {
    return absl::UnimplementedError("the kernel has no IPv6");
  }
  if (fd < 0) return Errno("socket");
  const int on = 1;
  const int off = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
  if (info.ai_family == AF_INET6) {
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), info.ai_addrlen) != 0 ||
      listen(fd, 128) != 0) {
    absl::Status status =
        Errno(absl::StrCat("cannot listen on ", host, ":", port));
    close(fd);
    return status;
  }
  return fd;
}

int BoundPort(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return address.ss_family == AF_INET6
             ? ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port)
             : ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

std::string Response(absl::string_view status, absl::string_view type,
                     absl::string_view body) {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", type,
                      "\r\nContent-Length: ", body.size(),
                      "\r\nConnection: close\r\n\r\n", body);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    absl::string_view address, std::shared_ptr<prometheus::Registry> registry,
    Limits limits) {
  const size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(absl::StrCat("not host:port: ", address));
  }
  absl::string_view host = address.substr(0, colon);
  const std::string port(address.substr(colon + 1));
  if (absl::ConsumePrefix(&host, "[")) {
    if (!absl::ConsumeSuffix(&host, "]")) {
      return absl::InvalidArgumentError(absl::StrCat("bad host: ", address));
    }
  }
  absl::StatusOr<int> fd = Listen(std::string(host), port);
  if (fd.status().code() == absl::StatusCode::kUnimplemented && host == "::") {
    fd = Listen("0.0.0.0", port);  // A kernel without IPv6.
  }
  if (!fd.ok()) return fd.status();
  const int wake_fd = eventfd(0, EFD_CLOEXEC);
  if (wake_fd < 0) {
    close(*fd);
    return Errno("eventfd");
  }
  return std::unique_ptr<MetricsEndpoint>(new MetricsEndpoint(
      *fd, wake_fd, BoundPort(*fd), std::move(registry), limits));
}

// One client connection: its request head as read so far, and its answer
// once known, sent from `sent` on.
struct MetricsEndpoint::Connection {
  int fd;
  absl::Time deadline;
  std::string head;
  std::string answer;
  size_t sent = 0;
};

MetricsEndpoint::MetricsEndpoint(int listen_fd, int wake_fd, int port,
                                 std::shared_ptr<prometheus::Registry> registry,
                                 Limits limits)
    : listen_fd_(listen_fd),
      wake_fd_(wake_fd),
      port_(port),
      registry_(std::move(registry)),
      limits_(limits),
      thread_([this] { Run(); }) {}

MetricsEndpoint::~MetricsEndpoint() {
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  thread_.join();
  close(listen_fd_);
  close(wake_fd_);
}

void MetricsEndpoint::Run() {
  std::vector<Connection> open;
  std::vector<pollfd> fds;
  while (true) {
    fds.assign({{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}});
    absl::Time next_deadline = absl::InfiniteFuture();
    for (const Connection& c : open) {
      fds.push_back(
          {c.fd, c.answer.empty() ? short{POLLIN} : short{POLLOUT}, 0});
      next_deadline = std::min(next_deadline, c.deadline);
    }
    int timeout_ms = -1;
    if (next_deadline != absl::InfiniteFuture()) {
      timeout_ms = static_cast<int>(std::max<int64_t>(
          0, absl::ToInt64Milliseconds(next_deadline - absl::Now()) + 1));
    }
    if (poll(fds.data(), fds.size(), timeout_ms) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) break;
    const absl::Time now = absl::Now();
    std::vector<Connection> still_open;
    still_open.reserve(open.size() + 1);
    for (size_t i = 0; i < open.size(); ++i) {
      Connection& c = open[i];
      bool keep = now < c.deadline;
      if (keep && fds[i + 2].revents != 0) {
        keep = c.answer.empty() ? Read(c) : Write(c);
      }
      if (keep) {
        still_open.push_back(std::move(c));
      } else {
        close(c.fd);
      }
    }
    open = std::move(still_open);
    if ((fds[0].revents & POLLIN) != 0) Accept(open);
  }
  for (const Connection& c : open) close(c.fd);
}

void MetricsEndpoint::Accept(std::vector<Connection>& open) const {
  while (true) {
    const int fd =
        accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;
    if (static_cast<int>(open.size()) >= limits_.max_connections) {
      // The oldest is the first: connections are appended as accepted.
      close(open.front().fd);
      open.erase(open.begin());
    }
    open.push_back({fd, absl::Now() + limits_.request_timeout, {}, {}, 0});
  }
}

bool MetricsEndpoint::Read(Connection& connection) const {
  char buffer[1024];
  const ssize_t n = recv(connection.fd, buffer, sizeof(buffer), 0);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) return false;
  connection.head.append(buffer, static_cast<size_t>(n));
  if (absl::StrContains(connection.head, "\r\n\r\n")) {
    connection.answer = Answer(connection.head);
  } else if (connection.head.size() > kMaxRequestHead) {
    connection.answer = Response("431 Request Header Fields Too Large",
                                 "text/plain", "request head too large\n");
  } else {
    return true;
  }
  return Write(connection);
}

bool MetricsEndpoint::Write(Connection& connection) const {
  const absl::string_view rest =
      absl::string_view(connection.answer).substr(connection.sent);
  const ssize_t n = send(connection.fd, rest.data(), rest.size(), MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
  if (n <= 0) return false;
  connection.sent += static_cast<size_t>(n);
  return connection.sent < connection.answer.size();
}

std::string MetricsEndpoint::Answer(absl::string_view head) const {
  absl::string_view line = head.substr(0, head.find("\r\n"));
  if (!absl::ConsumePrefix(&line, "GET ")) {
    return Response("405 Method Not Allowed", "text/plain",
                    "only GET /metrics\n");
  }
  absl::string_view target = line.substr(0, line.find(' '));
  target = target.substr(0, target.find('?'));
  if (target != "/metrics") {
    return Response("404 Not Found", "text/plain", "see /metrics\n");
  }
  return Response("200 OK", "text/plain; version=0.0.4; charset=utf-8",
                  prometheus::TextSerializer().Serialize(registry_->Collect()));
}

}  // namespace vercel_tokens
