#include "server/issuance/shared_idempotency.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "openssl/rand.h"
#include "server/common/crypto.h"
#include "server/common/files.h"

namespace vercel_tokens {
namespace {

// How long one command may wait for its reply.
constexpr absl::Duration kCommandTimeout = absl::Seconds(1);
// How often a call waiting for another replica's claim looks again.
constexpr absl::Duration kPollInterval = absl::Milliseconds(100);

constexpr absl::string_view kRecordPrefix = "vut:idem:";

std::string LengthPrefixed(absl::string_view s) {
  return absl::StrCat(s.size(), ":", s);
}

// A random member for one waiting call, so that waiters on every replica
// are told apart; empty when there are no random bytes (the call then
// waits unregistered).
std::string NewWaiterId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return "";
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(bytes), sizeof(bytes)));
}

void Ignore(absl::StatusOr<RedisReply>) {}

}  // namespace

absl::StatusOr<StoreKeys> ParseStoreKeys(absl::string_view text) {
  StoreKeys keys;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (parts.size() != 2 || parts[0].find(':') != absl::string_view::npos ||
        parts[1].size() != 2 * kAes256KeyBytes ||
        !std::all_of(parts[1].begin(), parts[1].end(),
                     [](char c) { return absl::ascii_isxdigit(c); })) {
      return absl::InvalidArgumentError(
          "each line must be '<key id> <64 hex digits>'");
    }
    if (keys.current_id.empty()) keys.current_id = std::string(parts[0]);
    keys.keys[parts[0]] = absl::HexStringToBytes(parts[1]);
  }
  if (keys.current_id.empty()) return absl::InvalidArgumentError("no key");
  return keys;
}

absl::StatusOr<SharedIdempotencyStore::Parts>
SharedIdempotencyStore::PartsFromFiles(absl::string_view url,
                                       const std::string& key_file,
                                       const std::string& password_file) {
  Parts parts;
  absl::StatusOr<RedisAddress> address = ParseRedisUrl(url);
  if (!address.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--idempotency_store: ", address.status().message()));
  }
  parts.address = *std::move(address);
  absl::StatusOr<std::string> text = ReadFile(key_file);
  absl::StatusOr<StoreKeys> keys =
      text.ok() ? ParseStoreKeys(*text) : text.status();
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--idempotency_store_key_file: ", keys.status().message()));
  }
  parts.keys = *std::move(keys);
  if (!password_file.empty()) {
    absl::StatusOr<std::string> password = ReadFile(password_file);
    if (!password.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--idempotency_store_password_file: ", password.status().message()));
    }
    parts.password = std::string(absl::StripTrailingAsciiWhitespace(*password));
  }
  return parts;
}

SharedIdempotencyStore::SharedIdempotencyStore(RedisClient* client,
                                               StoreKeys keys,
                                               absl::Duration window)
    : client_(client), keys_(std::move(keys)), window_(window) {}

std::string SharedIdempotencyStore::RecordName(
    absl::string_view caller, absl::string_view credential,
    absl::string_view request_id) const {
  const std::string& key = keys_.keys.at(keys_.current_id);
  return absl::StrCat(
      kRecordPrefix,
      absl::BytesToHexString(HmacSha256(
          key, absl::StrCat(LengthPrefixed(caller), LengthPrefixed(credential),
                            request_id))));
}

std::string SharedIdempotencyStore::FingerprintHash(
    const std::string& fingerprint) const {
  return absl::BytesToHexString(HmacSha256(keys_.keys.at(keys_.current_id),
                                           absl::StrCat("fp:", fingerprint)));
}

void SharedIdempotencyStore::Begin(std::string name,
                                   const std::string& fingerprint,
                                   absl::Duration claim_ttl,
                                   absl::Time wait_until, OnBegun done) {
  Attempt(std::move(name), absl::StrCat("p:", FingerprintHash(fingerprint)),
          claim_ttl, wait_until, /*waiting=*/false, /*waiter=*/"",
          std::move(done));
}

