#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_ENDPOINT_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_ENDPOINT_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "prometheus/registry.h"

namespace vercel_tokens {

// Serves `GET /metrics` (Prometheus' text format) of one registry over
// HTTP/1.1, one connection at a time, on a thread of its own; anything else
// is answered 404 (405 for other methods). It replaces prometheus-cpp's
// civetweb exposer, which Debian builds without IPv6.
//
// `[::]:PORT` listens on IPv6 and IPv4 both (dual stack; IPv4 alone where
// the kernel has no IPv6), `0.0.0.0:PORT` on IPv4, a literal address on that
// address; port 0 picks a free one.
//
// A scrape that stalls for 5 s, sending its request or reading the answer,
// is dropped, and a request head over 8 KiB is refused, so a client cannot
// hold the endpoint for long. Destroying it
// stops the thread and closes the socket. The registry is shared and must be
// safe to collect from this thread (prometheus-cpp's is).
class MetricsEndpoint {
 public:
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(
      absl::string_view address,
      std::shared_ptr<prometheus::Registry> registry);

  ~MetricsEndpoint();

  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  // The port it listens on.
  int port() const { return port_; }

 private:
  MetricsEndpoint(int listen_fd, int wake_fd, int port,
                  std::shared_ptr<prometheus::Registry> registry);

  void Run();
  // Reads one request from `fd` and answers it.
  void Serve(int fd) const;

  const int listen_fd_;
  // An eventfd the destructor writes to end Run.
  const int wake_fd_;
  const int port_;
  const std::shared_ptr<prometheus::Registry> registry_;
  std::thread thread_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_METRICS_ENDPOINT_H_
