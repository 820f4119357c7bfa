#include "server/vercel/http_client.h"

#include <curl/curl.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <deque>
#include <map>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/common/files.h"

namespace vercel_tokens {
namespace {

constexpr absl::Duration kMaxConnectTimeout = absl::Seconds(10);
// Easy handles kept for reuse by each loop.
constexpr size_t kMaxIdleHandles = 1024;
// libcurl's default CURLMOPT_MAX_CONCURRENT_STREAMS: how many transfers one
// HTTP/2 connection carries.
constexpr long kStreamsPerConnection = 100;
constexpr int kMaxLoops = 16;
constexpr long kReceiveBufferBytes = 4096;

struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct MultiCleanup {
  void operator()(CURLM* multi) const { curl_multi_cleanup(multi); }
};
struct SlistCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// How `extra_ca_file` is trusted in addition to, not instead of, the
// system's CAs: the file itself as CURLOPT_CAINFO next to the system's CA
// directory as CURLOPT_CAPATH, which libcurl compares cheaply when it looks
// for a connection to reuse; or, where libcurl knows no CA directory, a blob
// of the system bundle followed by the file. Both empty for no extra file.
absl::StatusOr<HttpClient::CaTrust> BuildCaTrust(
    const std::string& extra_ca_file) {
  HttpClient::CaTrust trust;
  if (extra_ca_file.empty()) return trust;
  absl::StatusOr<std::string> extra = ReadFile(extra_ca_file);
  if (!extra.ok()) return extra.status();
  if (!absl::StrContains(*extra, "-----BEGIN CERTIFICATE-----")) {
    return absl::InvalidArgumentError(
        absl::StrCat(extra_ca_file, " holds no PEM certificate"));
  }
  std::unique_ptr<CURL, EasyCleanup> probe(curl_easy_init());
  if (probe == nullptr) return absl::InternalError("curl_easy_init failed");
  char* system_ca_path = nullptr;
  if (curl_easy_getinfo(probe.get(), CURLINFO_CAPATH, &system_ca_path) ==
          CURLE_OK &&
      system_ca_path != nullptr) {
    trust.ca_path = system_ca_path;
    return trust;
  }
  char* system_ca_file = nullptr;
  if (curl_easy_getinfo(probe.get(), CURLINFO_CAINFO, &system_ca_file) ==
          CURLE_OK &&
      system_ca_file != nullptr) {
    if (absl::StatusOr<std::string> system = ReadFile(system_ca_file);
        system.ok()) {
      trust.bundle = *std::move(system);
      trust.bundle.push_back('\n');
    }
  }
  trust.bundle.append(*extra);
  return trust;
}

// The number of CPUs this process may run on (taskset narrows it).
int UsableCpus() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    return std::max(1, CPU_COUNT(&set));
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

// Whether a transfer that failed with `code` never got to send its request:
// name resolution, connect, proxy tunnel or TLS handshake failed, or the
// deadline passed before any of them completed.
bool NeverConnected(CURL* easy, CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
      return true;
    case CURLE_OPERATION_TIMEDOUT: {
      curl_off_t pretransfer_us = 0;
      return curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T,
                               &pretransfer_us) == CURLE_OK &&
             pretransfer_us == 0;
    }
    default:
      return false;
  }
}

// One request. Owned by its Loop: in `submitted_` until the loop's thread
// takes it, then in `pending_` (waiting for its not_before or for room on a
// connection) or `active_` (added to the multi handle) until it completes.
struct Transfer {
  uint64_t id = 0;
  UpstreamRequest request;
  absl::Time not_before;
  absl::Time deadline;
  UpstreamTransport::Callback done;
  size_t max_response_bytes = 0;

  // When it joined its endpoint's queue; unset when in none.
  std::optional<absl::Time> queued_at;
  // Its entry in Loop::expiry_ while it waits in a queue behind busy
  // connections.
  std::optional<std::multimap<absl::Time, uint64_t>::iterator> expiry;

  CURL* easy = nullptr;  // Owned by the loop's pool while idle.
  std::unique_ptr<curl_slist, SlistCleanup> headers;
  UpstreamResponse response;
  // Whether the blank line that ends the last response's headers arrived.
  bool headers_complete = false;
  bool too_large = false;
  char error_buffer[CURL_ERROR_SIZE] = {};

