#include "server/common/metrics_endpoint.h"

#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "prometheus/text_serializer.h"

namespace vercel_tokens {
namespace {

constexpr size_t kMaxRequestHead = 8 << 10;
// How long a scrape may stall reading its request or its answer.
constexpr int kIoTimeoutSeconds = 5;

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
      socket(info.ai_family, SOCK_STREAM | SOCK_CLOEXEC, info.ai_protocol);
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
      listen(fd, 16) != 0) {
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

void WriteAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return;
    data.remove_prefix(static_cast<size_t>(n));
  }
}

std::string Response(absl::string_view status, absl::string_view type,
                     absl::string_view body) {
  return absl::StrCat("HTTP/1.1 ", status, "\r\nContent-Type: ", type,
                      "\r\nContent-Length: ", body.size(),
                      "\r\nConnection: close\r\n\r\n", body);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    absl::string_view address, std::shared_ptr<prometheus::Registry> registry) {
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
  return std::unique_ptr<MetricsEndpoint>(
      new MetricsEndpoint(*fd, wake_fd, BoundPort(*fd), std::move(registry)));
}

MetricsEndpoint::MetricsEndpoint(int listen_fd, int wake_fd, int port,
                                 std::shared_ptr<prometheus::Registry> registry)
    : listen_fd_(listen_fd),
      wake_fd_(wake_fd),
      port_(port),
      registry_(std::move(registry)),
      thread_([this] { Run(); }) {}

MetricsEndpoint::~MetricsEndpoint() {
  const uint64_t one = 1;
  (void)!write(wake_fd_, &one, sizeof(one));
  thread_.join();
  close(listen_fd_);
  close(wake_fd_);
}

void MetricsEndpoint::Run() {
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  while (true) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents != 0) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    Serve(fd);
    close(fd);
  }
}

void MetricsEndpoint::Serve(int fd) const {
  timeval timeout{kIoTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  std::string head;
  char buffer[1024];
  while (!absl::StrContains(head, "\r\n\r\n")) {
    if (head.size() > kMaxRequestHead) {
      WriteAll(fd, Response("431 Request Header Fields Too Large", "text/plain",
                            "request head too large\n"));
      return;
    }
    const ssize_t n = recv(fd, buffer, sizeof(buffer), 0);
    if (n <= 0) return;
    head.append(buffer, static_cast<size_t>(n));
  }
  absl::string_view line = absl::string_view(head).substr(0, head.find("\r\n"));
  if (!absl::ConsumePrefix(&line, "GET ")) {
    WriteAll(fd, Response("405 Method Not Allowed", "text/plain",
                          "only GET /metrics\n"));
    return;
  }
  absl::string_view target = line.substr(0, line.find(' '));
  target = target.substr(0, target.find('?'));
  if (target != "/metrics") {
    WriteAll(fd, Response("404 Not Found", "text/plain", "see /metrics\n"));
    return;
  }
  const std::string body =
      prometheus::TextSerializer().Serialize(registry_->Collect());
  WriteAll(
      fd, Response("200 OK", "text/plain; version=0.0.4; charset=utf-8", body));
}

}  // namespace vercel_tokens
