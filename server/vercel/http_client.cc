#include "server/vercel/http_client.h"

#include <algorithm>
#include <utility>

#include "absl/cleanup/cleanup.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "server/common/files.h"

namespace vercel_tokens {
namespace {

constexpr absl::Duration kMaxConnectTimeout = absl::Seconds(10);
constexpr absl::Duration kIdlePoll = absl::Seconds(1);

struct EasyCleanup {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistCleanup {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

// The system CA bundle followed by `extra_ca_file`, so that the extra CA is
// trusted in addition to, not instead of, the system's.
absl::StatusOr<std::string> BuildCaBundle(const std::string& extra_ca_file) {
  if (extra_ca_file.empty()) return std::string();
  absl::StatusOr<std::string> extra = ReadFile(extra_ca_file);
  if (!extra.ok()) return extra.status();
  if (!absl::StrContains(*extra, "-----BEGIN CERTIFICATE-----")) {
    return absl::InvalidArgumentError(
        absl::StrCat(extra_ca_file, " holds no PEM certificate"));
  }
  std::string bundle;
  std::unique_ptr<CURL, EasyCleanup> probe(curl_easy_init());
  char* system_ca_file = nullptr;
  if (probe != nullptr &&
      curl_easy_getinfo(probe.get(), CURLINFO_CAINFO, &system_ca_file) ==
          CURLE_OK &&
      system_ca_file != nullptr) {
    if (absl::StatusOr<std::string> system = ReadFile(system_ca_file);
        system.ok()) {
      bundle = *std::move(system);
      bundle.push_back('\n');
    }
  }
  bundle.append(*extra);
  return bundle;
}

}  // namespace

// One request in flight. Owned by HttpClient::submitted_ until the client's
// thread starts it, then by HttpClient::active_ until it completes.
struct HttpClient::Transfer {
  uint64_t id = 0;
  UpstreamRequest request;
  absl::Time not_before;
  absl::Time deadline;
  Callback done;
  size_t max_response_bytes = 0;

  std::unique_ptr<CURL, EasyCleanup> easy;
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

absl::StatusOr<std::unique_ptr<HttpClient>> HttpClient::Create(
    Options options) {
  absl::StatusOr<std::string> ca_bundle = BuildCaBundle(options.extra_ca_file);
  if (!ca_bundle.ok()) return ca_bundle.status();
  CURLM* multi = curl_multi_init();
  if (multi == nullptr) {
    return absl::InternalError("curl_multi_init failed");
  }
  if (options.max_host_connections > 0) {
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS,
                      options.max_host_connections);
  }
  return std::unique_ptr<HttpClient>(
      new HttpClient(std::move(options), *std::move(ca_bundle), multi));
}

HttpClient::HttpClient(Options options, std::string ca_bundle, CURLM* multi)
    : options_(std::move(options)),
      ca_bundle_(std::move(ca_bundle)),
      multi_(multi),
      thread_([this] { Run(); }) {}

HttpClient::~HttpClient() { Shutdown(); }

absl::StatusOr<uint64_t> HttpClient::Submit(UpstreamRequest request,
                                            absl::Time deadline, Callback done,
                                            absl::Time not_before) {
  auto transfer = std::make_unique<Transfer>();
  transfer->request = std::move(request);
  transfer->not_before = not_before;
  transfer->deadline = deadline;
  transfer->max_response_bytes = options_.max_response_bytes;
  transfer->done = std::move(done);
  uint64_t id = 0;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      return absl::UnavailableError("the server is shutting down");
    }
    id = next_id_++;
    transfer->id = id;
    submitted_.push_back(std::move(transfer));
  }
  curl_multi_wakeup(multi_.get());
  return id;
}

void HttpClient::Cancel(uint64_t id) {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    cancelled_.push_back(id);
  }
  curl_multi_wakeup(multi_.get());
}

void HttpClient::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  curl_multi_wakeup(multi_.get());
  if (thread_.joinable()) thread_.join();
}

void HttpClient::Run() {
  while (true) {
    std::vector<std::unique_ptr<Transfer>> submitted;
    std::vector<uint64_t> cancelled;
    bool stopping = false;
    {
      absl::MutexLock lock(&mu_);
      submitted.swap(submitted_);
      cancelled.swap(cancelled_);
      stopping = stopping_;
    }
    if (stopping) {
      for (auto& [unused, transfer] : delayed_) {
        submitted.push_back(std::move(transfer));
      }
      delayed_.clear();
      for (auto& transfer : submitted) {
        std::move(transfer->done)(
            absl::CancelledError("the server is shutting down"));
      }
      while (!active_.empty()) {
        Complete(active_.begin()->first,
                 absl::CancelledError("the server is shutting down"));
      }
      return;
    }
    const absl::Duration idle = StartDue(std::move(submitted));
    for (uint64_t id : cancelled) {
      if (active_.contains(id)) {
        Complete(id, absl::CancelledError("the call was cancelled"));
        continue;
      }
      for (auto it = delayed_.begin(); it != delayed_.end(); ++it) {
        if (it->second->id == id) {
          Callback done = std::move(it->second->done);
          delayed_.erase(it);
          std::move(done)(absl::CancelledError("the call was cancelled"));
          break;
        }
      }
    }

    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
      if (message->msg != CURLMSG_DONE) continue;
      Transfer* transfer = nullptr;
      curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &transfer);
      Complete(transfer->id, ResultOf(*transfer, message->data.result));
    }
    curl_multi_poll(multi_.get(), nullptr, 0,
                    static_cast<int>(absl::ToInt64Milliseconds(
                        absl::Ceil(idle, absl::Milliseconds(1)))),
                    nullptr);
  }
}

