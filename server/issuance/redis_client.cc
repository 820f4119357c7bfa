#include "server/issuance/redis_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace vercel_tokens {
namespace {

// After a failed connect, commands fail at once for this long instead of
// each trying again.
constexpr absl::Duration kReconnectDelay = absl::Milliseconds(200);

absl::Status Unavailable(absl::string_view why) {
  return absl::UnavailableError(
      absl::StrCat("the idempotency store cannot be reached: ", why));
}

// Parses the line that starts at `buffer[0]` (after the type byte) up to
// CRLF; nullopt when incomplete.
std::optional<std::pair<absl::string_view, size_t>> Line(
    absl::string_view buffer) {
  const size_t end = buffer.find("\r\n", 1);
  if (end == absl::string_view::npos) return std::nullopt;
  return std::make_pair(buffer.substr(1, end - 1), end + 2);
}

}  // namespace

absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url) {
  RedisAddress address;
  if (absl::ConsumePrefix(&url, "rediss://")) {
    address.tls = true;
  } else if (!absl::ConsumePrefix(&url, "redis://")) {
    return absl::InvalidArgumentError("must start with redis:// or rediss://");
  }
  absl::string_view host_port = url;
  if (const size_t slash = url.find('/'); slash != absl::string_view::npos) {
    host_port = url.substr(0, slash);
    if (!absl::SimpleAtoi(url.substr(slash + 1), &address.db) ||
        address.db < 0) {
      return absl::InvalidArgumentError("the db after '/' must be a number");
    }
  }
  const size_t colon = host_port.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) {
    return absl::InvalidArgumentError("must name host:port");
  }
  address.host = std::string(host_port.substr(0, colon));
  if (!absl::SimpleAtoi(host_port.substr(colon + 1), &address.port) ||
      address.port <= 0 || address.port > 65535) {
    return absl::InvalidArgumentError("the port must be 1 to 65535");
  }
  return address;
}

std::string EncodeRedisCommand(const std::vector<std::string>& args) {
  std::string out = absl::StrCat("*", args.size(), "\r\n");
  for (const std::string& arg : args) {
    absl::StrAppend(&out, "$", arg.size(), "\r\n", arg, "\r\n");
  }
  return out;
}

absl::StatusOr<std::optional<std::pair<RedisReply, size_t>>> ParseRedisReply(
    absl::string_view buffer) {
  if (buffer.empty()) return std::nullopt;
  auto line = Line(buffer);
  if (!line.has_value()) return std::nullopt;
  const auto [text, used] = *line;
  RedisReply reply;
  switch (buffer[0]) {
    case '+':
      reply.type = RedisReply::Type::kStatus;
      reply.text = std::string(text);
      return std::make_pair(std::move(reply), used);
    case '-':
      reply.type = RedisReply::Type::kError;
      reply.text = std::string(text);
      return std::make_pair(std::move(reply), used);
    case ':':
      reply.type = RedisReply::Type::kInteger;
      if (!absl::SimpleAtoi(text, &reply.integer)) break;
      return std::make_pair(std::move(reply), used);
    case '$': {
      int64_t length = 0;
      if (!absl::SimpleAtoi(text, &length) || length < -1) break;
      if (length == -1) return std::make_pair(std::move(reply), used);
      if (buffer.size() < used + length + 2) return std::nullopt;
      reply.type = RedisReply::Type::kBulk;
      reply.text = std::string(buffer.substr(used, length));
      return std::make_pair(std::move(reply), used + length + 2);
    }
    case '*': {
      int64_t count = 0;
      if (!absl::SimpleAtoi(text, &count) || count < -1) break;
      if (count == -1) return std::make_pair(std::move(reply), used);
      reply.type = RedisReply::Type::kArray;
      size_t offset = used;
      for (int64_t i = 0; i < count; ++i) {
        auto element = ParseRedisReply(buffer.substr(offset));
        if (!element.ok()) return element.status();
        if (!element->has_value()) return std::nullopt;
        reply.elements.push_back(std::move((*element)->first));
        offset += (*element)->second;
      }
      return std::make_pair(std::move(reply), offset);
    }
    default:
      break;
  }
  return absl::DataLossError("the idempotency store sent a malformed reply");
}

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Create(
    RedisAddress address, std::string password, std::string ca_file,
    OnCommand on_command) {
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> context(nullptr,
                                                            &SSL_CTX_free);
  if (address.tls) {
    context.reset(SSL_CTX_new(TLS_client_method()));
    if (context == nullptr ||
        SSL_CTX_set_min_proto_version(context.get(), TLS1_2_VERSION) != 1) {
      return absl::InternalError("cannot make a TLS context");
    }
    SSL_CTX_set_verify(context.get(), SSL_VERIFY_PEER, nullptr);
    const int loaded = ca_file.empty()
                           ? SSL_CTX_set_default_verify_paths(context.get())
                           : SSL_CTX_load_verify_locations(
                                 context.get(), ca_file.c_str(), nullptr);
    if (loaded != 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot load the store's CA file ", ca_file));
    }
  }
  return std::unique_ptr<RedisClient>(
      new RedisClient(std::move(address), std::move(password),
                      std::move(on_command), std::move(context)));
}

