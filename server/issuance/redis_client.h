#ifndef VERCEL_USER_TOKENS_SERVER_ISSUANCE_REDIS_CLIENT_H_
#define VERCEL_USER_TOKENS_SERVER_ISSUANCE_REDIS_CLIENT_H_

#include <openssl/ssl.h>
#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace vercel_tokens {

// Where a Redis (or Valkey) server is: --idempotency_store.
struct RedisAddress {
  std::string host;
  int port = 6379;
  int db = 0;
  // rediss://: TLS, the server's certificate verified for `host`.
  bool tls = false;
};

// Parses "redis://host:port[/db]" or "rediss://host:port[/db]". Pure.
absl::StatusOr<RedisAddress> ParseRedisUrl(absl::string_view url);

// One reply of a Redis server (RESP2): a status (+OK), an error (-ERR ...),
// an integer, a bulk string or nil, or an array of replies.
struct RedisReply {
  enum class Type { kStatus, kError, kInteger, kBulk, kNil, kArray };
  Type type = Type::kNil;
  std::string text;  // kStatus, kError, kBulk
  int64_t integer = 0;
  std::vector<RedisReply> elements;
};

// Encodes `args` as one RESP command (an array of bulk strings). Pure.
std::string EncodeRedisCommand(const std::vector<std::string>& args);

// Parses one reply from the front of `buffer`: the reply and how many bytes
// it took, nullopt when the buffer holds only part of one, or an error when
// it is not RESP. Pure.
absl::StatusOr<std::optional<std::pair<RedisReply, size_t>>> ParseRedisReply(
    absl::string_view buffer);

// A small Redis client whose I/O runs on an event loop thread of its own,
// so that no gRPC thread ever waits on the network: Send queues a command
// and returns at once; its callback runs on the loop thread with the reply,
// or with UNAVAILABLE (no connection, or the connection broke) or
// DEADLINE_EXCEEDED (no reply by the command's deadline). Commands are
// pipelined on one connection, connected lazily and again after a failure
// (AUTH with the password, SELECT the db first). A command that runs out
// of time drops the connection, failing every command on it, since replies
// arrive in order. After is a timer on the same loop.
//
// A rediss:// store is spoken to over TLS (libssl, at least TLS 1.2), its
// certificate verified for the host (name or IP address).
//
// Why not hiredis: Debian 12 ships hiredis 0.14, without TLS and with an
// async API that still needs an event-loop adapter of our own; the subset
// used here (SET/GET/DEL, AUTH, SELECT, PING) is a page of RESP.
//
// Thread-safe. Callbacks run on the loop thread and must not block; the
// destructor fails what is pending with UNAVAILABLE and joins the thread.
class RedisClient {
 public:
  using Callback = absl::AnyInvocable<void(absl::StatusOr<RedisReply>) &&>;
  using Timer = absl::AnyInvocable<void() &&>;

  // Counts each command sent; may be empty.
  using OnCommand = absl::AnyInvocable<void()>;

  // `ca_file`: PEM CAs to trust for a TLS store; empty for the system's.
  // Fails when the TLS context cannot be made (an unreadable CA file).
  static absl::StatusOr<std::unique_ptr<RedisClient>> Create(
      RedisAddress address, std::string password, std::string ca_file,
      OnCommand on_command);

  // A plaintext client (for a redis:// address).
  RedisClient(RedisAddress address, std::string password, OnCommand on_command);
  ~RedisClient();

  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends `args` (e.g. {"GET", key}); `done` gets the reply by `deadline`.
  void Send(std::vector<std::string> args, absl::Time deadline, Callback done);
  // Runs `timer` on the loop thread at `when` (or at shutdown, early).
  void After(absl::Time when, Timer timer);

 private:
  struct Pending {
    std::string bytes;
    absl::Time deadline;
    Callback done;
  };
  struct Scheduled {
    absl::Time when;
    Timer timer;
  };

  RedisClient(RedisAddress address, std::string password, OnCommand on_command,
              std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls_context);

  void Loop();
  // Connects (with AUTH and SELECT queued first); UNAVAILABLE on failure.
  absl::Status Connect();
  void Disconnect(const absl::Status& why);
  void Wake();
  // Advances the TLS handshake; false while it needs more I/O (tls_want_).
  bool Handshake();
  // send/recv, through TLS when the store speaks it: bytes moved, 0 when
  // the connection closed, -1 with errno (EAGAIN when it would block).
  ssize_t WriteSome(const char* data, size_t size);
  ssize_t ReadSome(char* data, size_t size);

  const RedisAddress address_;
  const std::string password_;
  OnCommand on_command_;
  int wake_read_ = -1;
  int wake_write_ = -1;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::deque<Pending> queued_ ABSL_GUARDED_BY(mu_);
  std::vector<Scheduled> timers_ ABSL_GUARDED_BY(mu_);

  // The TLS context of a rediss:// store; null for plaintext.
  std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> tls_context_{nullptr,
                                                                 &SSL_CTX_free};

  // Loop thread only.
  int fd_ = -1;
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl_{nullptr, &SSL_free};
  bool tls_ready_ = false;
  short tls_want_ = 0;  // POLLIN or POLLOUT while handshaking.
  absl::Time retry_at_ = absl::InfinitePast();
  std::string out_;
  std::string in_;
  std::deque<Pending> sent_;  // Awaiting replies, in order.

  std::thread thread_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_ISSUANCE_REDIS_CLIENT_H_
