#include "server/identity/workload_token_source.h"

#include <openssl/sha.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "server/identity/identity_errors.h"

namespace vercel_tokens {
namespace {

// The claims a verifier's tokens must carry before it is asked: its
// audience, no leeway past `exp` (the verifier refuses an expired token
// itself, which would otherwise read as invalid rather than expired), and
// `sub` left to the verifier.
ClaimExpectations TokenReviewExpectations(
    const WorkloadTokenVerifier* verifier) {
  ClaimExpectations expected;
  expected.audiences = {std::string(verifier->audience())};
  expected.require_subject = false;
  expected.expiry_skew = absl::ZeroDuration();
  expected.audience_hint = " (set it as the projected volume's audience)";
  return expected;
}

// What a caller refused for the cap is told to wait.
constexpr absl::Duration kOverCapacityRetry = absl::Seconds(1);

}  // namespace

std::string WorkloadTokenKey(absl::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(),
         digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

WorkloadTokenSource::WorkloadTokenSource(
    std::vector<std::unique_ptr<WorkloadTokenVerifier>> verifiers,
    Options options)
    : verifiers_(std::move(verifiers)), options_(options) {}

bool WorkloadTokenSource::Presented(const CallCredentials& call) const {
  return !call.workload_tokens.empty();
}

void WorkloadTokenSource::Count(absl::string_view how) {
  if (options_.metrics != nullptr) options_.metrics->WorkloadTokenDecided(how);
}

void WorkloadTokenSource::Identify(const CallCredentials& call, Done done) {
  if (call.workload_tokens.size() != 1) {
    Count("refused_locally");
    std::move(done)(UnauthenticatedIdentity(
        kWorkloadTokenInvalid, "send one x-workload-token, not several"));
    return;
  }
  const std::string& token = call.workload_tokens.front();
  if (token.size() > kMaxWorkloadTokenBytes) {
    Count("refused_locally");
    std::move(done)(ParseJwt(token).status());
    return;
  }
  const absl::Time now = options_.clock->Now();
  std::string key = WorkloadTokenKey(token);
  std::optional<Caller> cached;
  {
    absl::MutexLock lock(&mu_);
    cached = CachedCaller(key, now);
  }
  if (cached.has_value()) {
    Count("cached");
    std::move(done)(*std::move(cached));
    return;
  }
  absl::StatusOr<Jwt> jwt = ParseJwt(token);
  WorkloadTokenVerifier* verifier = nullptr;
  absl::Status refused = jwt.status();
  if (jwt.ok()) {
    for (const auto& candidate : verifiers_) {
      if (candidate->Accepts(*jwt)) {
        verifier = candidate.get();
        break;
      }
    }
    refused = verifier == nullptr
                  ? UnauthenticatedIdentity(
                        kWorkloadTokenInvalid,
                        "no verifier is configured for the workload "
                        "token's issuer")
                  : CheckClaims(*jwt, TokenReviewExpectations(verifier), now,
                                "kubernetes");
  }
  if (!refused.ok()) {
    Count("refused_locally");
    std::move(done)(refused);
    return;
  }
  enum class Join { kFirst, kShared, kCached, kOverCapacity };
  Join join = Join::kFirst;
  {
    absl::MutexLock lock(&mu_);
    // Looked up again: a verification of this token may have ended since
    // the first look, leaving its answer here and nothing in flight.
    if (cached = CachedCaller(key, now); cached.has_value()) {
      join = Join::kCached;
    } else if (auto it = in_flight_.find(key); it != in_flight_.end()) {
      it->second.push_back(std::move(done));
      join = Join::kShared;
    } else if (in_flight_.size() >=
               static_cast<size_t>(options_.max_in_flight)) {
      join = Join::kOverCapacity;
    } else {
      in_flight_[key].push_back(std::move(done));
    }
  }
  if (join == Join::kCached) {
    Count("cached");
    std::move(done)(*std::move(cached));
    return;
  }
  if (join == Join::kShared) {
    Count("shared");
    return;
  }
  if (join == Join::kOverCapacity) {
    Count("over_capacity");
    std::move(done)(IdentityUnavailable(
        "too many workload tokens are being verified; retry",
        kOverCapacityRetry));
    return;
  }
  Count("verified");
  const absl::Time exp = *jwt->exp;
  verifier->Verify(
      token, *jwt,
      [this, key = std::move(key), exp](absl::StatusOr<Caller> result) mutable {
        Verified(key, exp, std::move(result));
      });
}

std::optional<Caller> WorkloadTokenSource::CachedCaller(const std::string& key,
                                                        absl::Time now) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return std::nullopt;
  if (it->second.expires > now) return it->second.caller;
  cache_.erase(it);
  return std::nullopt;
}

void WorkloadTokenSource::Verified(const std::string& key, absl::Time exp,
                                   absl::StatusOr<Caller> result) {
  std::vector<Done> waiters;
  {
    absl::MutexLock lock(&mu_);
    if (auto it = in_flight_.find(key); it != in_flight_.end()) {
      waiters = std::move(it->second);
      in_flight_.erase(it);
    }
    const absl::Time now = options_.clock->Now();
    const absl::Time expires = std::min(now + options_.max_cache_age, exp);
    if (result.ok() && expires > now && options_.max_cache_entries > 0) {
      if (cache_.size() >= options_.max_cache_entries) {
        absl::erase_if(cache_, [now](const auto& entry) {
          return entry.second.expires <= now;
        });
      }
      if (cache_.size() < options_.max_cache_entries) {
        cache_[key] = Cached{*result, expires};
      }
    }
  }
  for (Done& waiter : waiters) std::move(waiter)(result);
}

}  // namespace vercel_tokens
