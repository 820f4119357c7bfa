#include "server/rpc/idempotency.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "server/common/service_error.h"

namespace vercel_tokens {

namespace v1 = ::vercel::authentication::v1;

IdempotencyCache::IdempotencyCache(absl::Duration window, size_t max_entries)
    : window_(window), max_entries_(max_entries) {}

std::string IdempotencyCache::Key(absl::string_view caller,
                                  absl::string_view bearer_token,
                                  absl::string_view request_id) {
  return absl::StrCat(caller.size(), ":", caller, bearer_token.size(), ":",
                      bearer_token, request_id);
}

std::string IdempotencyCache::Fingerprint(
    const v1::CreateAuthTokenRequest& request) {
  v1::CreateAuthTokenRequest rest = request;
  rest.clear_request_id();
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    rest.SerializeToCodedStream(&coded);
  }
  return out;
}

bool IdempotencyCache::MakeRoom(absl::Time now) {
  if (entries_.size() < max_entries_) return true;
  absl::erase_if(entries_, [now](const auto& entry) {
    return entry.second.done && entry.second.expires <= now;
  });
  while (entries_.size() >= max_entries_) {
    auto oldest = entries_.end();
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->second.done && (oldest == entries_.end() ||
                              it->second.expires < oldest->second.expires)) {
        oldest = it;
      }
    }
    if (oldest == entries_.end()) return false;
    entries_.erase(oldest);
  }
  return true;
}

IdempotencyCache::Start IdempotencyCache::Begin(const std::string& key,
                                                const std::string& fingerprint,
                                                absl::Time now, Waiter waiter,
                                                CreateOutcome* replay,
                                                Liveness live) {
  absl::MutexLock lock(&mu_);
  auto it = entries_.find(key);
  if (it != entries_.end() && it->second.done && it->second.expires <= now) {
    entries_.erase(it);
    it = entries_.end();
  }
  if (it == entries_.end()) {
    if (!MakeRoom(now)) return Start::kUnremembered;
    entries_[key].fingerprint = fingerprint;
    return Start::kFirst;
  }
  Entry& entry = it->second;
  if (entry.fingerprint != fingerprint) return Start::kMismatch;
  if (entry.done) {
    *replay = entry.outcome;
    return Start::kReplay;
  }
  entry.waiters.push_back(std::move(waiter));
  entry.liveness.push_back(std::move(live));
  return Start::kWaiting;
}

void IdempotencyCache::Finish(const std::string& key,
                              const CreateOutcome& outcome, absl::Time now) {
  std::vector<Waiter> waiters;
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.done) return;
    waiters = std::move(it->second.waiters);
    if (outcome.status.ok()) {
      it->second.done = true;
      it->second.expires = now + window_;
      it->second.outcome = outcome;
      it->second.waiters.clear();
      it->second.liveness.clear();
    } else {
      entries_.erase(it);
    }
  }
  for (Waiter& waiter : waiters) std::move(waiter)(outcome);
}

bool IdempotencyCache::Adopt(const std::string& key,
                             const CreateOutcome& outcome, absl::Time now) {
  {
    absl::MutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.done) return false;
    const auto& liveness = it->second.liveness;
    if (std::none_of(liveness.begin(), liveness.end(),
                     [](const Liveness& live) { return !live || live(); })) {
      return false;
    }
  }
  Finish(key, outcome, now);
  return true;
}

std::shared_ptr<Replay> Replay::Attach(
    CallReactor& reactor, v1::CreateAuthTokenResponse* response,
    absl::AnyInvocable<void(const absl::Status&) &&> on_finish) {
  auto replay =
      std::make_shared<Replay>(reactor, response, std::move(on_finish));
  Replay* attached = replay.get();
  reactor.Attach(replay, [attached] {
    attached->FinishOnce(absl::CancelledError("the call was cancelled"),
                         nullptr);
  });
  return replay;
}

Replay::Replay(CallReactor& reactor, v1::CreateAuthTokenResponse* response,
               absl::AnyInvocable<void(const absl::Status&) &&> on_finish)
    : reactor_(reactor),
      response_(response),
      on_finish_(std::move(on_finish)),
      state_(std::make_shared<State>()) {
  absl::MutexLock lock(&state_->mu);
  state_->replay = this;
}

void Replay::Deliver(const CreateOutcome& outcome) {
  FinishOnce(outcome.status, &outcome.response);
}

IdempotencyCache::Waiter Replay::AsWaiter() {
  return [state = state_](const CreateOutcome& outcome) {
    if (Replay* replay = Claim(*state)) {
      replay->Complete(outcome.status, &outcome.response);
    }
  };
}

bool Replay::Disarm() { return Claim(*state_) == this; }

IdempotencyCache::Liveness Replay::AsLiveness() {
  return [state = state_] {
    absl::MutexLock lock(&state->mu);
    return state->replay != nullptr;
  };
}

Replay* Replay::Claim(State& state) {
  absl::MutexLock lock(&state.mu);
  Replay* replay = state.replay;
  state.replay = nullptr;
  return replay;
}

void Replay::FinishOnce(const absl::Status& status,
                        const v1::CreateAuthTokenResponse* response) {
  if (Claim(*state_) == this) Complete(status, response);
}

void Replay::Complete(const absl::Status& status,
                      const v1::CreateAuthTokenResponse* response) {
  if (status.ok() && response != nullptr) *response_ = *response;
  std::move(on_finish_)(status);
  reactor_.Complete({status, {}});
}

}  // namespace vercel_tokens