absl::Duration HttpClient::StartDue(
    std::vector<std::unique_ptr<Transfer>> submitted) {
  const absl::Time now = absl::Now();
  for (auto& transfer : submitted) {
    if (transfer->not_before > now) {
      const absl::Time at = transfer->not_before;
      delayed_.emplace(at, std::move(transfer));
    } else {
      Start(std::move(transfer));
    }
  }
  while (!delayed_.empty() && delayed_.begin()->first <= now) {
    std::unique_ptr<Transfer> transfer = std::move(delayed_.begin()->second);
    delayed_.erase(delayed_.begin());
    Start(std::move(transfer));
  }
  if (delayed_.empty()) return kIdlePoll;
  return std::min(kIdlePoll, delayed_.begin()->first - now);
}

void HttpClient::Start(std::unique_ptr<Transfer> transfer) {
  const absl::Duration remaining = transfer->deadline - absl::Now();
  if (remaining <= absl::ZeroDuration()) {
    std::move(transfer->done)(absl::DeadlineExceededError(
        "the deadline passed before the Vercel API was called"));
    return;
  }
  transfer->easy.reset(curl_easy_init());
  if (transfer->easy == nullptr) {
    std::move(transfer->done)(absl::UnavailableError("curl_easy_init failed"));
    return;
  }
  CURL* easy = transfer->easy.get();
  const UpstreamRequest& request = transfer->request;

  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, "Accept: application/json");
  headers = curl_slist_append(headers, "Expect:");
  if (!request.body.empty()) {
    headers = curl_slist_append(headers, "Content-Type: application/json");
  }
  if (!request.bearer_token.empty()) {
    headers = curl_slist_append(
        headers,
        absl::StrCat("Authorization: Bearer ", request.bearer_token).c_str());
  }
  transfer->headers.reset(headers);

  const std::string url =
      absl::StrCat(options_.base_url.origin, request.target);
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR,
                   options_.base_url.is_https ? "https" : "http");
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!ca_bundle_.empty()) {
    curl_blob blob{const_cast<char*>(ca_bundle_.data()), ca_bundle_.size(),
                   CURL_BLOB_NOCOPY};
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
  const long timeout_ms = std::max<long>(
      1,
      absl::ToInt64Milliseconds(absl::Ceil(remaining, absl::Milliseconds(1))));
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
    std::move(transfer->done)(absl::UnavailableError(
        absl::StrCat("curl_multi_add_handle: ", curl_multi_strerror(code))));
    return;
  }
  const uint64_t id = transfer->id;
  active_.emplace(id, std::move(transfer));
}

void HttpClient::Complete(uint64_t id,
                          absl::StatusOr<UpstreamResponse> result) {
  auto it = active_.find(id);
  std::unique_ptr<Transfer> transfer = std::move(it->second);
  active_.erase(it);
  curl_multi_remove_handle(multi_.get(), transfer->easy.get());
  // The transfer (and its easy handle) goes before the callback runs, so
  // that the callback may submit more work freely.
  Callback done = std::move(transfer->done);
  transfer.reset();
  std::move(done)(std::move(result));
}

absl::StatusOr<UpstreamResponse> HttpClient::ResultOf(Transfer& transfer,
                                                      CURLcode code) const {
  if (code == CURLE_OK && !transfer.headers_complete) {
    // libcurl reports a connection closed inside the headers as a complete
    // response with no body; it is an upstream that went away.
    return absl::UnavailableError(
        "cannot reach the Vercel API: the connection closed inside the "
        "response headers");
  }
  if (code == CURLE_OK) {
    curl_easy_getinfo(transfer.easy.get(), CURLINFO_RESPONSE_CODE,
                      &transfer.response.http_status);
    return std::move(transfer.response);
  }
  if (code == CURLE_WRITE_ERROR && transfer.too_large) {
    return absl::ResourceExhaustedError(
        absl::StrCat("the Vercel API response exceeds ",
                     options_.max_response_bytes, " bytes"));
  }
  if (code == CURLE_OPERATION_TIMEDOUT) {
    return absl::DeadlineExceededError(
        "the Vercel API did not answer before the deadline");
  }
  // libcurl's messages name the host and port, never the URL's path or
  // query, which may hold a verification token.
  return absl::UnavailableError(absl::StrCat("cannot reach the Vercel API: ",
                                             transfer.error_buffer[0] != '\0'
                                                 ? transfer.error_buffer
                                                 : curl_easy_strerror(code)));
}

}  // namespace vercel_tokens
