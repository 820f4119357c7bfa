// Replicas sharing a real redis-server (Debian's package) on loopback:
// two and three server processes behind one round_robin channel, a replica
// killed while it holds a claim, the store stopped mid-run, and what the
// store holds.

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "server/issuance/redis_client.h"
#include "tests/integration/metrics_scrape.h"
#include "tests/integration/process.h"
#include "tests/integration/self_signed.h"
#include "tests/integration/temp_file.h"
#include "tests/integration/test_fixture.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens::integration {
namespace {

namespace v1 = ::vercel::authentication::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr absl::Duration kWait = absl::Seconds(20);
constexpr char kKeys[] =
    "k1 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";

// A port no one listened on a moment ago. redis-server cannot bind port 0
// and report it, so the test picks one first.
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

// One command to the redis-server on `port`, answered within 5 s.
absl::StatusOr<RedisReply> Command(int port, std::vector<std::string> args) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) !=
      0) {
    close(fd);
    return absl::UnavailableError("redis-server is not listening");
  }
  const std::string out = EncodeRedisCommand(args);
  (void)!write(fd, out.data(), out.size());
  std::string in;
  while (true) {
    auto parsed = ParseRedisReply(in);
    if (!parsed.ok()) {
      close(fd);
      return parsed.status();
    }
    if (parsed->has_value()) {
      close(fd);
      return std::move((*parsed)->first);
    }
    char buffer[4096];
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) {
      close(fd);
      return absl::UnavailableError("redis-server closed the connection");
    }
    in.append(buffer, static_cast<size_t>(n));
  }
}

// A redis-server of the test's own, on loopback, without persistence.
class Redis {
 public:
  // With `tls`, it also listens for TLS on tls_port() with that
  // certificate; the plaintext port stays for the test's own commands.
  static std::unique_ptr<Redis> Start(const SelfSigned* tls = nullptr) {
    auto redis = std::unique_ptr<Redis>(new Redis());
    redis->port_ = FreePort();
    std::vector<std::string> argv = {"/usr/bin/redis-server",
                                     "--port",
                                     absl::StrCat(redis->port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--save",
                                     "",
                                     "--appendonly",
                                     "no"};
    if (tls != nullptr) {
      redis->tls_port_ = FreePort();
      for (std::string arg :
           {std::string("--tls-port"), absl::StrCat(redis->tls_port_),
            std::string("--tls-cert-file"), tls->cert_file,
            std::string("--tls-key-file"), tls->key_file,
            std::string("--tls-auth-clients"), std::string("no")}) {
        argv.push_back(std::move(arg));
      }
    }
    auto process = Process::Start(argv, TestEnvironment());
    if (!process.ok()) return nullptr;
    redis->process_ = *std::move(process);
    // Ready when it answers PING.
    for (const absl::Time deadline = absl::Now() + kWait;
         absl::Now() < deadline;) {
      if (auto pong = Command(redis->port_, {"PING"});
          pong.ok() && pong->text == "PONG") {
        return redis;
      }
      if (absl::StatusOr<int> exited =
              redis->process_->Wait(absl::Milliseconds(20));
          exited.ok()) {
        return nullptr;  // It could not start (the port was taken).
      }
    }
    return nullptr;
  }

  int port() const { return port_; }
  std::string url() const { return absl::StrCat("redis://127.0.0.1:", port_); }
  std::string tls_url() const {
    return absl::StrCat("rediss://127.0.0.1:", tls_port_);
  }
  Process& process() { return *process_; }

  // Every key and its value, as the store's operator would read them.
  std::vector<std::string> Dump() {
    std::vector<std::string> out;
    absl::StatusOr<RedisReply> keys = Command(port_, {"KEYS", "*"});
    if (!keys.ok()) return out;
    for (const RedisReply& key : keys->elements) {
      out.push_back(key.text);
      if (auto value = Command(port_, {"GET", key.text}); value.ok()) {
        out.push_back(value->text);
      }
    }
    return out;
  }

 private:
  Redis() = default;
  int port_ = 0;
  int tls_port_ = 0;
  std::unique_ptr<Process> process_;
};

class ReplicasTest : public IntegrationTest {
 protected:
  void SetUp() override {
    IntegrationTest::SetUp();
    redis_ = Redis::Start();
    ASSERT_NE(redis_, nullptr);
  }

