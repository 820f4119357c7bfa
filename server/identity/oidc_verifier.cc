#include "server/identity/oidc_verifier.h"

#include <algorithm>
#include <atomic>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/service_error.h"
#include "server/identity/jwt.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kSource = "oidc";
// The Accept of discovery and key-set requests: JSON, or a JWK Set's own
// JSON media type.
constexpr char kOidcAccept[] = "application/json, application/jwk-set+json";

absl::Status Unavailable(absl::string_view issuer, absl::string_view why) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnavailable;
  spec.message = absl::StrCat("the keys of OIDC issuer ", issuer,
                              " are not available: ", why);
  spec.reason = std::string(kIdentityUnavailable);
  spec.metadata = {{"source", std::string(kSource)},
                   {"issuer", std::string(issuer)}};
  spec.retry_delay = absl::Seconds(5);
  return MakeError(spec);
}

absl::Status Invalid(absl::string_view why) {
  return WorkloadTokenError(kWorkloadTokenInvalid, kSource, why);
}

std::string StringClaim(const google::protobuf::Struct& s,
                        absl::string_view name) {
  auto it = s.fields().find(std::string(name));
  if (it == s.fields().end() ||
      it->second.kind_case() != google::protobuf::Value::kStringValue) {
    return "";
  }
  return it->second.string_value();
}

// Checks `jwt` against `keys` of `issuer_url` (null: none cached, and
// `last_error` says why); sets `*needs_fetch` when no key has its kid (or no
// set is cached). Pure.
absl::StatusOr<FederatedCaller> CheckKeys(const std::string& issuer_url,
                                          const std::vector<Jwk>* keys,
                                          const absl::Status& last_error,
                                          const Jwt& jwt, bool* needs_fetch) {
  *needs_fetch = false;
  if (keys == nullptr) {
    *needs_fetch = true;
    return Unavailable(issuer_url, last_error.ok()
                                       ? "not fetched yet"
                                       : std::string(last_error.message()));
  }
  absl::Status last = Invalid("no key of the issuer has the token's kid");
  bool found = false;
  for (const Jwk& key : *keys) {
    if (!jwt.kid.empty() && key.kid != jwt.kid) continue;
    found = true;
    last = VerifyJwtSignature(jwt, key, kSource);
    if (last.ok()) break;
  }
  if (!found) {
    *needs_fetch = true;
    return last;
  }
  if (!last.ok()) return last;
  FederatedCaller caller;
  caller.issuer = issuer_url;
  caller.subject = StringClaim(jwt.claims, "sub");
  caller.identity = absl::StrCat(caller.issuer, "#", caller.subject);
  caller.jti = StringClaim(jwt.claims, "jti");
  caller.claims = ScalarClaims(jwt.claims);
  return caller;
}

}  // namespace

struct OidcVerifier::Waiter {
  Jwt jwt;
  Done done;
};

struct OidcVerifier::Issuer {
  policy::TrustedIssuer config;
  ClaimExpectations expected;
  // The key set (null when none), and when it was last fetched
  // successfully. Immutable once set: tokens are checked against a snapshot
  // outside the lock.
  std::shared_ptr<const std::vector<Jwk>> keys;
  std::optional<absl::Time> fetched_at;
  // Why the last fetch failed; OK after a success.
  absl::Status last_error;
  // Whether an immediate fetch runs, and when the last one a token with an
  // unknown kid started (what min_refetch_interval bounds).
  bool fetching = false;
  absl::Time last_fetch_start = absl::InfinitePast();
  // The fetch whose outcome counts: each fetch (immediate or scheduled)
  // takes the next number, and a superseded one's transfers are ignored.
  uint64_t generation = 0;
  // The scheduled refresh's first transfer, cancelled when an immediate fetch
  // supersedes it; 0 when none is waiting.
  uint64_t scheduled_transfer = 0;
  UpstreamTransport* scheduled_transport = nullptr;
  std::vector<Waiter> waiters;
  // Transfers that ended, cancelled ones aside; counted on transport
  // threads.
  std::atomic<int64_t> fetches{0};
};

