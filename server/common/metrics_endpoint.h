#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_ENDPOINT_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_ENDPOINT_H_

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/registry.h"

namespace vercel_tokens {

// What one MetricsEndpoint gives its clients.
struct MetricsEndpointLimits {
  // One deadline per connection, for its whole request and answer.
  absl::Duration request_timeout = absl::Seconds(5);
  // Connections open at once; a new one closes the oldest.
  int max_connections = 64;
};

// Serves `GET /metrics` (Prometheus' text format) of one registry over
// HTTP/1.1 on a thread of its own, which polls up to `max_connections`
// connections at once; anything else is answered 404 (405 for other
// methods). It replaces prometheus-cpp's civetweb exposer, which Debian
// builds without IPv6.
//
// `[::]:PORT` listens on IPv6 and IPv4 both (dual stack; IPv4 alone where
// the kernel has no IPv6), `0.0.0.0:PORT` on IPv4, a literal address on that
// address; port 0 picks a free one.
//
// Each connection has one deadline, `request_timeout` after it was
// accepted, for its whole request and answer; a request head over 8 KiB is
// refused. When `max_connections` are open, a new connection closes the
// oldest, so clients that trickle bytes can neither hold a scrape off nor
// make the endpoint hold more than `max_connections` sockets. Destroying it
// stops the thread and closes the sockets. The registry is shared and must
// be safe to collect from this thread (prometheus-cpp's is).
class MetricsEndpoint {
 public:
  using Limits = MetricsEndpointLimits;

  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      absl::string_view address, std::shared_ptr<prometheus::Registry> registry,
      Limits limits = Limits());

  ~MetricsEndpoint();

  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The port it listens on.
  int port() const { return port_; }

 private:
  struct Connection;

  MetricsEndpoint(int listen_fd, int wake_fd, int port,
                  std::shared_ptr<prometheus::Registry> registry,
                  Limits limits);

  void Run();
  // Accepts the connections waiting, closing the oldest of `open` for each
  // when it is full.
  void Accept(std::vector<Connection>& open) const;
  // Reads what `connection` sent and, once its request head is in, queues
  // the answer; false when the connection is done with.
  bool Read(Connection& connection) const;
  // Sends what it can of the answer; false when it is all sent or the
  // connection failed.
  bool Write(Connection& connection) const;
  // The answer to a complete request head.
  std::string Answer(absl::string_view head) const;

  const int listen_fd_;
  // An eventfd the destructor writes to end Run.
  const int wake_fd_;
  const int port_;
  const std::shared_ptr<prometheus::Registry> registry_;
  const Limits limits_;
  std::thread thread_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_ENDPOINT_H_
