#include "server/identity/oidc_verifier.h"

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/common/service_error.h"
#include "server/identity/oidc_source.h"
#include "server/identity/test_keys.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using testing::TestKey;

constexpr char kIssuer[] = "https://issuer.example/tenant";
constexpr char kDiscoveryTarget[] = "/tenant/.well-known/openid-configuration";

// A transport that records what is submitted and completes transfers only
// when the test says so.
class FakeTransport final : public UpstreamTransport {
 public:
  struct Sent {
    uint64_t id;
    UpstreamRequest request;
    absl::Time not_before;
    Callback done;
  };
  absl::StatusOr<uint64_t> Submit(UpstreamRequest request, absl::Time,
                                  Callback done,
                                  absl::Time not_before) override {
    sent.push_back({next_id, std::move(request), not_before, std::move(done)});
    return next_id++;
  }
  // The real transport answers CANCELLED later, on its own thread; the
  // verifier ignores a superseded transfer's answer, so dropping it is the
  // same to it.
  void Cancel(uint64_t id) override {
    for (auto it = sent.begin(); it != sent.end(); ++it) {
      if (it->id == id) {
        sent.erase(it);
        return;
      }
    }
  }
  // The first transfer due by `now` (not_before passed), or nullopt.
  std::optional<Sent> TakeDue(absl::Time now) {
    for (auto it = sent.begin(); it != sent.end(); ++it) {
      if (it->not_before <= now) {
        Sent s = std::move(*it);
        sent.erase(it);
        return s;
      }
    }
    return std::nullopt;
  }
  std::deque<Sent> sent;
  uint64_t next_id = 1;
};

class FakeClock final : public Clock {
 public:
  absl::Time Now() const override { return now; }
  absl::Time now = absl::FromUnixSeconds(1700000000);
};

UpstreamResponse Ok(std::string body) {
  UpstreamResponse r;
  r.http_status = 200;
  r.body = std::move(body);
  return r;
}

std::string ReasonOf(const absl::Status& status) {
  google::rpc::Status details;
  if (!details.ParseFromString(ToGrpcStatus(status).error_details())) return "";
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

class OidcVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { MakeVerifier(""); }

  void MakeVerifier(const std::string& jwks_uri,
                    const std::string& bearer = "") {
    verifier_.reset();
    origins_.clear();
    OidcVerifier::Options options;
    policy::TrustedIssuer issuer;
    issuer.set_issuer(kIssuer);
    issuer.add_audiences("vercel-tokens");
    issuer.set_jwks_uri(jwks_uri);
    options.issuers.push_back(issuer);
    options.min_refetch_interval = absl::Seconds(30);
    options.refresh_interval = absl::Minutes(15);
    options.max_stale = absl::Hours(1);
    if (!bearer.empty()) {
      options.bearer_tokens[kIssuer] = [bearer] { return bearer; };
    }
    auto made = OidcVerifier::Create(
        options,
        [this](const BaseUrl& origin)
            -> absl::StatusOr<std::unique_ptr<UpstreamTransport>> {
          origins_.push_back(origin.origin);
          auto transport = std::make_unique<FakeTransport>();
          transport_ = transport.get();
          return transport;
        },
        &clock_);
    ASSERT_TRUE(made.ok()) << made.status();
    verifier_ = *std::move(made);
  }

  std::string Claims(absl::string_view iss = kIssuer) {
    return absl::StrCat(R"({"iss":")", iss,
                        R"(","sub":"repo:acme/web:environment:production",)",
                        R"("aud":"vercel-tokens","jti":"j-1","exp":)",
                        absl::ToUnixSeconds(clock_.now) + 300,
                        R"(,"repository":"acme/web"})");
  }

  // Answers the due discovery request and then the JWKS request.
  void ServeKeys(const std::string& jwks,
                 const std::string& issuer_in_doc = kIssuer) {
    auto discovery = transport_->TakeDue(clock_.now);
    ASSERT_TRUE(discovery.has_value());
    EXPECT_EQ(discovery->request.target, kDiscoveryTarget);
    std::move(discovery->done)(Ok(
        absl::StrCat(R"({"issuer":")", issuer_in_doc,
                     R"(","jwks_uri":"https://issuer.example/tenant/jwks"})")));
    if (issuer_in_doc != kIssuer) return;
    auto keys = transport_->TakeDue(clock_.now);
    ASSERT_TRUE(keys.has_value());
    // kube-apiserver refuses (406) a key-set request that accepts only
    // application/json.
    EXPECT_EQ(keys->request.accept,
              "application/json, application/jwk-set+json");
    EXPECT_EQ(keys->request.target, "/tenant/jwks");
    std::move(keys->done)(Ok(jwks));
  }

  void FailDue() {
    auto due = transport_->TakeDue(clock_.now);
    ASSERT_TRUE(due.has_value());
    std::move(due->done)(absl::UnavailableError("connection refused"));
  }

  // Verifies `token`; nullopt while it waits for a fetch.
  std::optional<absl::StatusOr<FederatedCaller>>* Verify(
      const std::string& token) {
    results_.push_back(
        std::make_unique<std::optional<absl::StatusOr<FederatedCaller>>>());
    auto* slot = results_.back().get();
    verifier_->Verify(token, [slot](absl::StatusOr<FederatedCaller> r) {
      *slot = std::move(r);
    });
    return slot;
  }

  FakeClock clock_;
  FakeTransport* transport_ = nullptr;
  std::vector<std::string> origins_;
  std::unique_ptr<OidcVerifier> verifier_;
  std::vector<std::unique_ptr<std::optional<absl::StatusOr<FederatedCaller>>>>
      results_;
};