std::string SharedIdempotencyStore::WaitersName(absl::string_view name) {
  absl::ConsumePrefix(&name, kRecordPrefix);
  return absl::StrCat(kRecordPrefix, "w:", name);
}

void SharedIdempotencyStore::Join(const std::string& name,
                                  const std::string& waiter,
                                  absl::Time wait_until) {
  const std::string waiters = WaitersName(name);
  const absl::Time now = absl::Now();
  const std::string ttl = absl::StrCat(
      std::max<int64_t>(1, absl::ToInt64Milliseconds(wait_until - now)));
  const absl::Time deadline = now + kCommandTimeout;
  client_->Send(
      {"ZADD", waiters, absl::StrCat(absl::ToUnixMillis(wait_until)), waiter},
      deadline, Ignore);
  // The set lives until its longest waiter's end: NX sets the expiry of a
  // new set, GT lengthens that of an existing one.
  client_->Send({"PEXPIRE", waiters, ttl, "NX"}, deadline, Ignore);
  client_->Send({"PEXPIRE", waiters, ttl, "GT"}, deadline, Ignore);
}

void SharedIdempotencyStore::Attempt(std::string name, std::string value,
                                     absl::Duration claim_ttl,
                                     absl::Time wait_until, bool waiting,
                                     std::string waiter, OnBegun done) {
  const absl::Time now = absl::Now();
  const absl::Time deadline =
      std::min(now + kCommandTimeout, std::max(wait_until, now));
  // A look of a call already waiting that the wait's end cuts short (not
  // the store's own timeout): the store has answered every look so far.
  const bool cut_by_the_wait = waiting && deadline >= wait_until;
  std::vector<std::string> args = {
      "SET",
      name,
      value,
      "NX",
      "GET",
      "PX",
      absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(claim_ttl)))};
  client_->Send(
      std::move(args), deadline,
      [this, name, value, claim_ttl, wait_until, cut_by_the_wait,
       waiter = std::move(waiter),
       done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
        // The wait ends with this answer: this call leaves the waiters.
        auto answer = [&](absl::StatusOr<Begun> begun) {
          if (!waiter.empty()) {
            client_->Send({"ZREM", WaitersName(name), waiter},
                          absl::Now() + kCommandTimeout, Ignore);
          }
          std::move(done)(std::move(begun));
        };
        if (!reply.ok()) {
          // Its answer did not come before the wait ended: the claim was
          // still held at the last look, so the call is told it still is
          // (REQUEST_IN_PROGRESS with a RetryInfo), not that the store
          // cannot be reached.
          if (cut_by_the_wait && absl::IsDeadlineExceeded(reply.status())) {
            answer(Begun{Claim::kInProgress, {}});
            return;
          }
          answer(reply.status());
          return;
        }
        if (reply->type == RedisReply::Type::kError) {
          answer(absl::UnavailableError(
              absl::StrCat("the idempotency store refused: ", reply->text)));
          return;
        }
        if (reply->type == RedisReply::Type::kNil) {
          answer(Begun{Claim::kFirst, {}});
          return;
        }
        absl::StatusOr<Begun> begun =
            Interpret(name, absl::string_view(value).substr(2), reply->text);
        if (!begun.ok() || begun->claim != Claim::kInProgress) {
          answer(std::move(begun));
          return;
        }
        const absl::Time next = absl::Now() + kPollInterval;
        if (next >= wait_until) {
          answer(std::move(begun));
          return;
        }
        if (waiter.empty()) {
          waiter = NewWaiterId();
          if (!waiter.empty()) Join(name, waiter, wait_until);
        }
        client_->After(
            next, [this, name = std::move(name), value = std::move(value),
                   claim_ttl, wait_until, waiter = std::move(waiter),
                   done = std::move(done)]() mutable {
              Attempt(std::move(name), std::move(value), claim_ttl, wait_until,
                      /*waiting=*/true, std::move(waiter), std::move(done));
            });
      });
}