RedisClient::RedisClient(RedisAddress address, std::string password,
                         OnCommand on_command)
    : RedisClient(std::move(address), std::move(password),
                  std::move(on_command), {nullptr, &SSL_CTX_free}) {}

RedisClient::RedisClient(
    RedisAddress address, std::string password, OnCommand on_command,
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls_context)
    : address_(std::move(address)),
      password_(std::move(password)),
      on_command_(std::move(on_command)),
      tls_context_(std::move(tls_context)) {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0) {
    wake_read_ = fds[0];
    wake_write_ = fds[1];
  }
  thread_ = std::thread([this] { Loop(); });
}

RedisClient::~RedisClient() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  Wake();
  thread_.join();
  if (wake_read_ >= 0) close(wake_read_);
  if (wake_write_ >= 0) close(wake_write_);
}

void RedisClient::Send(std::vector<std::string> args, absl::Time deadline,
                       Callback done) {
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      queued_.push_back({EncodeRedisCommand(args), deadline, std::move(done)});
      done = nullptr;
    }
  }
  if (done) {
    std::move(done)(Unavailable("the server is shutting down"));
    return;
  }
  Wake();
}

void RedisClient::After(absl::Time when, Timer timer) {
  {
    absl::MutexLock lock(&mu_);
    timers_.push_back({when, std::move(timer)});
  }
  Wake();
}

void RedisClient::Wake() {
  const char byte = 1;
  if (wake_write_ >= 0) (void)!write(wake_write_, &byte, 1);
}

absl::Status RedisClient::Connect() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = absl::StrCat(address_.port);
  if (const int rc =
          getaddrinfo(address_.host.c_str(), port.c_str(), &hints, &found);
      rc != 0) {
    return Unavailable(gai_strerror(rc));
  }
  absl::Status status = Unavailable("no address");
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    const int fd =
        socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 || errno == EINPROGRESS) {
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      fd_ = fd;
      status = absl::OkStatus();
      break;
    }
    status = Unavailable(strerror(errno));
    close(fd);
  }
  freeaddrinfo(found);
  if (!status.ok()) return status;
  tls_ready_ = tls_context_ == nullptr;
  if (!tls_ready_) {
    ssl_.reset(SSL_new(tls_context_.get()));
    in6_addr ip6;
    in_addr ip4;
    const char* host = address_.host.c_str();
    const bool is_ip = inet_pton(AF_INET, host, &ip4) == 1 ||
                       inet_pton(AF_INET6, host, &ip6) == 1;
    bool ok = ssl_ != nullptr && SSL_set_fd(ssl_.get(), fd_) == 1;
    if (ok && is_ip) {
      ok = X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_.get()), host) == 1;
    } else if (ok) {
      ok = SSL_set1_host(ssl_.get(), host) == 1 &&
           SSL_set_tlsext_host_name(ssl_.get(), host) == 1;
    }
    if (!ok) {
      Disconnect(Unavailable("cannot set up TLS"));
      return Unavailable("cannot set up TLS");
    }
    // The handshake starts once the TCP connect completes (writable).
    tls_want_ = POLLOUT;
  }
  // Commands of the connection itself go first; a failed AUTH or SELECT
  // breaks the connection, failing what follows.
  auto check = [this](absl::StatusOr<RedisReply> reply) {
    if (reply.ok() && reply->type == RedisReply::Type::kError) {
      Disconnect(Unavailable(reply->text));
    }
  };
  std::vector<std::vector<std::string>> setup;
  if (!password_.empty()) setup.push_back({"AUTH", password_});
  if (address_.db != 0) setup.push_back({"SELECT", absl::StrCat(address_.db)});
  for (auto& args : setup) {
    out_ += EncodeRedisCommand(args);
    sent_.push_back({"", absl::InfiniteFuture(), check});
  }
  return absl::OkStatus();
}

