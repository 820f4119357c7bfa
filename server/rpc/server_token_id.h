#ifndef VERCEL_USER_TOKENS_SERVER_RPC_SERVER_TOKEN_ID_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_SERVER_TOKEN_ID_H_

#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/clock.h"
#include "server/common/logger.h"
#include "server/vercel/transport.h"

namespace vercel_tokens {

// The id of the server's own Vercel token, learned from Vercel with
// `GET /v5/user/tokens/current` (through the non-blocking transport), so
// that the policy protects it like `current` (policy.h,
// PolicyQuery::server_token_id): otherwise a caller allowed to revoke with
// the server's token could read its id and revoke it by id.
//
// Learn asks at once; Get returns the id, or nullopt while it is unknown
// and then asks again (at most every kRetryInterval, one request at a
// time). Thread-safe. `transport`, `logger` and `clock` are borrowed; the
// transport must be shut down (running or failing every callback) before
// this object is destroyed.
class ServerTokenId {
 public:
  static constexpr absl::Duration kRetryInterval = absl::Seconds(10);

  ServerTokenId(UpstreamTransport* transport, std::string server_token,
                Logger* logger, const Clock* clock = &Clock::Real());

  ServerTokenId(const ServerTokenId&) = delete;
  ServerTokenId& operator=(const ServerTokenId&) = delete;

  // Asks Vercel for the id now, unless a request is in flight. Returns at
  // once.
  void Learn();
  // The id, or nullopt (then Learn, if the last attempt is old enough).
  std::optional<std::string> Get();

 private:
  UpstreamTransport* const transport_;
  const std::string server_token_;
  Logger* const logger_;
  const Clock* const clock_;

  absl::Mutex mu_;
  std::optional<std::string> id_ ABSL_GUARDED_BY(mu_);
  bool asking_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time last_attempt_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_SERVER_TOKEN_ID_H_