  static size_t OnBody(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const size_t bytes = size * count;
    if (transfer->response.body.size() + bytes > transfer->max_response_bytes) {
      transfer->too_large = true;
      return 0;  // Makes libcurl abort with CURLE_WRITE_ERROR.
    }
    transfer->response.body.append(data, bytes);
    return bytes;
  }

  static size_t OnHeader(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const size_t bytes = size * count;
    absl::string_view line(data, bytes);
    if (absl::StartsWith(line, "HTTP/")) {
      // A new response begins (e.g. after "100 Continue"): forget the last.
      transfer->response.headers.clear();
      transfer->headers_complete = false;
      return bytes;
    }
    if (line == "\r\n" || line == "\n") {
      transfer->headers_complete = true;
      return bytes;
    }
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) return bytes;
    transfer->response.headers.emplace_back(
        absl::AsciiStrToLower(
            absl::StripAsciiWhitespace(line.substr(0, colon))),
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1))));
    return bytes;
  }
};

}  // namespace

// One event loop: a thread, a multi handle driven by
// curl_multi_socket_action over an epoll instance, and an eventfd through
// which other threads wake it. Everything below `mu_` is touched only by the
// loop's thread.
class HttpClient::Loop {
 public:
  Loop(const Options& options, const CaTrust& ca_trust, CURLM* multi,
       int epoll_fd, int wake_fd, long max_connections)
      : options_(options),
        ca_trust_(ca_trust),
        multi_(multi),
        epoll_fd_(epoll_fd),
        wake_fd_(wake_fd),
        max_connections_(max_connections) {
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Loop::OnSocket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Loop::OnTimer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
    if (max_connections > 0) {
      curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_connections);
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = wake_fd;
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd, &event);
    thread_ = std::thread([this] { Run(); });
  }

  ~Loop() {
    Stop();
    for (CURL* easy : idle_handles_) curl_easy_cleanup(easy);
    multi_.reset();
    close(epoll_fd_);
    close(wake_fd_);
  }

  // Fails with UNAVAILABLE once stopping.
  absl::Status Submit(std::unique_ptr<Transfer> transfer) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) {
        return absl::UnavailableError("the server is shutting down");
      }
      submitted_.push_back(std::move(transfer));
      if (wake_pending_) return absl::OkStatus();
      wake_pending_ = true;
    }
    Wake();
    return absl::OkStatus();
  }

  void Cancel(uint64_t id) {
    {
      absl::MutexLock lock(&mu_);
      if (stopping_) return;
      cancelled_.push_back(id);
      if (wake_pending_) return;
      wake_pending_ = true;
    }
    Wake();
  }

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stopping_ = true;
    }
    Wake();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Wake() {
    const uint64_t one = 1;
    // Only fails when the counter would overflow: then it is already set.
    (void)!write(wake_fd_, &one, sizeof(one));
  }

  // `registered` is what curl_multi_assign set for the socket: non-null
  // once it is in the epoll set, until libcurl removes it (which also
  // forgets the assignment).
  static int OnSocket(CURL*, curl_socket_t fd, int what, void* self,
                      void* registered) {
    auto* loop = static_cast<Loop*>(self);
    if (what == CURL_POLL_REMOVE) {
      epoll_ctl(loop->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
      return 0;
    }
    epoll_event event{};
    event.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) |
                   ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    event.data.fd = fd;
    if (registered != nullptr) {
      epoll_ctl(loop->epoll_fd_, EPOLL_CTL_MOD, fd, &event);
      return 0;
    }
    if (epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      if (errno != EEXIST) return 0;
      epoll_ctl(loop->epoll_fd_, EPOLL_CTL_MOD, fd, &event);
    }
    curl_multi_assign(loop->multi_.get(), fd, loop);
    return 0;
  }

  static int OnTimer(CURLM*, long timeout_ms, void* self) {
    auto* loop = static_cast<Loop*>(self);
    loop->curl_timer_ = timeout_ms < 0
                            ? absl::InfiniteFuture()
                            : absl::Now() + absl::Milliseconds(timeout_ms);
    return 0;
  }

  void Run() {
    constexpr int kMaxEvents = 256;
    epoll_event events[kMaxEvents];
    while (true) {
      const absl::Time now = absl::Now();
      const absl::Time wake_at = std::min(
          {curl_timer_,
           delayed_.empty() ? absl::InfiniteFuture() : delayed_.begin()->first,
           expiry_.empty() ? absl::InfiniteFuture() : expiry_.begin()->first});
      int timeout_ms = -1;
      if (wake_at != absl::InfiniteFuture()) {
        timeout_ms = static_cast<int>(
            std::clamp<int64_t>(absl::ToInt64Milliseconds(absl::Ceil(
                                    wake_at - now, absl::Milliseconds(1))),
                                0, 60000));
      }
      const int ready = epoll_wait(epoll_fd_, events, kMaxEvents, timeout_ms);
      int running = 0;
      bool woken = false;
      for (int i = 0; i < ready; ++i) {
        if (events[i].data.fd == wake_fd_) {
          uint64_t count = 0;
          (void)!read(wake_fd_, &count, sizeof(count));
          woken = true;
          continue;
        }
        int flags = 0;
        if (events[i].events & (EPOLLIN | EPOLLHUP)) {
          flags |= CURL_CSELECT_IN;
        }
        if (events[i].events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
        if (events[i].events & EPOLLERR) flags |= CURL_CSELECT_ERR;
        curl_multi_socket_action(multi_.get(), events[i].data.fd, flags,
                                 &running);
      }
      if (curl_timer_ <= absl::Now()) {
        curl_timer_ = absl::InfiniteFuture();
        curl_multi_socket_action(multi_.get(), CURL_SOCKET_TIMEOUT, 0,
                                 &running);
      }
      ReadCompletions();
      if (woken && !TakeWork()) return;
      StartDue();
    }
  }

  // Takes what other threads handed over. Returns false, after failing
  // every transfer, when the client is stopping.
  bool TakeWork() {
    std::vector<std::unique_ptr<Transfer>> submitted;
    std::vector<uint64_t> cancelled;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      submitted.swap(submitted_);
      cancelled.swap(cancelled_);
      stopping = stopping_;
      wake_pending_ = false;
    }
    if (stopping) {
      const absl::Status stop =
          absl::CancelledError("the server is shutting down");
      for (auto& transfer : submitted) std::move(transfer->done)(stop);
      while (!pending_.empty()) CompletePending(pending_.begin()->first, stop);
      while (!active_.empty()) Complete(active_.begin()->first, stop);
      return false;
    }
    const absl::Time now = absl::Now();
    for (auto& transfer : submitted) {
      const uint64_t id = transfer->id;
      if (transfer->not_before > now) {
        delayed_.emplace(transfer->not_before, id);
      } else {
        Enqueue(*transfer);
      }
      pending_.emplace(id, std::move(transfer));
    }
    for (uint64_t id : cancelled) {
      const absl::Status cancel =
          absl::CancelledError("the call was cancelled");
      if (active_.contains(id)) {
        Complete(id, cancel);
      } else if (pending_.contains(id)) {
        CompletePending(id, cancel);
      }
    }
    return true;
  }

  // Puts a due transfer in its endpoint's queue; when connections are
  // bounded it waits there until its deadline at most.
  void Enqueue(Transfer& transfer) {
    auto [it, added] = queues_.try_emplace(transfer.request.endpoint);
    if (added || it->second.ids.empty()) turns_.push_back(&*it);
    it->second.ids.push_back(transfer.id);
    if (options_.metrics != nullptr) {
      if (!it->second.metrics.has_value()) {
        it->second.metrics =
            options_.metrics->UpstreamQueueOf(transfer.request.endpoint);
      }
      it->second.metrics->length->Increment();
    }
    transfer.queued_at = absl::Now();
    if (max_connections_ > 0) {
      transfer.expiry = expiry_.emplace(transfer.deadline, transfer.id);
    }
  }

  // Moves due delayed transfers to their queues, fails waiting transfers
  // whose deadline passed, then starts queued transfers while the
  // connections have room, the endpoints taking turns.
  void StartDue() {
    const absl::Time now = absl::Now();
    while (!delayed_.empty() && delayed_.begin()->first <= now) {
      const uint64_t id = delayed_.begin()->second;
      delayed_.erase(delayed_.begin());
      if (auto it = pending_.find(id); it != pending_.end()) {
        Enqueue(*it->second);
      }
    }
    while (!expiry_.empty() && expiry_.begin()->first <= now) {
      const uint64_t id = expiry_.begin()->second;
      expiry_.erase(expiry_.begin());
      if (auto it = pending_.find(id); it != pending_.end()) {
        it->second->expiry.reset();
        CompletePending(id, absl::DeadlineExceededError(
                                "the Vercel API was too slow: the deadline "
                                "passed while waiting for a connection"));
      }
    }
    size_t skipped = 0;
    while (!turns_.empty() && skipped < turns_.size()) {
      if (max_connections_ > 0 && active_.size() >= Slots()) return;
      auto* queue = turns_.front();
      turns_.pop_front();
      std::deque<uint64_t>& ids = queue->second.ids;
      while (!ids.empty() && !pending_.contains(ids.front())) ids.pop_front();
      if (ids.empty()) continue;
      if (max_connections_ > 0 &&
          queue->second.active >= std::max<size_t>(1, Slots() * 3 / 4)) {
        turns_.push_back(queue);
        ++skipped;
        continue;
      }
      skipped = 0;
      const uint64_t id = ids.front();
      ids.pop_front();
      if (!ids.empty()) turns_.push_back(queue);
      auto it = pending_.find(id);
      std::unique_ptr<Transfer> transfer = std::move(it->second);
      pending_.erase(it);
      if (transfer->expiry.has_value()) expiry_.erase(*transfer->expiry);
      LeaveQueue(*transfer);
      Start(std::move(transfer));
    }
  }

  // How many transfers the connections carry at once.
  size_t Slots() const {
    return static_cast<size_t>(max_connections_ *
                               (multiplexed_ ? kStreamsPerConnection : 1));
  }

  // Configures and adds one transfer to the multi handle, or completes it at
  // once when its deadline has passed or the easy handle cannot be set up.
  void Start(std::unique_ptr<Transfer> transfer) {
    const absl::Duration remaining = transfer->deadline - absl::Now();
    if (remaining <= absl::ZeroDuration()) {
      std::move(transfer->done)(absl::DeadlineExceededError(
          "the deadline passed before the Vercel API was called"));
      return;
    }
    if (idle_handles_.empty()) {
      transfer->easy = curl_easy_init();
    } else {
      transfer->easy = idle_handles_.back();
      idle_handles_.pop_back();
    }
    if (transfer->easy == nullptr) {
      std::move(transfer->done)(
          absl::UnavailableError("curl_easy_init failed"));
      return;
    }
    CURL* easy = transfer->easy;
    const UpstreamRequest& request = transfer->request;

    curl_slist* headers = nullptr;
    headers = curl_slist_append(
        headers, absl::StrCat("Accept: ", request.accept).c_str());
    headers = curl_slist_append(headers, "Expect:");
    if (!request.body.empty()) {
      headers = curl_slist_append(headers, "Content-Type: application/json");
    }
    if (!request.bearer_token.empty()) {
      headers = curl_slist_append(
          headers,
          absl::StrCat("Authorization: Bearer ", request.bearer_token).c_str());
    }
    if (!request.traceparent.empty()) {
      headers = curl_slist_append(
          headers, absl::StrCat("traceparent: ", request.traceparent).c_str());
    }
    transfer->headers.reset(headers);

    const std::string url =
        absl::StrCat(options_.base_url.origin, request.target);
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR,
                     options_.base_url.is_https ? "https" : "http");
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    if (options_.base_url.is_https) {
      // Waits for a connection that may multiplex rather than opening one
      // per transfer while the first handshake runs.
      curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
    }
    // Vercel's answers are a few KiB: a small receive buffer keeps the
    // memory of many concurrent calls low (libcurl's default is 16 KiB).
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kReceiveBufferBytes);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_trust_.ca_path.empty()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, options_.extra_ca_file.c_str());
      curl_easy_setopt(easy, CURLOPT_CAPATH, ca_trust_.ca_path.c_str());
    } else if (!ca_trust_.bundle.empty()) {
      curl_blob blob{const_cast<char*>(ca_trust_.bundle.data()),
                     ca_trust_.bundle.size(), CURL_BLOB_NOCOPY};
      curl_easy_setopt(easy, CURLOPT_CAINFO_BLOB, &blob);
    }
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(easy, CURLOPT_PRIVATE, transfer.get());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, transfer->error_buffer);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::OnBody);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, transfer.get());
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::OnHeader);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, transfer.get());
    const long timeout_ms =
        std::max<long>(1, absl::ToInt64Milliseconds(
                              absl::Ceil(remaining, absl::Milliseconds(1))));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     std::min<long>(timeout_ms, absl::ToInt64Milliseconds(
                                                    kMaxConnectTimeout)));
    switch (request.method) {
      case HttpMethod::kGet:
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
        break;
      case HttpMethod::kPost:
        curl_easy_setopt(easy, CURLOPT_POST, 1L);
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE,
                         static_cast<long>(request.body.size()));
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, request.body.data());
        break;
      case HttpMethod::kDelete:
        curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, "DELETE");
        break;
    }

    if (CURLMcode code = curl_multi_add_handle(multi_.get(), easy);
        code != CURLM_OK) {
      Release(*transfer);
      std::move(transfer->done)(absl::UnavailableError(
          absl::StrCat("curl_multi_add_handle: ", curl_multi_strerror(code))));
      return;
    }
    ++queues_[request.endpoint].active;
    const uint64_t id = transfer->id;
    active_.emplace(id, std::move(transfer));
  }

  void ReadCompletions() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      long version = 0;
      if (curl_easy_getinfo(message->easy_handle, CURLINFO_HTTP_VERSION,
                            &version) == CURLE_OK &&
          version == CURL_HTTP_VERSION_2_0) {
        multiplexed_ = true;
      }
      Complete(transfer->id, ResultOf(*transfer, message->data.result));
    }
  }

  // Records that `transfer` left its endpoint's queue (to start or to
  // fail), if it was in one.
  void LeaveQueue(Transfer& transfer) {
    if (!transfer.queued_at.has_value()) return;
    const EndpointQueue& queue = queues_[transfer.request.endpoint];
    if (queue.metrics.has_value()) {
      queue.metrics->length->Decrement();
      queue.metrics->wait->Observe(
          absl::ToDoubleSeconds(absl::Now() - *transfer.queued_at));
    }
    transfer.queued_at.reset();
  }

  // Returns the transfer's easy handle to the pool, reset.
  void Release(Transfer& transfer) {
    if (transfer.easy == nullptr) return;
    if (idle_handles_.size() < kMaxIdleHandles) {
      curl_easy_reset(transfer.easy);
      idle_handles_.push_back(transfer.easy);
    } else {
      curl_easy_cleanup(transfer.easy);
    }
    transfer.easy = nullptr;
  }

  // Removes active transfer `id` from the multi handle and runs its
  // callback.
  void Complete(uint64_t id, absl::StatusOr<UpstreamResponse> result) {
    auto it = active_.find(id);
    std::unique_ptr<Transfer> transfer = std::move(it->second);
    active_.erase(it);
    --queues_[transfer->request.endpoint].active;
    curl_multi_remove_handle(multi_.get(), transfer->easy);
    Release(*transfer);
    // The transfer goes before the callback runs, so that the callback may
    // submit more work freely.
    Callback done = std::move(transfer->done);
    transfer.reset();
    std::move(done)(std::move(result));
  }

  // Fails pending (delayed or waiting) transfer `id`. Its entries in
  // `delayed_` and `queues_` go stale and are skipped.
  void CompletePending(uint64_t id, absl::Status status) {
    auto it = pending_.find(id);
    if (it->second->expiry.has_value()) expiry_.erase(*it->second->expiry);
    LeaveQueue(*it->second);
    Callback done = std::move(it->second->done);
    pending_.erase(it);
    std::move(done)(std::move(status));
  }

  absl::StatusOr<UpstreamResponse> ResultOf(Transfer& transfer,
                                            CURLcode code) const {
    if (code == CURLE_OK && !transfer.headers_complete) {
      // libcurl reports a connection closed inside the headers as a
      // complete response with no body; it is an upstream that went away.
      return absl::UnavailableError(
          "cannot reach the Vercel API: the connection closed inside the "
          "response headers");
    }
    if (code == CURLE_OK) {
      curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE,
                        &transfer.response.http_status);
      return std::move(transfer.response);
    }
    if (code == CURLE_WRITE_ERROR && transfer.too_large) {
      return absl::ResourceExhaustedError(
          absl::StrCat("the Vercel API response exceeds ",
                       options_.max_response_bytes, " bytes"));
    }
    absl::Status failure;
    if (code == CURLE_OPERATION_TIMEDOUT) {
      failure = absl::DeadlineExceededError(
          "the Vercel API was too slow: no answer before the deadline");
    } else {
      // libcurl's messages name the host and port, never the URL's path or
      // query, which may hold a verification token.
      failure = absl::UnavailableError(absl::StrCat(
          "cannot reach the Vercel API: ", transfer.error_buffer[0] != '\0'
                                               ? transfer.error_buffer
                                               : curl_easy_strerror(code)));
    }
    if (NeverConnected(transfer.easy, code)) {
      failure.SetPayload(kNotConnectedPayload, absl::Cord());
    }
    return failure;
  }

  struct EndpointQueue {
    std::deque<uint64_t> ids;
    // Transfers of the endpoint added to the multi handle.
    size_t active = 0;
    // Its length and wait metrics, with Options::metrics.
    std::optional<Metrics::UpstreamQueue> metrics;
  };

  const Options& options_;
  const CaTrust& ca_trust_;
  std::unique_ptr<CURLM, MultiCleanup> multi_;
  const int epoll_fd_;
  const int wake_fd_;
  const long max_connections_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Transfer>> submitted_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> cancelled_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  // An eventfd write is on its way: later hand-overs need not write again.
  bool wake_pending_ ABSL_GUARDED_BY(mu_) = false;

  absl::Time curl_timer_ = absl::InfiniteFuture();
  // Transfers not yet added to the multi handle.
  absl::flat_hash_map<uint64_t, std::unique_ptr<Transfer>> pending_;
  // Pending transfers waiting for their not_before.
  std::multimap<absl::Time, uint64_t> delayed_;
  // Transfers waiting in `queues_` by deadline (only when connections are
  // bounded).
  std::multimap<absl::Time, uint64_t> expiry_;
  // The queue of each endpoint (stable addresses), and the non-empty ones in
  // turn order.
  std::map<std::string, EndpointQueue> queues_;
  std::deque<std::map<std::string, EndpointQueue>::value_type*> turns_;
  absl::flat_hash_map<uint64_t, std::unique_ptr<Transfer>> active_;
  std::vector<CURL*> idle_handles_;
  // A response came over HTTP/2: each connection carries many transfers.
  bool multiplexed_ = false;

  std::thread thread_;
};

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(
    Options options) {
  absl::StatusOr<CaTrust> ca_trust = BuildCaTrust(options.extra_ca_file);
  if (!ca_trust.ok()) return ca_trust.status();
  auto client = std::unique_ptr<HttpClient>(
      new HttpClient(std::move(options), *std::move(ca_trust)));
  const int count = std::clamp(
      client->options_.loops > 0 ? client->options_.loops : UsableCpus(), 1,
      kMaxLoops);
  const long max = client->options_.max_host_connections;
  // The connections are split among the loops; each gets at least one.
  const long share = max > 0 ? std::max<long>(1, (max + count - 1) / count) : 0;
  for (int i = 0; i < count; ++i) {
    CURLM* multi = curl_multi_init();
    const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    const int wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (multi == nullptr || epoll_fd < 0 || wake_fd < 0) {
      if (multi != nullptr) curl_multi_cleanup(multi);
      if (epoll_fd >= 0) close(epoll_fd);
      if (wake_fd >= 0) close(wake_fd);
      return absl::InternalError("cannot set up an event loop");
    }
    client->loops_.push_back(std::make_unique<Loop>(
        client->options_, client->ca_trust_, multi, epoll_fd, wake_fd, share));
  }
  return client;
}

HttpClient::HttpClient(Options options, CaTrust ca_trust)
    : options_(std::move(options)), ca_trust_(std::move(ca_trust)) {}

HttpClient::~HttpClient() { Shutdown(); }

absl::StatusOr<uint64_t> HttpClient::Submit(UpstreamRequest request,
                                            absl::Time deadline, Callback done,
                                            absl::Time not_before) {
  auto transfer = std::make_unique<Transfer>();
  const uint64_t id = next_id_.fetch_add(1, std::memory_order_relaxed);
  transfer->id = id;
  transfer->request = std::move(request);
  transfer->not_before = not_before;
  transfer->deadline = deadline;
  transfer->max_response_bytes = options_.max_response_bytes;
  transfer->done = std::move(done);
  if (absl::Status s = loops_[id % loops_.size()]->Submit(std::move(transfer));
      !s.ok()) {
    return s;
  }
  return id;
}

void HttpClient::Cancel(uint64_t id) {
  if (id == 0) return;
  loops_[id % loops_.size()]->Cancel(id);
}

void HttpClient::Shutdown() {
  for (auto& loop : loops_) loop->Stop();
}

}  // namespace vercel_tokens
