#ifndef VERCEL_USER_TOKENS_SERVER_ISSUANCE_SHARED_IDEMPOTENCY_H_
#define VERCEL_USER_TOKENS_SERVER_ISSUANCE_SHARED_IDEMPOTENCY_H_

#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/functional/any_invocable.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/issuance/redis_client.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {

// The keys of the shared store (--idempotency_store_key_file): one per
// line, "<key id> <64 hex digits>" (32 random bytes, e.g. `openssl rand
// -hex 32`). The first line's key encrypts new records and names them; the
// others still decrypt records sealed under them, so that a key can rotate.
struct StoreKeys {
  std::string current_id;
  absl::flat_hash_map<std::string, std::string> keys;  // id -> 32 bytes
};

// Parses a key file's text. Pure.
absl::StatusOr<StoreKeys> ParseStoreKeys(absl::string_view text);

// CreateAuthToken request_ids in a Redis (or Valkey) shared by every
// replica, the second level behind each replica's IdempotencyCache.
//
// A record's name is "vut:idem:" and the hex HMAC-SHA256, under the current
// key, of the caller, its credential and the request_id: the store learns
// none of them. Its value is "p:<fp>" while the first call runs (set with
// SET NX, expiring after the call's claim TTL so that a replica that dies
// frees it) and "d:<fp>:<key id>:<sealed>" once it succeeded, for
// --idempotency_window, where <fp> is an HMAC of the rest of the request
// and <sealed> the response (with its bearer token) encrypted with
// AES-256-GCM bound to the name. A failed first call deletes its claim.
//
// A call waiting for another replica's claim registers itself while it
// waits in the sorted set "vut:idem:w:<the same hex>": a random member
// scored with the Unix milliseconds at which it stops waiting, the set
// expiring no later than its longest waiter's end, the member removed when
// the wait ends. HandOver asks it whether a waiter is still live.
//
// Thread-safe. Callbacks run on the client's loop thread and must not
// block. `client` is borrowed and must outlive the store.
class SharedIdempotencyStore {
 public:
  enum class Claim {
    // This call holds the claim: it creates, then calls Finish.
    kFirst,
    // A first call succeeded: Begun::outcome is its outcome.
    kReplay,
    // The request_id was used with a different request.
    kMismatch,
    // Another call still holds the claim at `wait_until`.
    kInProgress,
  };
  struct Begun {
    Claim claim = Claim::kFirst;
    // kReplay: the first call's response.
    vercel::authentication::v1::CreateAuthTokenResponse response;
  };
  using OnBegun = absl::AnyInvocable<void(absl::StatusOr<Begun>) &&>;

  // What a store needs from the flags: the parsed --idempotency_store,
  // the keys of its key file and the password of its password file.
  struct Parts {
    RedisAddress address;
    StoreKeys keys;
    std::string password;
  };
  // Reads them; the error names the flag at fault.
  static absl::StatusOr<Parts> PartsFromFiles(absl::string_view url,
                                              const std::string& key_file,
                                              const std::string& password_file);

  SharedIdempotencyStore(RedisClient* client, StoreKeys keys,
                         absl::Duration window);

  // The id of the key that seals new records (for the start-up log line).
  const std::string& key_id() const { return keys_.current_id; }

  SharedIdempotencyStore(const SharedIdempotencyStore&) = delete;
  SharedIdempotencyStore& operator=(const SharedIdempotencyStore&) = delete;

  // The record name of `request_id` (normalised) of `caller` with
  // `credential`.
  std::string RecordName(absl::string_view caller, absl::string_view credential,
                         absl::string_view request_id) const;

  // Claims `name` for a request whose fingerprint (everything but the
  // request_id, e.g. IdempotencyCache::Fingerprint) is `fingerprint`, holding
  // the claim at most `claim_ttl`. While another call holds it, looks again
  // every 100 ms until `wait_until`. `done` gets the answer, or UNAVAILABLE /
  // DEADLINE_EXCEEDED when the store cannot be reached, never later than
  // `wait_until` plus one command's timeout. A later look still unanswered
  // at `wait_until` ends with kInProgress: the store answered the earlier.
  void Begin(std::string name, const std::string& fingerprint,
             absl::Duration claim_ttl, absl::Time wait_until, OnBegun done);

  // Records the outcome of the call that claimed `name`: kept for the
  // window when OK, the claim deleted otherwise. Returns at once.
  void Finish(
      const std::string& name, const std::string& fingerprint,
      const absl::Status& status,
      const vercel::authentication::v1::CreateAuthTokenResponse& response);

  // For the call that claimed `name` when its successful `response` arrives
  // after its own caller has gone: when a call on any replica is still
  // waiting for `name`, records the outcome as Finish does and, once the
  // store has it, `done` gets true (the token has a live holder: the waiter
  // replays it, and a waiter that leaves meanwhile leaves it in the record for
  // a later retry). Otherwise, or when the store cannot tell, `done` gets false
  // and the claim is left to Finish. Returns at once; `done` runs on the loop.
  void HandOver(
      const std::string& name, const std::string& fingerprint,
      const vercel::authentication::v1::CreateAuthTokenResponse& response,
      absl::AnyInvocable<void(bool handed) &&> done);

  // The name of the set of calls waiting for the record `name`.
  static std::string WaitersName(absl::string_view name);

 private:
  // `waiting`: an earlier look found the claim held by another call.
  // `waiter`: this call's member of the record's waiters once it waits,
  // empty before.
  void Attempt(std::string name, std::string value, absl::Duration claim_ttl,
               absl::Time wait_until, bool waiting, std::string waiter,
               OnBegun done);
  // Adds `waiter` to the waiters of `name` until `wait_until`.
  void Join(const std::string& name, const std::string& waiter,
            absl::Time wait_until);
  // What a record `value` found under `name` means for a request with
  // fingerprint hash `fp`.
  absl::StatusOr<Begun> Interpret(absl::string_view name, absl::string_view fp,
                                  absl::string_view value) const;
  std::string FingerprintHash(const std::string& fingerprint) const;
  // The value of a finished record: "d:<fp>:<key id>:<sealed>".
  absl::StatusOr<std::string> Done(
      const std::string& name, const std::string& fingerprint,
      const vercel::authentication::v1::CreateAuthTokenResponse& response)
      const;

  RedisClient* const client_;
  const StoreKeys keys_;
  const absl::Duration window_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_ISSUANCE_SHARED_IDEMPOTENCY_H_
