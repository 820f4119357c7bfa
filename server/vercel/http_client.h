#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_HTTP_CLIENT_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_HTTP_CLIENT_H_

#include <curl/curl.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/url.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// Runs HTTP requests to the Vercel API without blocking its callers.
//
// One thread, started by Create and joined by Shutdown, owns a libcurl multi
// handle and every easy handle; it keeps connections open and reuses them
// (HTTP/2 multiplexing where the server offers it). Other threads hand it
// work through a mutex-guarded queue and wake it with curl_multi_wakeup.
// TLS peers are always verified. Redirects are never followed, so a request
// goes only to the configured origin.
//
// Thread-safe: Submit and Cancel may be called from any thread, including
// from inside a completion callback.
class HttpClient {
 public:
  struct Options {
    // Where requests go: UpstreamRequest::target is appended to it.
    BaseUrl base_url;
    // A PEM file of CA certificates trusted in addition to the system's;
    // empty for none.
    std::string extra_ca_file;
    // Bodies larger than this fail the transfer (RESOURCE_EXHAUSTED).
    size_t max_response_bytes = 4 << 20;
    // At most this many connections to the upstream host; 0 for no limit.
    long max_host_connections = 0;
    std::string user_agent;
  };

  // Receives the outcome of one transfer: the response (any HTTP status), or
  // DEADLINE_EXCEEDED, CANCELLED, RESOURCE_EXHAUSTED (body too large) or
  // UNAVAILABLE (could not connect, TLS failure, broken connection). Runs on
  // the client's thread, so it must not block.
  using Callback =
      absl::AnyInvocable<void(absl::StatusOr<UpstreamResponse>) &&>;

  // Starts the client's thread. Fails when the CA file cannot be read or
  // libcurl cannot be set up. curl_global_init must have run.
  static absl::StatusOr<std::unique_ptr<HttpClient>> Create(Options options);

  // Calls Shutdown.
  ~HttpClient();

  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Queues `request` and returns its id at once; the transfer starts no
  // earlier than `not_before` (a retry's backoff; absl::InfinitePast() for
  // now) and must complete by `deadline`. `done` then runs exactly once, on
  // the client's thread, never inline, so the caller may hold its own lock
  // while submitting. Fails with UNAVAILABLE, dropping `done` unrun, once
  // Shutdown has begun.
  absl::StatusOr<uint64_t> Submit(UpstreamRequest request, absl::Time deadline,
                                  Callback done,
                                  absl::Time not_before = absl::InfinitePast());

  // Aborts transfer `id`, whose callback then receives CANCELLED unless it
  // has already run (then this does nothing). Returns at once. A Cancel
  // issued after Submit returned is never overtaken by the transfer's start.
  void Cancel(uint64_t id);

  // Fails every queued and running transfer with CANCELLED and joins the
  // thread; later Submits fail. Idempotent; not to be called concurrently
  // with itself.
  void Shutdown();

 private:
  struct Transfer;
  struct MultiCleanup {
    void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
  };

  HttpClient(Options options, std::string ca_bundle, CURLM* multi);

  void Run();
  // Moves the transfers in `submitted` to `delayed_` or starts them, then
  // starts every delayed transfer that is due. Returns how long the thread
  // may sleep before a delayed transfer falls due.
  absl::Duration StartDue(std::vector<std::unique_ptr<Transfer>> submitted);
  // Configures and adds one transfer to the multi handle, or completes it at
  // once when its deadline has passed or the easy handle cannot be set up.
  void Start(std::unique_ptr<Transfer> transfer);
  // Removes transfer `id` from the multi handle and runs its callback.
  void Complete(uint64_t id, absl::StatusOr<UpstreamResponse> result);
  absl::StatusOr<UpstreamResponse> ResultOf(Transfer& transfer,
                                            CURLcode code) const;

  const Options options_;
  // System CAs plus the extra CA file, for CURLOPT_CAINFO_BLOB; empty to use
  // libcurl's default CA store.
  const std::string ca_bundle_;
  const std::unique_ptr<CURLM, MultiCleanup> multi_;

  absl::Mutex mu_;
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  std::vector<std::unique_ptr<Transfer>> submitted_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> cancelled_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  // Touched only by the client's thread: transfers waiting for their
  // not_before, and transfers added to the multi handle.
  std::multimap<absl::Time, std::unique_ptr<Transfer>> delayed_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Transfer>> active_;

  std::thread thread_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_HTTP_CLIENT_H_