absl::StatusOr<SharedIdempotencyStore::Begun> SharedIdempotencyStore::Interpret(
    absl::string_view name, absl::string_view fp,
    absl::string_view value) const {
  std::vector<absl::string_view> parts = absl::StrSplit(value, ':');
  if (parts.size() < 2 || parts[1] != fp) {
    if (parts.size() >= 2 && (parts[0] == "p" || parts[0] == "d")) {
      return Begun{Claim::kMismatch, {}};
    }
    return absl::DataLossError("the idempotency store holds a bad record");
  }
  if (parts[0] == "p") return Begun{Claim::kInProgress, {}};
  if (parts[0] != "d" || parts.size() != 4) {
    return absl::DataLossError("the idempotency store holds a bad record");
  }
  auto key = keys_.keys.find(parts[2]);
  if (key == keys_.keys.end()) {
    return absl::DataLossError(
        "a stored record was sealed with a key no longer configured");
  }
  std::string sealed;
  if (!absl::Base64Unescape(parts[3], &sealed)) {
    return absl::DataLossError("the idempotency store holds a bad record");
  }
  absl::StatusOr<std::string> plain = AesGcmOpen(key->second, sealed, name);
  if (!plain.ok()) return plain.status();
  Begun begun{Claim::kReplay, {}};
  if (!begun.response.ParseFromString(*plain)) {
    return absl::DataLossError("a stored response does not parse");
  }
  return begun;
}

absl::StatusOr<std::string> SharedIdempotencyStore::Done(
    const std::string& name, const std::string& fingerprint,
    const vercel::authentication::v1::CreateAuthTokenResponse& response) const {
  absl::StatusOr<std::string> sealed = AesGcmSeal(
      keys_.keys.at(keys_.current_id), response.SerializeAsString(), name);
  if (!sealed.ok()) return sealed.status();
  return absl::StrCat("d:", FingerprintHash(fingerprint), ":", keys_.current_id,
                      ":", absl::Base64Escape(*sealed));
}

void SharedIdempotencyStore::Finish(
    const std::string& name, const std::string& fingerprint,
    const absl::Status& status,
    const vercel::authentication::v1::CreateAuthTokenResponse& response) {
  const absl::Time deadline = absl::Now() + kCommandTimeout;
  absl::StatusOr<std::string> done =
      status.ok() ? Done(name, fingerprint, response) : status;
  if (!done.ok()) {
    client_->Send({"DEL", name}, deadline, Ignore);
    return;
  }
  client_->Send({"SET", name, *std::move(done), "PX",
                 absl::StrCat(absl::ToInt64Milliseconds(window_))},
                deadline, Ignore);
}

void SharedIdempotencyStore::HandOver(
    const std::string& name, const std::string& fingerprint,
    const vercel::authentication::v1::CreateAuthTokenResponse& response,
    absl::AnyInvocable<void(bool handed) &&> done) {
  const absl::Time now = absl::Now();
  // A waiter is live while its end (its score) is still to come.
  client_->Send(
      {"ZCOUNT", WaitersName(name), absl::StrCat("(", absl::ToUnixMillis(now)),
       "+inf"},
      now + kCommandTimeout,
      [this, name, record = Done(name, fingerprint, response),
       done = std::move(done)](absl::StatusOr<RedisReply> reply) mutable {
        if (!record.ok() || !reply.ok() ||
            reply->type != RedisReply::Type::kInteger || reply->integer <= 0) {
          std::move(done)(false);
          return;
        }
        // Handed over only once the record holds the outcome.
        client_->Send(
            {"SET", name, *std::move(record), "PX",
             absl::StrCat(absl::ToInt64Milliseconds(window_))},
            absl::Now() + kCommandTimeout,
            [done = std::move(done)](absl::StatusOr<RedisReply> set) mutable {
              std::move(done)(set.ok() &&
                              set->type == RedisReply::Type::kStatus);
            });
      });
}

}  // namespace vercel_tokens