bool RedisClient::Handshake() {
  const int rc = SSL_connect(ssl_.get());
  if (rc == 1) {
    tls_ready_ = true;
    return true;
  }
  switch (SSL_get_error(ssl_.get(), rc)) {
    case SSL_ERROR_WANT_READ:
      tls_want_ = POLLIN;
      return false;
    case SSL_ERROR_WANT_WRITE:
      tls_want_ = POLLOUT;
      return false;
    default: {
      const long verify = SSL_get_verify_result(ssl_.get());
      ERR_clear_error();
      Disconnect(Unavailable(
          verify != X509_V_OK
              ? absl::StrCat("TLS: ", X509_verify_cert_error_string(verify))
              : std::string("the TLS handshake failed")));
      retry_at_ = absl::Now() + kReconnectDelay;
      return false;
    }
  }
}

ssize_t RedisClient::WriteSome(const char* data, size_t size) {
  if (ssl_ == nullptr) return send(fd_, data, size, MSG_NOSIGNAL);
  const int n = SSL_write(ssl_.get(), data, static_cast<int>(size));
  if (n > 0) return n;
  const int error = SSL_get_error(ssl_.get(), n);
  ERR_clear_error();
  errno = error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? EAGAIN
                                                                        : EPIPE;
  return -1;
}

ssize_t RedisClient::ReadSome(char* data, size_t size) {
  if (ssl_ == nullptr) return recv(fd_, data, size, 0);
  const int n = SSL_read(ssl_.get(), data, static_cast<int>(size));
  if (n > 0) return n;
  const int error = SSL_get_error(ssl_.get(), n);
  ERR_clear_error();
  if (error == SSL_ERROR_ZERO_RETURN) return 0;
  errno = error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE
              ? EAGAIN
              : ECONNRESET;
  return -1;
}

void RedisClient::Disconnect(const absl::Status& why) {
  ssl_.reset();
  tls_ready_ = false;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  out_.clear();
  in_.clear();
  std::deque<Pending> failed = std::move(sent_);
  sent_.clear();
  for (Pending& p : failed) std::move(p.done)(why);
}

