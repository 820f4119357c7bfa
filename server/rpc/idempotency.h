#ifndef VERCEL_USER_TOKENS_SERVER_RPC_IDEMPOTENCY_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_IDEMPOTENCY_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "server/rpc/upstream_call.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {

// The outcome of a CreateAuthToken, as replayed to a repeat of it.
struct CreateOutcome {
  absl::Status status;
  vercel::authentication::v1::CreateAuthTokenResponse response;
};

// Remembers CreateAuthToken calls by request_id (AIP-155) so that a repeat
// gets the first call's response instead of a second token.
//
// Entries are keyed by the caller's identity, its Vercel credentials and the
// request_id, so that one caller can never read another's token; each holds
// a fingerprint of the rest of the request. They live in memory only, at
// most `max_entries`, each `window` after its call finished; a failed or
// cancelled first call leaves none, so that a retry creates. Entries hold the
// created token's secret and are never logged.
//
// Thread-safe. Waiters run on the thread that calls Finish, after the lock
// is released; they must not block.
class IdempotencyCache {
 public:
  using Waiter = absl::AnyInvocable<void(const CreateOutcome&) &&>;
  // Whether a waiter's caller still waits; null for always.
  using Liveness = std::function<bool()>;

  IdempotencyCache(absl::Duration window, size_t max_entries);

  IdempotencyCache(const IdempotencyCache&) = delete;
  IdempotencyCache& operator=(const IdempotencyCache&) = delete;

  enum class Start {
    // No entry: the caller makes the call, then calls Finish(key, ...).
    kFirst,
    // A finished entry: `*replay` holds its outcome.
    kReplay,
    // The first call is in flight: `waiter` will get its outcome.
    kWaiting,
    // The same request_id came with a different request.
    kMismatch,
    // The cache is full of calls in flight: make the call unremembered.
    kUnremembered,
  };

  // Looks up `key` (see Key) for a request whose fingerprint is
  // `fingerprint` at time `now`. `waiter` and `live` are kept only for
  // kWaiting.
  Start Begin(const std::string& key, const std::string& fingerprint,
              absl::Time now, Waiter waiter, CreateOutcome* replay,
              Liveness live = nullptr);

  // Records the outcome of the first call of `key` (remembered when OK,
  // forgotten otherwise) and hands it to every waiter. Does nothing when
  // the entry was finished already (Adopt).
  void Finish(const std::string& key, const CreateOutcome& outcome,
              absl::Time now);

  // For a first call whose own caller is gone when its successful
  // `outcome` arrives: when repeats of `key` are waiting, records the
  // outcome and hands it to them, and returns true (the token has a live
  // holder and must not be revoked); otherwise returns false.
  bool Adopt(const std::string& key, const CreateOutcome& outcome,
             absl::Time now);

  // The key of `request_id` sent by `caller` with `bearer_token`.
  static std::string Key(absl::string_view caller,
                         absl::string_view bearer_token,
                         absl::string_view request_id);

  // What must match for a repeat to be the same request: everything but
  // request_id, serialized deterministically.
  static std::string Fingerprint(
      const vercel::authentication::v1::CreateAuthTokenRequest& request);

 private:
  struct Entry {
    std::string fingerprint;
    bool done = false;
    absl::Time expires = absl::InfiniteFuture();
    CreateOutcome outcome;
    std::vector<Waiter> waiters;
    std::vector<Liveness> liveness;
  };

  // Drops expired entries, then the oldest finished one while full. Returns
  // whether there is room for one more.
  bool MakeRoom(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const absl::Duration window_;
  const size_t max_entries_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

// Serves a repeated CreateAuthToken on its CallReactor (upstream_call.h):
// finishes with a remembered outcome, or with the outcome of the first call
// when it arrives (see Waiter), or CANCELLED when its own caller goes first:
// whichever claims the call first finishes it, outside any lock; the others
// do nothing. Kept alive by its reactor (Attach) until the reactor is done;
// the shared state outlives it so that a late outcome finds no replay.
class Replay {
 public:
  // `response` is the call's; `on_finish` runs once with the status the call
  // finishes with (the audit hook). Attaches itself to `reactor` (before
  // IdempotencyCache::Begin, whose waiter may run at once on another
  // thread); `reactor` may then be served otherwise only after Disarm.
  // The caller keeps the returned pointer while it uses the replay: a cancel
  // may finish the call, and the reactor drop its own, at any time.
  static std::shared_ptr<Replay> Attach(
      CallReactor& reactor,
      vercel::authentication::v1::CreateAuthTokenResponse* response,
      absl::AnyInvocable<void(const absl::Status&) &&> on_finish);

  Replay(CallReactor& reactor,
         vercel::authentication::v1::CreateAuthTokenResponse* response,
         absl::AnyInvocable<void(const absl::Status&) &&> on_finish);
  Replay(const Replay&) = delete;
  Replay& operator=(const Replay&) = delete;

  // Finishes with `outcome` unless the call has finished already.
  void Deliver(const CreateOutcome& outcome);
  // Gives the call up, to be served by an UpstreamCall: later outcomes and a
  // cancel do nothing here. Only when Begin kept no waiter. Returns false
  // when the caller cancelled first and the call is already finished
  // (CANCELLED): then nothing else may serve it.
  bool Disarm();
  // A waiter that delivers to this replay while it lives.
  IdempotencyCache::Waiter AsWaiter();
  // Whether this replay's call still waits for an outcome.
  IdempotencyCache::Liveness AsLiveness();

 private:
  struct State {
    absl::Mutex mu;
    Replay* replay ABSL_GUARDED_BY(mu);
  };
  // Takes the right to finish: the replay, once; null afterwards.
  static Replay* Claim(State& state);
  // Finishes unless someone else has claimed the call.
  void FinishOnce(
      const absl::Status& status,
      const vercel::authentication::v1::CreateAuthTokenResponse* response);
  // Fills the response, runs on_finish and finishes; only after a Claim.
  void Complete(
      const absl::Status& status,
      const vercel::authentication::v1::CreateAuthTokenResponse* response);

  CallReactor& reactor_;
  vercel::authentication::v1::CreateAuthTokenResponse* const response_;
  absl::AnyInvocable<void(const absl::Status&) &&> on_finish_;
  const std::shared_ptr<State> state_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_IDEMPOTENCY_H_