  std::unique_ptr<ServerProcess> Replica(std::vector<std::string> flags = {}) {
    ServerOptions options;
    options.flags = {
        absl::StrCat("--idempotency_store=", redis_->url()),
        absl::StrCat("--idempotency_store_key_file=", keys_.path()),
        "--metrics_listen=127.0.0.1:0"};
    for (std::string& flag : flags) options.flags.push_back(std::move(flag));
    options.env = {{"VERCEL_TOKEN", kSeedSecret}};
    return StartServer(options);
  }

  // One client channel over `replicas`, each call to the next (round_robin).
  static UserTokensClient RoundRobin(
      const std::vector<std::unique_ptr<ServerProcess>>& replicas,
      absl::Duration timeout = absl::Seconds(10)) {
    std::vector<std::string> addresses;
    for (const auto& r : replicas) addresses.push_back(r->address());
    grpc::ChannelArguments args;
    args.SetServiceConfigJSON(
        R"({"loadBalancingConfig": [{"round_robin": {}}]})");
    auto channel = grpc::CreateCustomChannel(
        absl::StrCat("ipv4:", absl::StrJoin(addresses, ",")),
        grpc::InsecureChannelCredentials(), args);
    ClientOptions options;
    options.bearer_token = kSeedSecret;
    options.timeout = timeout;
    return UserTokensClient(channel, options);
  }

  // Calls through `client` until every replica has served one, so that
  // round_robin spreads what follows over all of them.
  static void WarmUp(
      UserTokensClient& client,
      const std::vector<std::unique_ptr<ServerProcess>>& replicas) {
    v1::GetAuthTokenRequest current;
    current.set_token_id("current");
    v1::GetAuthTokenResponse unused;
    for (int i = 0; i < 50; ++i) {
      ASSERT_TRUE(IsOk(client.GetAuthToken(current, &unused)));
      bool all = true;
      for (const auto& r : replicas) {
        all = all && absl::StrContains(r->Output(), "\"GetAuthToken\"");
      }
      if (all) return;
    }
    FAIL() << "round_robin never reached every replica";
  }

  // How many tokens named `name` Vercel holds.
  int LiveTokens(ServerProcess& server, absl::string_view name) {
    v1::ListAuthTokensResponse listed;
    EXPECT_TRUE(
        IsOk(ClientOf(server, kSeedSecret).ListAuthTokens({}, &listed)));
    int n = 0;
    for (const v1::AuthToken& t : listed.tokens()) n += t.name() == name;
    return n;
  }

  TempFile keys_{kKeys};
  std::unique_ptr<Redis> redis_;
};

TEST_F(ReplicasTest, TheSameRequestIdOnEitherReplicaIsOneToken) {
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    replicas.push_back(Replica());
    ASSERT_NE(replicas.back(), nullptr);
  }
  UserTokensClient client = RoundRobin(replicas);
  WarmUp(client, replicas);
  const auto request =
      CreateRequest("rr", "3f6c1f2e-8a1b-4c1d-9e2f-0a1b2c3d4e5f");
  // Repeats until both replicas have answered some (round_robin alternates
  // between ready connections, but one may be briefly reconnecting on a
  // loaded machine); every answer must be the first call's token.
  auto answered_by_both = [&replicas] {
    for (const auto& replica : replicas) {
      if (!absl::StrContains(replica->Output(),
                             "\"method\":\"CreateAuthToken\"")) {
        return false;
      }
    }
    return true;
  };
  std::vector<v1::CreateAuthTokenResponse> responses;
  while (responses.size() < 4 ||
         (responses.size() < 20 && !answered_by_both())) {
    ASSERT_TRUE(
        IsOk(client.CreateAuthToken(request, &responses.emplace_back())));
  }
  for (const auto& response : responses) {
    EXPECT_EQ(response.token().id(), responses[0].token().id());
    EXPECT_EQ(response.bearer_token(), responses[0].bearer_token());
  }
  EXPECT_EQ(CountRequests("POST"), 1);
  EXPECT_TRUE(answered_by_both()) << "round_robin reached one replica only";
  // A different request under the same id is refused on either replica.
  v1::CreateAuthTokenResponse unused;
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(HasCode(
        client.CreateAuthToken(
            CreateRequest("other", "3f6c1f2e-8a1b-4c1d-9e2f-0a1b2c3d4e5f"),
            &unused),
        grpc::StatusCode::INVALID_ARGUMENT));
  }
}

