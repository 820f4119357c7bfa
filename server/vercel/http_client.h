#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_HTTP_CLIENT_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_HTTP_CLIENT_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/common/metrics.h"
#include "server/common/url.h"
#include "server/vercel/transport.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// Runs HTTP requests to the Vercel API without blocking its callers: the
// UpstreamTransport of the server.
//
// The work is spread over `loops` event loops (by default one per CPU the
// process may run on), each one thread that owns a libcurl multi handle
// driven by curl_multi_socket_action over epoll, its easy handles (reused
// from one transfer to the next) and its connections (kept open; HTTP/2 with
// multiplexing where the server offers it through ALPN). A transfer's
// callback (the call's JSON mapping, gRPC Finish and log line) runs on its
// loop's thread, so more cores serve more calls in parallel. Other threads
// hand a loop work through a mutex-guarded queue and wake it through an
// eventfd.
//
// When `max_host_connections` bounds the connections, transfers beyond what
// they can carry wait in the client, not in libcurl: each endpoint
// (UpstreamRequest::endpoint) waits in its own queue, the queues take turns,
// and no endpoint may hold more than three quarters of the connections, so
// a slow endpoint cannot starve the others. A waiting transfer fails with
// DEADLINE_EXCEEDED when its deadline passes. Each queue's length and wait
// time are metrics (Options::metrics).
//
// TLS peers are always verified. Redirects are never followed, so a request
// goes only to the configured origin.
//
// Thread-safe: Submit and Cancel may be called from any thread, including
// from inside a completion callback.
class HttpClient final : public UpstreamTransport {
 public:
  struct Options {
    // Where requests go: UpstreamRequest::target is appended to it.
    BaseUrl base_url;
    // A PEM file of CA certificates trusted in addition to the system's;
    // empty for none.
    std::string extra_ca_file;
    // Bodies larger than this fail the transfer (RESOURCE_EXHAUSTED).
    size_t max_response_bytes = 4 << 20;
    // At most this many connections to the upstream host, shared among the
    // loops; 0 for no limit.
    long max_host_connections = 0;
    std::string user_agent;
    // How many event loops (threads); 0 for one per CPU the process may run
    // on (its affinity mask, at most 16).
    int loops = 0;
    // Where each endpoint queue's length and wait time are recorded
    // (vercel_tokens_upstream_queue_*); nullptr for nowhere. Borrowed: it
    // must outlive the client.
    Metrics* metrics = nullptr;
  };

  // Starts the loops' threads. Fails when the CA file cannot be read or
  // libcurl cannot be set up. curl_global_init must have run.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(Options options);

  // Calls Shutdown.
  ~HttpClient() override;

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // UpstreamTransport. `done` runs on the thread of the transfer's loop.
  absl::StatusOr<uint64_t> Submit(
      UpstreamRequest request, absl::Time deadline, Callback done,
      absl::Time not_before = absl::InfinitePast()) override;
  void Cancel(uint64_t id) override;

  // Fails every queued and running transfer with CANCELLED and joins the
  // threads; later Submits fail. Idempotent; not to be called concurrently
  // with itself.
  void Shutdown();

  // How many loops run.
  int loops() const { return static_cast<int>(loops_.size()); }

  // How the extra CA file is trusted (http_client.cc, BuildCaTrust). Both
  // empty to use libcurl's default CA store alone.
  struct CaTrust {
    // The system's CA directory, with the extra file as CURLOPT_CAINFO.
    std::string ca_path;
    // Else the system's CAs and the extra file, for CURLOPT_CAINFO_BLOB.
    std::string bundle;
  };

 private:
  class Loop;

  HttpClient(Options options, CaTrust ca_trust);

  const Options options_;
  const CaTrust ca_trust_;
  // Borrow options_ and ca_trust_, so they are declared after them.
  std::vector<std::unique_ptr<Loop>> loops_;
  // The next transfer's id; id % loops_.size() is its loop.
  std::atomic<uint64_t> next_id_{1};
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_HTTP_CLIENT_H_