void RedisClient::Loop() {
  while (true) {
    std::deque<Pending> incoming;
    std::vector<Timer> due;
    absl::Time next_timer = absl::InfiniteFuture();
    bool stopping = false;
    const absl::Time now = absl::Now();
    {
      absl::MutexLock lock(&mu_);
      stopping = stopping_;
      incoming = std::move(queued_);
      queued_.clear();
      auto it = timers_.begin();
      while (it != timers_.end()) {
        if (stopping || it->when <= now) {
          due.push_back(std::move(it->timer));
          it = timers_.erase(it);
        } else {
          next_timer = std::min(next_timer, it->when);
          ++it;
        }
      }
    }
    if (stopping) {
      Disconnect(Unavailable("the server is shutting down"));
      for (Pending& p : incoming) {
        std::move(p.done)(Unavailable("the server is shutting down"));
      }
      for (Timer& t : due) std::move(t)();
      absl::MutexLock lock(&mu_);
      if (queued_.empty() && timers_.empty()) return;
      continue;
    }
    for (Timer& t : due) std::move(t)();
    for (Pending& p : incoming) {
      if (fd_ < 0 && now >= retry_at_) {
        if (absl::Status s = Connect(); !s.ok())
          retry_at_ = now + kReconnectDelay;
      }
      if (fd_ < 0) {
        std::move(p.done)(Unavailable("not connected"));
        continue;
      }
      out_ += p.bytes;
      p.bytes.clear();
      sent_.push_back(std::move(p));
      if (on_command_) on_command_();
    }
    absl::Time next = next_timer;
    for (const Pending& p : sent_) {
      if (p.deadline <= now) {
        Disconnect(absl::DeadlineExceededError(
            "the idempotency store did not answer in time"));
        break;
      }
      next = std::min(next, p.deadline);
    }
    if (!due.empty() || !incoming.empty()) continue;

    pollfd fds[2] = {{wake_read_, POLLIN, 0}, {fd_, 0, 0}};
    if (fd_ >= 0) {
      fds[1].events =
          !tls_ready_ ? tls_want_ : POLLIN | (out_.empty() ? 0 : POLLOUT);
    }
    int timeout_ms = -1;
    if (next != absl::InfiniteFuture()) {
      timeout_ms = static_cast<int>(std::clamp<int64_t>(
          absl::ToInt64Milliseconds(next - absl::Now()) + 1, 0, 60000));
    }
    if (poll(fds, fd_ >= 0 ? 2 : 1, timeout_ms) < 0 && errno != EINTR) {
      Disconnect(Unavailable(strerror(errno)));
      continue;
    }
    if (fds[0].revents & POLLIN) {
      char drain[64];
      while (read(wake_read_, drain, sizeof(drain)) > 0) {
      }
    }
    if (fd_ < 0) continue;
    if (fds[1].revents & (POLLERR | POLLHUP)) {
      int error = 0;
      socklen_t length = sizeof(error);
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length);
      Disconnect(Unavailable(error != 0 ? strerror(error) : "closed"));
      retry_at_ = absl::Now() + kReconnectDelay;
      continue;
    }
    if (!tls_ready_) {
      if (fds[1].revents & (POLLIN | POLLOUT)) Handshake();
      continue;
    }
    if ((fds[1].revents & POLLOUT) && !out_.empty()) {
      const ssize_t n = WriteSome(out_.data(), out_.size());
      if (n > 0) {
        out_.erase(0, static_cast<size_t>(n));
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        Disconnect(Unavailable(strerror(errno)));
        retry_at_ = absl::Now() + kReconnectDelay;
        continue;
      }
    }
    if (fds[1].revents & POLLIN) {
      char buffer[16384];
      ssize_t n = 0;
      // TLS may hold decrypted bytes beyond one read.
      do {
        n = ReadSome(buffer, sizeof(buffer));
        if (n > 0) in_.append(buffer, static_cast<size_t>(n));
      } while (n > 0 && ssl_ != nullptr && SSL_pending(ssl_.get()) > 0);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        Disconnect(Unavailable(n == 0 ? "closed" : strerror(errno)));
        retry_at_ = absl::Now() + kReconnectDelay;
        continue;
      }
      while (!sent_.empty()) {
        auto parsed = ParseRedisReply(in_);
        if (!parsed.ok()) {
          Disconnect(parsed.status());
          break;
        }
        if (!parsed->has_value()) break;
        in_.erase(0, (*parsed)->second);
        Pending done = std::move(sent_.front());
        sent_.pop_front();
        std::move(done.done)(std::move((*parsed)->first));
        if (fd_ < 0) break;
      }
    }
  }
}

}  // namespace vercel_tokens