absl::StatusOr<std::unique_ptr<OidcVerifier>> OidcVerifier::Create(
    Options options, TransportFactory transport_factory, const Clock* clock) {
  std::unique_ptr<OidcVerifier> verifier(new OidcVerifier(
      std::move(options), std::move(transport_factory), clock));
  absl::MutexLock lock(&verifier->mu_);
  for (const policy::TrustedIssuer& config : verifier->options_.issuers) {
    // The first URL each fetch reads; its transport is made now, so that a
    // bad --oidc_ca_file fails the start.
    const std::string& first =
        config.jwks_uri().empty() ? config.issuer() : config.jwks_uri();
    absl::StatusOr<OriginAndPath> split = SplitUrl(first);
    if (!split.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("OIDC issuer ", config.issuer(), ": ", first, " ",
                       split.status().message()));
    }
    if (auto t = verifier->TransportFor(split->origin); !t.ok()) {
      return t.status();
    }
    auto issuer = std::make_unique<Issuer>();
    issuer->config = config;
    issuer->expected.issuer = config.issuer();
    issuer->expected.audiences.assign(config.audiences().begin(),
                                      config.audiences().end());
    issuer->expected.clock_skew = verifier->options_.clock_skew;
    verifier->issuers_.emplace(config.issuer(), std::move(issuer));
  }
  return verifier;
}

OidcVerifier::OidcVerifier(Options options, TransportFactory transport_factory,
                           const Clock* clock)
    : options_(std::move(options)),
      transport_factory_(std::move(transport_factory)),
      clock_(clock) {}

OidcVerifier::~OidcVerifier() {
  absl::flat_hash_map<std::string, std::unique_ptr<UpstreamTransport>>
      transports;
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
    transports.swap(transports_);
  }
  // Shutting a transport down fails its transfers, whose callbacks answer
  // the waiters; they lock mu_, so it is not held here.
  transports.clear();
  absl::MutexLock lock(&mu_);
  for (auto& [url, issuer] : issuers_) {
    for (Waiter& waiter : issuer->waiters) {
      std::move(waiter.done)(Unavailable(url, "the server is stopping"));
    }
    issuer->waiters.clear();
  }
}

void OidcVerifier::Start() {
  absl::MutexLock lock(&mu_);
  for (auto& [url, issuer] : issuers_) {
    if (absl::Status s = StartFetch(*issuer, clock_->Now()); !s.ok()) {
      issuer->fetching = false;
      issuer->last_error = s;
    }
  }
}

bool OidcVerifier::Trusts(absl::string_view iss) const {
  return issuers_.contains(iss);
}

int64_t OidcVerifier::Fetches(absl::string_view issuer) const {
  auto it = issuers_.find(issuer);
  return it == issuers_.end() ? 0 : it->second->fetches.load();
}

absl::StatusOr<UpstreamTransport*> OidcVerifier::TransportFor(
    const BaseUrl& origin) {
  if (stopping_) return absl::UnavailableError("stopping");
  auto it = transports_.find(origin.origin);
  if (it != transports_.end()) return it->second.get();
  absl::StatusOr<std::unique_ptr<UpstreamTransport>> made =
      transport_factory_(origin);
  if (!made.ok()) return made.status();
  UpstreamTransport* transport = made->get();
  transports_.emplace(origin.origin, *std::move(made));
  return transport;
}