TEST_F(ReplicasTest, TwentyConcurrentDuplicatesOverThreeReplicasPostOnce) {
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < 3; ++i) {
    replicas.push_back(Replica());
    ASSERT_NE(replicas.back(), nullptr);
  }
  UserTokensClient client = RoundRobin(replicas, absl::Seconds(30));
  WarmUp(client, replicas);
  HoldNextCreate();
  const auto request =
      CreateRequest("twenty", "8e2b3c4d-5f60-4a71-8b92-a3b4c5d6e7f8");
  std::vector<v1::CreateAuthTokenResponse> responses(20);
  std::vector<std::future<grpc::Status>> calls;
  for (int i = 0; i < 20; ++i) {
    calls.push_back(std::async(std::launch::async, [&, i] {
      return client.CreateAuthToken(request, &responses[i]);
    }));
  }
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  ASSERT_TRUE(IsOk(fake().Release()));
  for (int i = 0; i < 20; ++i) {
    const grpc::Status status = calls[i].get();
    ASSERT_TRUE(IsOk(status)) << i << " " << status.error_message();
  }
  for (const auto& response : responses) {
    EXPECT_EQ(response.token().id(), responses[0].token().id());
  }
  EXPECT_EQ(CountRequests("POST"), 1);
  for (const auto& replica : replicas) {
    EXPECT_THAT(replica->Output(), HasSubstr("\"method\":\"CreateAuthToken\""));
  }
}

TEST_F(ReplicasTest, ARetryAfterTheClaimHolderIsKilledEndsWithOneLiveToken) {
  // Its claim lasts the call's 2 s deadline + 2 s of orphan grace + 1 s:
  // long enough for the 1 s retry below to see it held on a busy machine.
  std::unique_ptr<ServerProcess> doomed = Replica({"--orphan_grace=2s"});
  std::unique_ptr<ServerProcess> survivor = Replica({"--orphan_grace=1s"});
  ASSERT_NE(doomed, nullptr);
  ASSERT_NE(survivor, nullptr);
  HoldNextCreate();
  const auto request =
      CreateRequest("k9", "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5");
  v1::CreateAuthTokenResponse lost;
  std::future<grpc::Status> first = std::async(std::launch::async, [&] {
    return ClientOf(*doomed, kSeedSecret, absl::Seconds(2))
        .CreateAuthToken(request, &lost);
  });
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  ASSERT_TRUE(IsOk(doomed->process().Signal(SIGKILL)));
  EXPECT_FALSE(first.get().ok());

  // While the dead replica's claim lasts, a retry that cannot wait that
  // long is told to come back, with a RetryInfo.
  v1::CreateAuthTokenResponse unused;
  const grpc::Status busy = ClientOf(*survivor, kSeedSecret, absl::Seconds(1))
                                .CreateAuthToken(request, &unused);
  EXPECT_TRUE(HasCode(busy, grpc::StatusCode::ABORTED));
  EXPECT_EQ(DecodeErrorDetails(busy).reason, "REQUEST_IN_PROGRESS");
  EXPECT_TRUE(DecodeErrorDetails(busy).retry_delay.has_value());

  v1::CreateAuthTokenResponse retried;
  const grpc::Status status =
      ClientOf(*survivor, kSeedSecret, absl::Seconds(20))
          .CreateAuthToken(request, &retried);
  ASSERT_TRUE(IsOk(status)) << status.error_message();
  EXPECT_EQ(LiveTokens(*survivor, "k9"), 1);
}