TEST_F(OidcVerifierTest, VerifiesWithKeysFromDiscovery) {
  const TestKey key("RSA", "k1");
  verifier_->Start();
  ServeKeys(testing::Jwks({key.PublicJwk()}));
  auto* result = Verify(key.Sign("RS256", Claims()));
  ASSERT_TRUE(result->has_value());
  ASSERT_TRUE((*result)->ok()) << (*result)->status();
  const FederatedCaller& caller = result->value().value();
  EXPECT_EQ(
      caller.identity,
      "https://issuer.example/tenant#repo:acme/web:environment:production");
  EXPECT_EQ(caller.subject, "repo:acme/web:environment:production");
  EXPECT_EQ(caller.jti, "j-1");
  EXPECT_EQ(caller.claims.at("repository"), "acme/web");
  EXPECT_EQ(origins_, std::vector<std::string>{"https://issuer.example"});
}

TEST_F(OidcVerifierTest, AFirstTokenWaitsForTheFirstFetch) {
  const TestKey key("P-256", "k1");
  auto* result = Verify(key.Sign("ES256", Claims()));
  EXPECT_FALSE(result->has_value());
  ServeKeys(testing::Jwks({key.PublicJwk()}));
  ASSERT_TRUE(result->has_value());
  EXPECT_TRUE((*result)->ok()) << (*result)->status();
}

TEST_F(OidcVerifierTest, RefusesAnUntrustedIssuerWithoutFetchingAnything) {
  const TestKey key("RSA", "k1");
  auto* result = Verify(key.Sign("RS256", Claims("https://evil.example")));
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ(ReasonOf((*result)->status()), kWorkloadTokenInvalid);
  EXPECT_THAT((*result)->status().message(), HasSubstr("not trusted"));
  EXPECT_TRUE(transport_->sent.empty());
  EXPECT_EQ(verifier_->Fetches(kIssuer), 0);
}

TEST_F(OidcVerifierTest, RefusesAlgNoneAndHmacWithoutFetching) {
  const TestKey key("RSA", "k1");
  for (const std::string& token :
       {testing::RawJwt(R"({"alg":"none","kid":"k1"})", Claims(), ""),
        testing::Hs256Jwt("k1", Claims(), key.PublicPem())}) {
    auto* result = Verify(token);
    ASSERT_TRUE(result->has_value());
    EXPECT_EQ(ReasonOf((*result)->status()), kWorkloadTokenInvalid);
  }
  EXPECT_EQ(verifier_->Fetches(kIssuer), 0);
}

TEST_F(OidcVerifierTest, UnknownKidRefetchesOnceThenTheRotatedKeyWorks) {
  const TestKey old_key("RSA", "old");
  const TestKey new_key("RSA", "new");
  verifier_->Start();
  ServeKeys(testing::Jwks({old_key.PublicJwk()}));
  EXPECT_EQ(verifier_->Fetches(kIssuer), 2);
  clock_.now += absl::Seconds(31);
  auto* result = Verify(new_key.Sign("RS256", Claims()));
  EXPECT_FALSE(result->has_value());
  ServeKeys(testing::Jwks({old_key.PublicJwk(), new_key.PublicJwk()}));
  ASSERT_TRUE(result->has_value());
  EXPECT_TRUE((*result)->ok()) << (*result)->status();
  EXPECT_EQ(verifier_->Fetches(kIssuer), 4);
}

