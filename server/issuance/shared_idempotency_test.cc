#include "server/issuance/shared_idempotency.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <future>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

const std::string kHexA(64, 'a');
const std::string kHexB(64, 'b');

// A Redis on loopback that answers the first SET with the value it was
// sent (so its claim is held by another call) and nothing after it: the
// store that answered once, then became slow. Serves one connection on a
// thread of its own, which the destructor ends.
class StallingRedis {
 public:
  StallingRedis() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address));
    listen(listen_fd_, 4);
    socklen_t length = sizeof(address);
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~StallingRedis() {
    shutdown(listen_fd_, SHUT_RDWR);
    if (const int fd = connection_fd_.load(); fd >= 0) shutdown(fd, SHUT_RDWR);
    thread_.join();
    close(listen_fd_);
  }
  StallingRedis(const StallingRedis&) = delete;
  StallingRedis& operator=(const StallingRedis&) = delete;

  int port() const { return port_; }

 private:
  void Serve() {
    const int fd = accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) return;
    connection_fd_ = fd;
    std::string in;
    bool answered = false;
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) {
      in.append(buffer, static_cast<size_t>(n));
      while (true) {
        auto parsed = ParseRedisReply(in);
        if (!parsed.ok() || !parsed->has_value()) break;
        const RedisReply command = (*parsed)->first;
        in.erase(0, (*parsed)->second);
        if (!answered && command.elements.size() > 2 &&
            command.elements[0].text == "SET") {
          const std::string& value = command.elements[2].text;
          const std::string reply =
              absl::StrCat("$", value.size(), "\r\n", value, "\r\n");
          (void)!write(fd, reply.data(), reply.size());
          answered = true;
        }
      }
    }
    connection_fd_ = -1;
    close(fd);
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> connection_fd_{-1};
  std::thread thread_;
};

TEST(StoreKeysTest, TheFirstKeyIsCurrentAndOthersStillDecrypt) {
  absl::StatusOr<StoreKeys> keys =
      ParseStoreKeys("# rotated 2026-12\nk2 " + kHexB + "\nk1 " + kHexA + "\n");
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->current_id, "k2");
  EXPECT_EQ(keys->keys.size(), 2u);
  EXPECT_EQ(keys->keys.at("k1"), std::string(32, '\xaa'));
}

TEST(StoreKeysTest, RefusesMalformedKeys) {
  for (const std::string& bad :
       {std::string(""), std::string("k1 abcd"), "k1 " + std::string(64, 'z'),
        "k:1 " + kHexA, "k1 " + kHexA + " extra"}) {
    EXPECT_FALSE(ParseStoreKeys(bad).ok()) << bad;
  }
}

TEST(SharedIdempotencyStoreTest, RecordNamesRevealNothingAndSeparateCallers) {
  RedisClient client({"127.0.0.1", 1, 0}, "", nullptr);
  absl::StatusOr<StoreKeys> keys = ParseStoreKeys("k1 " + kHexA);
  ASSERT_TRUE(keys.ok());
  SharedIdempotencyStore store(&client, *keys, absl::Minutes(10));
  const std::string name = store.RecordName(
      "spiffe://a", "bearer-secret", "5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e11");
  EXPECT_THAT(name, StartsWith("vut:idem:"));
  EXPECT_EQ(name.size(), 9u + 64u);
  EXPECT_THAT(name, Not(HasSubstr("spiffe")));
  EXPECT_THAT(name, Not(HasSubstr("5f0c8e0e")));
  EXPECT_NE(name, store.RecordName("spiffe://b", "bearer-secret",
                                   "5f0c8e0e-6a55-4c57-9f0b-2a8a4b8f1e11"));
  // Length-prefixed: moving a character from caller to credential differs.
  EXPECT_NE(store.RecordName("ab", "c", "r"), store.RecordName("a", "bc", "r"));
}

TEST(SharedIdempotencyStoreTest, WaitersAreKeptUnderTheRecordsHmacOnly) {
  const std::string record = "vut:idem:" + kHexA;
  EXPECT_EQ(SharedIdempotencyStore::WaitersName(record), "vut:idem:w:" + kHexA);
}

TEST(SharedIdempotencyStoreTest, AStoreThatCannotAnswerHandsNothingOver) {
  // Nothing listens on port 1: the orphan must then be revoked.
  RedisClient client({"127.0.0.1", 1, 0}, "", nullptr);
  absl::StatusOr<StoreKeys> keys = ParseStoreKeys("k1 " + kHexA);
  ASSERT_TRUE(keys.ok());
  SharedIdempotencyStore store(&client, *keys, absl::Minutes(10));
  vercel::authentication::v1::CreateAuthTokenResponse response;
  response.set_bearer_token("created-secret");
  std::promise<bool> handed;
  store.HandOver(store.RecordName("spiffe://a", "bearer-secret", "r"), "fp",
                 response, [&handed](bool h) { handed.set_value(h); });
  EXPECT_FALSE(handed.get_future().get());
}

// A repeat waiting for another replica's claim looks again every 100 ms;
// a look sent just before the wait ends may get no answer by then. The
// call was found waiting by the store: it is told the request is still in
// progress (REQUEST_IN_PROGRESS, retry), not that the store is unreachable.
TEST(SharedIdempotencyStoreTest, ALastLookUnansweredByTheWaitsEndIsInProgress) {
  StallingRedis redis;
  RedisClient client({"127.0.0.1", redis.port(), 0}, "", nullptr);
  absl::StatusOr<StoreKeys> keys = ParseStoreKeys("k1 " + kHexA);
  ASSERT_TRUE(keys.ok());
  SharedIdempotencyStore store(&client, *keys, absl::Minutes(10));
  std::promise<absl::StatusOr<SharedIdempotencyStore::Begun>> begun;
  store.Begin(store.RecordName("spiffe://a", "bearer-secret", "r"), "fp",
              absl::Seconds(10), absl::Now() + absl::Milliseconds(500),
              [&begun](absl::StatusOr<SharedIdempotencyStore::Begun> b) {
                begun.set_value(std::move(b));
              });
  absl::StatusOr<SharedIdempotencyStore::Begun> result =
      begun.get_future().get();
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(result->claim, SharedIdempotencyStore::Claim::kInProgress);
}

}  // namespace
}  // namespace vercel_tokens