TEST_F(ReplicasTest, AnOrphanGoesToARepeatWaitingOnAnotherReplica) {
  std::unique_ptr<ServerProcess> first_replica = Replica();
  std::unique_ptr<ServerProcess> second_replica = Replica();
  ASSERT_NE(first_replica, nullptr);
  ASSERT_NE(second_replica, nullptr);
  HoldNextCreate();
  const auto request =
      CreateRequest("adopted", "6a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d");
  // The first attempt's POST is held past its caller's 2 s deadline.
  v1::CreateAuthTokenResponse lost;
  std::future<grpc::Status> first = std::async(std::launch::async, [&] {
    return ClientOf(*first_replica, kSeedSecret, absl::Seconds(2))
        .CreateAuthToken(request, &lost);
  });
  ASSERT_TRUE(IsOk(fake().WaitHeld(1)));
  // A repeat on the other replica waits for the claim.
  v1::CreateAuthTokenResponse repeated;
  std::future<grpc::Status> repeat = std::async(std::launch::async, [&] {
    return ClientOf(*second_replica, kSeedSecret, absl::Seconds(30))
        .CreateAuthToken(request, &repeated);
  });
  // It registers itself as a waiter of the record.
  bool waiting = false;
  for (const absl::Time deadline = absl::Now() + kWait;
       !waiting && absl::Now() < deadline;) {
    absl::StatusOr<RedisReply> keys =
        Command(redis_->port(), {"KEYS", "vut:idem:w:*"});
    waiting = keys.ok() && !keys->elements.empty();
  }
  ASSERT_TRUE(waiting);
  EXPECT_TRUE(HasCode(first.get(), grpc::StatusCode::DEADLINE_EXCEEDED));
  // Vercel answers the first attempt's POST once its caller has gone.
  ASSERT_TRUE(IsOk(fake().Release()));
  const grpc::Status status = repeat.get();
  ASSERT_TRUE(IsOk(status)) << status.error_message();
  EXPECT_EQ(repeated.token().name(), "adopted");
  EXPECT_FALSE(repeated.bearer_token().empty());
  EXPECT_EQ(CountRequests("POST"), 1);
  EXPECT_EQ(CountRequests("DELETE"), 0);
  EXPECT_EQ(LiveTokens(*second_replica, "adopted"), 1);
  EXPECT_THAT(first_replica->Output(), Not(HasSubstr("orphan_revoked")));
  // The outcome is the record's: a later retry gets the same token.
  v1::CreateAuthTokenResponse again;
  ASSERT_TRUE(IsOk(
      ClientOf(*first_replica, kSeedSecret).CreateAuthToken(request, &again)));
  EXPECT_EQ(again.token().id(), repeated.token().id());
  EXPECT_EQ(CountRequests("POST"), 1);
}

TEST_F(ReplicasTest, AStoreStoppedMidRunGivesTheDocumentedAnswer) {
  std::unique_ptr<ServerProcess> refusing = Replica();
  std::unique_ptr<ServerProcess> remembering =
      Replica({"--idempotency_store_unavailable=memory"});
  ASSERT_NE(refusing, nullptr);
  ASSERT_NE(remembering, nullptr);
  v1::CreateAuthTokenResponse response;
  ASSERT_TRUE(
      IsOk(ClientOf(*refusing, kSeedSecret)
               .CreateAuthToken(
                   CreateRequest("up", "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"),
                   &response)));
  ASSERT_TRUE(IsOk(redis_->process().Signal(SIGTERM)));
  ASSERT_TRUE(IsOk(redis_->process().Wait(kWait).status()));

  const absl::Time start = absl::Now();
  const grpc::Status refused =
      ClientOf(*refusing, kSeedSecret, absl::Seconds(10))
          .CreateAuthToken(
              CreateRequest("down", "2b3c4d5e-6f70-4b8c-9dae-1f2a3b4c5d6e"),
              &response);
  EXPECT_LT(absl::Now() - start, absl::Seconds(5));  // No hang.
  EXPECT_TRUE(HasCode(refused, grpc::StatusCode::UNAVAILABLE));
  const ErrorDetails details = DecodeErrorDetails(refused);
  EXPECT_EQ(details.reason, "IDEMPOTENCY_STORE_UNAVAILABLE");
  EXPECT_TRUE(details.retry_delay.has_value());
  // A create without a request_id needs no store (sent on the bare stub:
  // the client library gives every create a request_id).
  grpc::ClientContext plain;
  plain.AddMetadata("authorization", absl::StrCat("Bearer ", kSeedSecret));
  plain.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  EXPECT_TRUE(
      IsOk(v1::UserTokensService::NewStub(refusing->NewChannel())
               ->CreateAuthToken(&plain, CreateRequest("down-plain", ""),
                                 &response)));

  EXPECT_TRUE(IsOk(
      ClientOf(*remembering, kSeedSecret)
          .CreateAuthToken(
              CreateRequest("down", "3c4d5e6f-7081-4c9d-aebf-2a3b4c5d6e7f"),
              &response)));
  absl::StatusOr<std::string> metrics = ScrapeMetrics(*remembering);
  ASSERT_TRUE(IsOk(metrics.status()));
  EXPECT_THAT(
      *metrics,
      HasSubstr(
          R"(vercel_tokens_idempotency_store_unavailable_total{action="memory"} 1)"));
}