TEST_F(OidcVerifierTest, AKidFloodCostsOneFetchPerInterval) {
  const TestKey key("RSA", "real");
  verifier_->Start();
  ServeKeys(testing::Jwks({key.PublicJwk()}));
  clock_.now += absl::Seconds(31);
  const int64_t before = verifier_->Fetches(kIssuer);
  std::vector<std::optional<absl::StatusOr<FederatedCaller>>*> results;
  for (int i = 0; i < 100; ++i) {
    const TestKey made_up("P-256", absl::StrCat("made-up-", i));
    results.push_back(Verify(made_up.Sign("ES256", Claims())));
  }
  ServeKeys(testing::Jwks({key.PublicJwk()}));
  EXPECT_EQ(verifier_->Fetches(kIssuer), before + 2);
  for (auto* result : results) {
    ASSERT_TRUE(result->has_value());
    EXPECT_EQ(ReasonOf((*result)->status()), kWorkloadTokenInvalid);
  }
  // Within the interval, more made-up kids are refused without a fetch.
  for (int i = 0; i < 50; ++i) {
    const TestKey made_up("P-256", absl::StrCat("again-", i));
    auto* result = Verify(made_up.Sign("ES256", Claims()));
    ASSERT_TRUE(result->has_value());
    EXPECT_FALSE((*result)->ok());
  }
  EXPECT_EQ(verifier_->Fetches(kIssuer), before + 2);
}

TEST_F(OidcVerifierTest, KeepsTheLastGoodSetWhileTheIssuerIsDownThenDropsIt) {
  const TestKey key("RSA", "k1");
  verifier_->Start();
  ServeKeys(testing::Jwks({key.PublicJwk()}));
  // The scheduled refresh fails: the cached set still verifies.
  clock_.now += absl::Minutes(15);
  FailDue();
  auto* result = Verify(key.Sign("RS256", Claims()));
  ASSERT_TRUE(result->has_value());
  EXPECT_TRUE((*result)->ok()) << (*result)->status();
  // Past max_stale the set is gone: UNAVAILABLE, IDENTITY_UNAVAILABLE.
  clock_.now += absl::Hours(1);
  auto* late = Verify(key.Sign("RS256", Claims()));
  EXPECT_FALSE(late->has_value());
  FailDue();
  ASSERT_TRUE(late->has_value());
  EXPECT_EQ((*late)->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf((*late)->status()), kIdentityUnavailable);
}

TEST_F(OidcVerifierTest, IssuerDownWithNothingCachedIsUnavailable) {
  const TestKey key("RSA", "k1");
  auto* result = Verify(key.Sign("RS256", Claims()));
  FailDue();
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ((*result)->status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(ReasonOf((*result)->status()), kIdentityUnavailable);
  // Within the interval, no new fetch: still unavailable, at once.
  auto* again = Verify(key.Sign("RS256", Claims()));
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ(ReasonOf((*again)->status()), kIdentityUnavailable);
}

TEST_F(OidcVerifierTest, RefusesADiscoveryDocumentNamingAnotherIssuer) {
  const TestKey key("RSA", "k1");
  auto* result = Verify(key.Sign("RS256", Claims()));
  ServeKeys(testing::Jwks({key.PublicJwk()}), "https://evil.example");
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ(ReasonOf((*result)->status()), kIdentityUnavailable);
  EXPECT_THAT((*result)->status().message(), HasSubstr("another issuer"));
}

TEST_F(OidcVerifierTest, UsesAConfiguredJwksUriWithoutDiscovery) {
  MakeVerifier("https://keys.example/jwks");
  const TestKey key("RSA", "k1");
  auto* result = Verify(key.Sign("PS256", Claims()));
  auto due = transport_->TakeDue(clock_.now);
  ASSERT_TRUE(due.has_value());
  EXPECT_EQ(due->request.target, "/jwks");
  std::move(due->done)(Ok(testing::Jwks({key.PublicJwk()})));
  ASSERT_TRUE(result->has_value());
  EXPECT_TRUE((*result)->ok()) << (*result)->status();
  EXPECT_THAT(origins_, ::testing::ElementsAre("https://keys.example"));
}

TEST_F(OidcVerifierTest, SendsTheIssuersBearerTokenWithEveryFetch) {
  MakeVerifier("", "service-account-token");
  verifier_->Start();
  auto discovery = transport_->TakeDue(clock_.now);
  ASSERT_TRUE(discovery.has_value());
  EXPECT_EQ(discovery->request.bearer_token, "service-account-token");
  std::move(discovery->done)(Ok(
      absl::StrCat(R"({"issuer":")", kIssuer,
                   R"(","jwks_uri":"https://issuer.example/tenant/jwks"})")));
  auto keys = transport_->TakeDue(clock_.now);
  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->request.bearer_token, "service-account-token");
}