void OidcVerifier::Verify(absl::string_view token, Done done) {
  absl::StatusOr<Jwt> jwt = ParseJwt(token);
  if (!jwt.ok()) return std::move(done)(jwt.status());
  const std::string iss = StringClaim(jwt->claims, "iss");
  auto found = issuers_.find(iss);
  if (found == issuers_.end()) {
    return std::move(done)(Invalid("the token's issuer is not trusted"));
  }
  Issuer& issuer = *found->second;
  if (!IsAcceptedJwsAlgorithm(jwt->alg)) {
    return std::move(done)(Invalid(
        absl::StrCat("alg '", jwt->alg.substr(0, 16), "' is not accepted")));
  }
  if (absl::Status s =
          CheckClaims(*jwt, issuer.expected, clock_->Now(), kSource);
      !s.ok()) {
    return std::move(done)(s);
  }
  std::shared_ptr<const std::vector<Jwk>> keys;
  absl::Status last_error;
  {
    absl::MutexLock lock(&mu_);
    if (issuer.fetched_at.has_value() &&
        *issuer.fetched_at + options_.max_stale < clock_->Now()) {
      issuer.keys.reset();
      issuer.fetched_at.reset();
    }
    keys = issuer.keys;
    last_error = issuer.last_error;
  }
  // The signature is checked outside the lock, against the snapshot.
  bool needs_fetch = false;
  absl::StatusOr<FederatedCaller> outcome = CheckKeys(
      issuer.config.issuer(), keys.get(), last_error, *jwt, &needs_fetch);
  if (needs_fetch) {
    absl::MutexLock lock(&mu_);
    const absl::Time now = clock_->Now();
    if (issuer.keys != keys) {
      // A fetch ended meanwhile (rare): check against its set.
      outcome = CheckKeys(issuer.config.issuer(), issuer.keys.get(),
                          issuer.last_error, *jwt, &needs_fetch);
    }
    const bool may_fetch =
        needs_fetch &&
        (issuer.fetching ||
         issuer.last_fetch_start + options_.min_refetch_interval <= now);
    if (may_fetch) {
      if (issuer.waiters.size() >= options_.max_waiting) {
        outcome = Unavailable(iss, "too many tokens wait for its keys");
      } else {
        const bool was_fetching = issuer.fetching;
        absl::Status started = absl::OkStatus();
        if (!was_fetching) started = StartFetch(issuer, now);
        if (started.ok()) {
          if (!was_fetching) issuer.last_fetch_start = now;
          issuer.waiters.push_back(Waiter{*std::move(jwt), std::move(done)});
          return;
        }
        issuer.fetching = false;
        issuer.last_error = started;
        outcome = Unavailable(iss, started.message());
      }
    }
  }
  std::move(done)(std::move(outcome));
}

absl::Status OidcVerifier::StartFetch(Issuer& issuer, absl::Time not_before) {
  const bool immediate = not_before <= clock_->Now();
  const uint64_t generation = ++issuer.generation;
  if (issuer.scheduled_transfer != 0) {
    issuer.scheduled_transport->Cancel(issuer.scheduled_transfer);
    issuer.scheduled_transfer = 0;
  }
  if (immediate) issuer.fetching = true;
  const bool discover = issuer.config.jwks_uri().empty();
  const std::string url =
      discover ? absl::StrCat(issuer.config.issuer(),
                              "/.well-known/openid-configuration")
               : issuer.config.jwks_uri();
  return Get(
      issuer, url, not_before,
      [this, &issuer, generation, discover](absl::StatusOr<std::string> body) {
        if (discover) {
          OnDiscovery(issuer, generation, std::move(body));
        } else {
          FinishFetch(issuer, generation,
                      body.ok()
                          ? ParseJwks(*body)
                          : absl::StatusOr<std::vector<Jwk>>(body.status()));
        }
      });
}

absl::Status OidcVerifier::Get(
    Issuer& issuer, const std::string& url, absl::Time not_before,
    absl::AnyInvocable<void(absl::StatusOr<std::string>) &&> then) {
  absl::StatusOr<OriginAndPath> split = SplitUrl(url);
  if (!split.ok()) return split.status();
  absl::StatusOr<UpstreamTransport*> transport = TransportFor(split->origin);
  if (!transport.ok()) return transport.status();
  UpstreamRequest request;
  request.method = HttpMethod::kGet;
  request.endpoint = "GET oidc key set";
  request.target = split->path.empty() ? "/" : split->path;
  // A key set may be served only as its own media type: kube-apiserver
  // answers 406 to a key-set request accepting application/json alone.
  request.accept = kOidcAccept;
  request.idempotent = true;
  if (auto it = options_.bearer_tokens.find(issuer.config.issuer());
      it != options_.bearer_tokens.end()) {
    request.bearer_token = it->second();
  }
  const absl::Time start = std::max(not_before, clock_->Now());
  absl::StatusOr<uint64_t> id =
      (*transport)
          ->Submit(
              std::move(request), start + options_.fetch_timeout,
              [then = std::move(then), &fetches = issuer.fetches](
                  absl::StatusOr<UpstreamResponse> response) mutable {
                if (!absl::IsCancelled(response.status())) ++fetches;
                if (!response.ok()) return std::move(then)(response.status());
                if (response->http_status != 200) {
                  return std::move(then)(absl::UnavailableError(
                      absl::StrCat("HTTP ", response->http_status)));
                }
                std::move(then)(std::move(response->body));
              },
              not_before);
  if (!id.ok()) return id.status();
  if (not_before > clock_->Now()) {
    issuer.scheduled_transfer = *id;
    issuer.scheduled_transport = *transport;
  }
  return absl::OkStatus();
}