TEST_F(ReplicasTest, TheStoreHoldsNoSecretAndNoCaller) {
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    replicas.push_back(Replica());
    ASSERT_NE(replicas.back(), nullptr);
  }
  UserTokensClient client = RoundRobin(replicas);
  const std::string request_id = "4d5e6f70-8192-4dae-bfc0-3b4c5d6e7f80";
  v1::CreateAuthTokenResponse created;
  ASSERT_TRUE(IsOk(client.CreateAuthToken(
      CreateRequest("secretive", request_id), &created)));
  const std::vector<std::string> dump = redis_->Dump();
  ASSERT_FALSE(dump.empty());
  const std::string everything = absl::StrJoin(dump, "\n");
  for (const std::string& secret :
       {created.bearer_token(), std::string(kSeedSecret), created.token().id(),
        request_id, std::string("secretive"), std::string("anonymous")}) {
    ASSERT_FALSE(secret.empty());
    EXPECT_THAT(everything, Not(HasSubstr(secret))) << secret;
  }
}

TEST_F(ReplicasTest, AStoreOverTlsIsSharedAndItsCertificateChecked) {
  absl::StatusOr<SelfSigned> cert =
      MakeSelfSigned(::testing::TempDir(), "redis-tls");
  absl::StatusOr<SelfSigned> stranger =
      MakeSelfSigned(::testing::TempDir(), "redis-stranger");
  ASSERT_TRUE(IsOk(cert.status()));
  ASSERT_TRUE(IsOk(stranger.status()));
  std::unique_ptr<Redis> redis = Redis::Start(&*cert);
  ASSERT_NE(redis, nullptr);
  // The later --idempotency_store wins over the fixture's plaintext one.
  const std::vector<std::string> over_tls = {
      absl::StrCat("--idempotency_store=", redis->tls_url()),
      absl::StrCat("--idempotency_store_ca_file=", cert->cert_file)};
  std::vector<std::unique_ptr<ServerProcess>> replicas;
  for (int i = 0; i < 2; ++i) {
    replicas.push_back(Replica(over_tls));
    ASSERT_NE(replicas.back(), nullptr);
  }
  UserTokensClient client = RoundRobin(replicas);
  WarmUp(client, replicas);
  const auto request =
      CreateRequest("tls", "5e6f7081-92a3-4bec-8d0e-4c5d6e7f8091");
  v1::CreateAuthTokenResponse first;
  v1::CreateAuthTokenResponse second;
  ASSERT_TRUE(IsOk(client.CreateAuthToken(request, &first)));
  ASSERT_TRUE(IsOk(client.CreateAuthToken(request, &second)));
  EXPECT_EQ(second.token().id(), first.token().id());
  EXPECT_EQ(CountRequests("POST"), 1);
  EXPECT_FALSE(redis->Dump().empty());

  // A store whose certificate the replica's CAs did not sign is refused.
  std::unique_ptr<ServerProcess> wary = Replica(
      {absl::StrCat("--idempotency_store=", redis->tls_url()),
       absl::StrCat("--idempotency_store_ca_file=", stranger->cert_file)});
  ASSERT_NE(wary, nullptr);
  v1::CreateAuthTokenResponse unused;
  const grpc::Status refused =
      ClientOf(*wary, kSeedSecret)
          .CreateAuthToken(
              CreateRequest("tls", "6f708192-a3b4-4cfd-9e1f-5d6e7f8091a2"),
              &unused);
  EXPECT_TRUE(HasCode(refused, grpc::StatusCode::UNAVAILABLE));
  EXPECT_EQ(DecodeErrorDetails(refused).reason,
            "IDEMPOTENCY_STORE_UNAVAILABLE");
}

}  // namespace
}  // namespace vercel_tokens::integration