TEST_F(OidcVerifierTest, TheSourcePresentsItselfOnlyForATrustedIssuer) {
  const TestKey key("RSA", "k1");
  OidcSource source(std::move(verifier_));
  CallCredentials trusted;
  trusted.workload_tokens = {key.Sign("RS256", Claims())};
  CallCredentials untrusted;
  untrusted.workload_tokens = {
      key.Sign("RS256", Claims("https://kubernetes.default.svc"))};
  CallCredentials two = trusted;
  two.workload_tokens.push_back(trusted.workload_tokens.front());
  EXPECT_TRUE(source.Presented(trusted));
  EXPECT_FALSE(source.Presented(untrusted));
  EXPECT_FALSE(source.Presented(two));
  EXPECT_FALSE(source.Presented(CallCredentials()));

  std::optional<absl::StatusOr<Caller>> caller;
  source.Identify(
      trusted, [&caller](absl::StatusOr<Caller> c) { caller = std::move(c); });
  ServeKeys(testing::Jwks({key.PublicJwk()}));
  ASSERT_TRUE(caller.has_value());
  ASSERT_TRUE(caller->ok()) << caller->status();
  EXPECT_EQ((*caller)->source, CallerSource::kOidc);
  EXPECT_EQ((*caller)->id,
            absl::StrCat(kIssuer, "#", "repo:acme/web:environment:production"));
  EXPECT_EQ((*caller)->credential_id, "j-1");
  EXPECT_EQ((*caller)->claims.at("repository"), "acme/web");
}

TEST_F(OidcVerifierTest, RefreshesOnASchedule) {
  const TestKey first("RSA", "first");
  const TestKey second("RSA", "second");
  verifier_->Start();
  ServeKeys(testing::Jwks({first.PublicJwk()}));
  EXPECT_FALSE(transport_->TakeDue(clock_.now).has_value());
  clock_.now += absl::Minutes(15);
  ServeKeys(testing::Jwks({second.PublicJwk()}));
  // `first` is gone from the refreshed set. The refresh does not count
  // against the unknown-kid interval, so one refetch runs, and it fails.
  auto* result = Verify(first.Sign("RS256", Claims()));
  EXPECT_FALSE(result->has_value());
  ServeKeys(testing::Jwks({second.PublicJwk()}));
  ASSERT_TRUE(result->has_value());
  EXPECT_FALSE((*result)->ok());
  auto* ok = Verify(second.Sign("RS256", Claims()));
  ASSERT_TRUE(ok->has_value());
  EXPECT_TRUE((*ok)->ok());
}

TEST_F(OidcVerifierTest, RefusesExpiredAndWrongAudienceBeforeFetching) {
  const TestKey key("RSA", "k1");
  const std::string expired = absl::StrCat(
      R"({"iss":")", kIssuer, R"(","sub":"s","aud":"vercel-tokens","exp":)",
      absl::ToUnixSeconds(clock_.now) - 3600, "}");
  auto* a = Verify(key.Sign("RS256", expired));
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ(ReasonOf((*a)->status()), kWorkloadTokenExpired);
  const std::string other_aud = absl::StrCat(
      R"({"iss":")", kIssuer, R"(","sub":"s","aud":"other","exp":)",
      absl::ToUnixSeconds(clock_.now) + 60, "}");
  auto* b = Verify(key.Sign("RS256", other_aud));
  ASSERT_TRUE(b->has_value());
  EXPECT_EQ(ReasonOf((*b)->status()), kWorkloadTokenAudience);
  EXPECT_EQ(verifier_->Fetches(kIssuer), 0);
}

TEST_F(OidcVerifierTest, WaitingTokensAreAnsweredWhenTheVerifierStops) {
  const TestKey key("RSA", "k1");
  auto* result = Verify(key.Sign("RS256", Claims()));
  EXPECT_FALSE(result->has_value());
  verifier_.reset();
  ASSERT_TRUE(result->has_value());
  EXPECT_EQ(ReasonOf((*result)->status()), kIdentityUnavailable);
}

}  // namespace
}  // namespace vercel_tokens
