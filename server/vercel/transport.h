#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_TRANSPORT_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_TRANSPORT_H_

#include <cstdint>

#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// Runs upstream HTTP requests without blocking its callers: the seam between
// a call's state machine (UpstreamCall) and the network (HttpClient), so
// that the former can be tested with a fake.
//
// Implementations are thread-safe: Submit and Cancel may be called from any
// thread, including from inside a completion callback.
class UpstreamTransport {
 public:
  // Receives the outcome of one transfer: the response (any HTTP status), or
  // DEADLINE_EXCEEDED (the deadline passed, also while waiting for a
  // connection), CANCELLED, RESOURCE_EXHAUSTED (body too large) or
  // UNAVAILABLE (could not connect, TLS failure, broken connection). Runs on
  // one of the transport's threads, so it must not block.
  using Callback =
      absl::AnyInvocable<void(absl::StatusOr<UpstreamResponse>) &&>;

  virtual ~UpstreamTransport() = default;

  // Queues `request` and returns its id at once; the transfer starts no
  // earlier than `not_before` (a retry's backoff; absl::InfinitePast() for
  // now) and must complete by `deadline`. `done` then runs exactly once,
  // never inline, so the caller may hold its own lock while submitting.
  // Fails with UNAVAILABLE, dropping `done` unrun, once the transport is
  // shutting down.
  virtual absl::StatusOr<uint64_t> Submit(UpstreamRequest request,
                                          absl::Time deadline, Callback done,
                                          absl::Time not_before) = 0;

  // Aborts transfer `id`, whose callback then receives CANCELLED unless it
  // has already run (then this does nothing). Returns at once. A Cancel
  // issued after Submit returned is never overtaken by the transfer's start.
  virtual void Cancel(uint64_t id) = 0;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_TRANSPORT_H_