void OidcVerifier::OnDiscovery(Issuer& issuer, uint64_t generation,
                               absl::StatusOr<std::string> body) {
  if (!body.ok()) return FinishFetch(issuer, generation, body.status());
  google::protobuf::Struct doc;
  if (!google::protobuf::util::JsonStringToMessage(*body, &doc).ok()) {
    return FinishFetch(
        issuer, generation,
        absl::UnavailableError("its discovery document is not JSON"));
  }
  if (StringClaim(doc, "issuer") != issuer.config.issuer()) {
    return FinishFetch(
        issuer, generation,
        absl::UnavailableError("its discovery document names another issuer"));
  }
  const std::string jwks_uri = StringClaim(doc, "jwks_uri");
  absl::StatusOr<OriginAndPath> split = SplitUrl(jwks_uri);
  if (!split.ok() || (!split->origin.is_https &&
                      absl::StartsWith(issuer.config.issuer(), "https://"))) {
    return FinishFetch(
        issuer, generation,
        absl::UnavailableError("its discovery document has no valid jwks_uri"));
  }
  absl::Status submitted;
  {
    absl::MutexLock lock(&mu_);
    if (generation != issuer.generation) return;
    issuer.scheduled_transfer = 0;
    submitted =
        Get(issuer, jwks_uri, absl::InfinitePast(),
            [this, &issuer, generation](absl::StatusOr<std::string> jwks) {
              FinishFetch(
                  issuer, generation,
                  jwks.ok() ? ParseJwks(*jwks)
                            : absl::StatusOr<std::vector<Jwk>>(jwks.status()));
            });
  }
  if (!submitted.ok()) FinishFetch(issuer, generation, submitted);
}

void OidcVerifier::FinishFetch(Issuer& issuer, uint64_t generation,
                               absl::StatusOr<std::vector<Jwk>> keys) {
  std::vector<Waiter> waiters;
  std::shared_ptr<const std::vector<Jwk>> snapshot;
  absl::Status last_error;
  {
    absl::MutexLock lock(&mu_);
    if (generation != issuer.generation) return;
    const absl::Time now = clock_->Now();
    issuer.fetching = false;
    issuer.scheduled_transfer = 0;
    if (keys.ok()) {
      issuer.keys = std::make_shared<const std::vector<Jwk>>(*std::move(keys));
      issuer.fetched_at = now;
      issuer.last_error = absl::OkStatus();
    } else {
      issuer.last_error = keys.status();
      if (issuer.fetched_at.has_value() &&
          *issuer.fetched_at + options_.max_stale < now) {
        issuer.keys.reset();
        issuer.fetched_at.reset();
      }
    }
    waiters.swap(issuer.waiters);
    snapshot = issuer.keys;
    last_error = issuer.last_error;
    if (!stopping_) {
      const absl::Duration wait = issuer.last_error.ok()
                                      ? options_.refresh_interval
                                      : options_.min_refetch_interval;
      if (absl::Status s = StartFetch(issuer, now + wait); !s.ok()) {
        issuer.last_error = s;
      }
    }
  }
  for (Waiter& waiter : waiters) {
    bool unused = false;
    std::move(waiter.done)(CheckKeys(issuer.config.issuer(), snapshot.get(),
                                     last_error, waiter.jwt, &unused));
  }
}

}  // namespace vercel_tokens
