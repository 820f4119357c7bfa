#include "server/config.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/flags/declare.h"
#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

ABSL_DECLARE_FLAG(std::string, listen);
ABSL_DECLARE_FLAG(std::string, oidc_ca_file);
ABSL_DECLARE_FLAG(bool, oidc_allow_http_loopback);
ABSL_DECLARE_FLAG(absl::Duration, oidc_min_refetch_interval);
ABSL_DECLARE_FLAG(absl::Duration, oidc_max_stale);
ABSL_DECLARE_FLAG(std::string, log_level);
ABSL_DECLARE_FLAG(std::string, vercel_api_base_url);
ABSL_DECLARE_FLAG(int, max_list_pages);
ABSL_DECLARE_FLAG(int64_t, max_list_bytes);
ABSL_DECLARE_FLAG(std::string, tls_cert_file);
ABSL_DECLARE_FLAG(int, max_in_flight);
ABSL_DECLARE_FLAG(int64_t, max_request_bytes);
ABSL_DECLARE_FLAG(int, max_concurrent_streams);
ABSL_DECLARE_FLAG(int64_t, grpc_memory_limit_bytes);
ABSL_DECLARE_FLAG(absl::Duration, handshake_timeout);
ABSL_DECLARE_FLAG(absl::Duration, max_connection_idle);
ABSL_DECLARE_FLAG(bool, trust_forwarded_client_cert);
ABSL_DECLARE_FLAG(std::string, policy_file);
ABSL_DECLARE_FLAG(absl::Duration, orphan_grace);
ABSL_DECLARE_FLAG(absl::Duration, orphan_revoke_timeout);
ABSL_DECLARE_FLAG(absl::Duration, idempotency_window);
ABSL_DECLARE_FLAG(absl::Duration, drain_delay);
ABSL_DECLARE_FLAG(absl::Duration, keepalive_min_ping_interval);

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

TEST(CheckConfigTest, DefaultsAreValid) {
  EXPECT_TRUE(CheckConfig(ServerConfig{}).ok());
}

TEST(KubernetesApiUrlFromEnvTest, BuildsTheInClusterOrigin) {
  EXPECT_EQ(KubernetesApiUrlFromEnv("10.96.0.1", "443"),
            "https://10.96.0.1:443");
  EXPECT_EQ(KubernetesApiUrlFromEnv("fd00::1", "6443"),
            "https://[fd00::1]:6443");
  EXPECT_EQ(KubernetesApiUrlFromEnv(nullptr, "443"), "");
  EXPECT_EQ(KubernetesApiUrlFromEnv("10.96.0.1", ""), "");
}

TEST(CheckConfigTest, EachBadValueNamesItsFlag) {
  struct Case {
    void (*mutate)(ServerConfig&);
    const char* flag;
  };
  const Case cases[] = {
      {[](ServerConfig& c) { c.default_deadline = absl::ZeroDuration(); },
       "--default_deadline"},
      {[](ServerConfig& c) { c.shutdown_grace = -absl::Seconds(1); },
       "--shutdown_grace"},
      {[](ServerConfig& c) { c.max_response_bytes = 0; },
       "--max_response_bytes"},
      {[](ServerConfig& c) { c.max_list_pages = 0; }, "--max_list_pages"},
      {[](ServerConfig& c) { c.max_list_bytes = 0; }, "--max_list_bytes"},
      {[](ServerConfig& c) { c.max_upstream_connections = -1; },
       "--max_upstream_connections"},
      {[](ServerConfig& c) { c.upstream_max_attempts = 0; },
       "--upstream_max_attempts"},
      {[](ServerConfig& c) { c.max_connection_age = absl::ZeroDuration(); },
       "--max_connection_age"},
      {[](ServerConfig& c) { c.tls_cert_file = "cert.pem"; }, "--tls_key_file"},
      {[](ServerConfig& c) { c.max_in_flight = 0; }, "--max_in_flight"},
      {[](ServerConfig& c) { c.max_request_bytes = 0; }, "--max_request_bytes"},
      {[](ServerConfig& c) { c.max_request_bytes = int64_t{1} << 31; },
       "--max_request_bytes"},
      {[](ServerConfig& c) { c.max_concurrent_streams = 0; },
       "--max_concurrent_streams"},
      {[](ServerConfig& c) { c.grpc_memory_limit_bytes = 1 << 20; },
       "--grpc_memory_limit_bytes"},
      {[](ServerConfig& c) { c.handshake_timeout = absl::ZeroDuration(); },
       "--handshake_timeout"},
      {[](ServerConfig& c) { c.handshake_timeout = absl::Hours(24 * 25); },
       "--handshake_timeout"},
      {[](ServerConfig& c) { c.max_connection_idle = -absl::Seconds(1); },
       "--max_connection_idle"},
      {[](ServerConfig& c) { c.tls_client_ca_file = "ca.pem"; },
       "--tls_client_ca_file"},
      {[](ServerConfig& c) { c.orphan_grace = absl::ZeroDuration(); },
       "--orphan_grace"},
      {[](ServerConfig& c) { c.orphan_revoke_timeout = absl::ZeroDuration(); },
       "--orphan_revoke_timeout"},
      {[](ServerConfig& c) { c.idempotency_store = "redis://h"; },
       "--idempotency_store"},
      {[](ServerConfig& c) { c.idempotency_store = "redis://h:6379"; },
       "--idempotency_store_key_file"},
      {[](ServerConfig& c) { c.idempotency_store_unavailable = "wait"; },
       "--idempotency_store_unavailable"},
      {[](ServerConfig& c) { c.idempotency_window = absl::ZeroDuration(); },
       "--idempotency_window"},
      {[](ServerConfig& c) { c.max_idempotency_entries = 0; },
       "--max_idempotency_entries"},
      {[](ServerConfig& c) { c.tls_reload_interval = absl::Milliseconds(10); },
       "--tls_reload_interval"},
      {[](ServerConfig& c) { c.drain_delay = -absl::Seconds(1); },
       "--drain_delay"},
      {[](ServerConfig& c) { c.upstream_probe_interval = -absl::Seconds(1); },
       "--upstream_probe_interval"},
      {[](ServerConfig& c) { c.keepalive_time = absl::ZeroDuration(); },
       "--keepalive_time"},
      {[](ServerConfig& c) { c.keepalive_timeout = absl::Hours(24 * 30); },
       "--keepalive_timeout"},
      {[](ServerConfig& c) {
         c.keepalive_min_ping_interval = absl::ZeroDuration();
       },
       "--keepalive_min_ping_interval"},
      // The attack of issue 16: a forwarded header next to a TLS listener
      // (with or without client certificates) could override a verified
      // certificate.
      {[](ServerConfig& c) {
         c.tls_cert_file = "cert.pem";
         c.tls_key_file = "key.pem";
         c.trust_forwarded_client_cert = true;
       },
       "--trust_forwarded_client_cert"},
      {[](ServerConfig& c) {
         c.tls_cert_file = "cert.pem";
         c.tls_key_file = "key.pem";
         c.tls_client_ca_file = "ca.pem";
         c.trust_forwarded_client_cert = true;
       },
       "--trust_forwarded_client_cert"},
      {[](ServerConfig& c) { c.trusted_proxy_hops = 0; },
       "--trusted_proxy_hops"},
      {[](ServerConfig& c) { c.kubernetes_token_review = true; },
       "--kubernetes_api_url"},
      {[](ServerConfig& c) {
         c.kubernetes_token_review = true;
         c.kubernetes_api_url.origin = "https://10.0.0.1:443";
         c.trust_domain = "evil/ns";
       },
       "--trust_domain"},
      {[](ServerConfig& c) {
         c.kubernetes_token_review = true;
         c.kubernetes_api_url.origin = "https://10.0.0.1:443";
         c.workload_token_audience = "";
       },
       "--workload_token_audience"},
      {[](ServerConfig& c) { c.max_token_reviews_in_flight = 0; },
       "--max_token_reviews_in_flight"},
  };
  for (const Case& c : cases) {
    ServerConfig config;
    c.mutate(config);
    const absl::Status status = CheckConfig(config);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.flag;
    EXPECT_THAT(std::string(status.message()), HasSubstr(c.flag));
  }
}

TEST(ConfigFromFlagsTest, ReadsTheFlags) {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_listen, "127.0.0.1:0");
  absl::SetFlag(&FLAGS_log_level, "warning");
  absl::SetFlag(&FLAGS_vercel_api_base_url, "http://127.0.0.1:8080");
  absl::SetFlag(&FLAGS_max_list_pages, 7);
  absl::SetFlag(&FLAGS_max_list_bytes, int64_t{1} << 20);
  absl::SetFlag(&FLAGS_trust_forwarded_client_cert, true);
  absl::SetFlag(&FLAGS_policy_file, "/etc/policy.json");
  absl::SetFlag(&FLAGS_orphan_grace, absl::Seconds(3));
  absl::SetFlag(&FLAGS_orphan_revoke_timeout, absl::Seconds(4));
  absl::SetFlag(&FLAGS_idempotency_window, absl::Minutes(2));
  absl::SetFlag(&FLAGS_drain_delay, absl::Seconds(5));
  absl::SetFlag(&FLAGS_keepalive_min_ping_interval, absl::Seconds(3));
  absl::StatusOr<ServerConfig> config = ConfigFromFlags();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen, "127.0.0.1:0");
  EXPECT_EQ(config->log_level, LogLevel::kWarning);
  EXPECT_EQ(config->max_list_pages, 7);
  EXPECT_EQ(config->drain_delay, absl::Seconds(5));
  EXPECT_EQ(config->keepalive_min_ping_interval, absl::Seconds(3));
  EXPECT_EQ(config->max_list_bytes, int64_t{1} << 20);
  EXPECT_EQ(config->vercel_api_base_url.origin, "http://127.0.0.1:8080");
  EXPECT_TRUE(config->trust_forwarded_client_cert);
  EXPECT_EQ(config->policy_file, "/etc/policy.json");
  EXPECT_EQ(config->orphan_grace, absl::Seconds(3));
  EXPECT_EQ(config->orphan_revoke_timeout, absl::Seconds(4));
  EXPECT_EQ(config->idempotency_window, absl::Minutes(2));
}

// tests/integration/keepalive_test.cc shows a client pinging at
// --keepalive_min_ping_interval keeps its connection; by default that is a
// client pinging every 10 s, with no call in flight.
TEST(ConfigFromFlagsTest, ByDefaultAClientMayPingEvery10sWithoutCalls) {
  absl::FlagSaver saver;
  absl::StatusOr<ServerConfig> config = ConfigFromFlags();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->keepalive_min_ping_interval, absl::Seconds(10));
  EXPECT_TRUE(config->keepalive_permit_without_calls);
}

TEST(ConfigFromFlagsTest, ReadsTheOverloadAndHostileClientBounds) {
  absl::FlagSaver saver;
  absl::SetFlag(&FLAGS_max_in_flight, 50);
  absl::SetFlag(&FLAGS_max_request_bytes, 2048);
  absl::SetFlag(&FLAGS_max_concurrent_streams, 10);
  absl::SetFlag(&FLAGS_grpc_memory_limit_bytes, int64_t{32} << 20);
  absl::SetFlag(&FLAGS_handshake_timeout, absl::Seconds(3));
  absl::SetFlag(&FLAGS_max_connection_idle, absl::Seconds(20));
  absl::StatusOr<ServerConfig> config = ConfigFromFlags();
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->max_in_flight, 50);
  EXPECT_EQ(config->max_request_bytes, 2048);
  EXPECT_EQ(config->max_concurrent_streams, 10);
  EXPECT_EQ(config->grpc_memory_limit_bytes, int64_t{32} << 20);
  EXPECT_EQ(config->handshake_timeout, absl::Seconds(3));
  EXPECT_EQ(config->max_connection_idle, absl::Seconds(20));
}

TEST(ConfigFromFlagsTest, RefusesBadFlags) {
  {
    absl::FlagSaver saver;
    absl::SetFlag(&FLAGS_log_level, "loud");
    EXPECT_THAT(std::string(ConfigFromFlags().status().message()),
                HasSubstr("--log_level"));
  }
  {
    absl::FlagSaver saver;
    absl::SetFlag(&FLAGS_vercel_api_base_url, "http://example.com");
    EXPECT_FALSE(ConfigFromFlags().ok());
  }
  {
    absl::FlagSaver saver;
    absl::SetFlag(&FLAGS_tls_cert_file, "cert.pem");
    EXPECT_THAT(std::string(ConfigFromFlags().status().message()),
                HasSubstr("--tls_cert_file"));
  }
}

TEST(ConfigFromFlagsTest, ReadsTheOidcFlagsAndRefusesNonPositiveIntervals) {
  {
    absl::FlagSaver saver;
    absl::SetFlag(&FLAGS_oidc_ca_file, "/etc/issuer-ca.pem");
    absl::SetFlag(&FLAGS_oidc_allow_http_loopback, true);
    absl::SetFlag(&FLAGS_oidc_min_refetch_interval, absl::Seconds(5));
    absl::StatusOr<ServerConfig> config = ConfigFromFlags();
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_EQ(config->oidc_ca_file, "/etc/issuer-ca.pem");
    EXPECT_TRUE(config->oidc_allow_http_loopback);
    EXPECT_EQ(config->oidc_min_refetch_interval, absl::Seconds(5));
    EXPECT_EQ(config->oidc_jwks_refresh_interval, absl::Minutes(15));
  }
  {
    absl::FlagSaver saver;
    absl::SetFlag(&FLAGS_oidc_max_stale, absl::ZeroDuration());
    EXPECT_THAT(std::string(ConfigFromFlags().status().message()),
                HasSubstr("--oidc_max_stale"));
  }
}

class LoadServerTokenTest : public ::testing::Test {
 protected:
  void TearDown() override { std::remove(path_.c_str()); }
  std::string Write(const std::string& contents) {
    std::ofstream(path_) << contents;
    return path_;
  }
  std::string path_ = ::testing::TempDir() + "/server_token";
};

TEST_F(LoadServerTokenTest, FileWinsOverEnvironmentAndIsTrimmed) {
  ServerConfig config;
  config.vercel_token_file = Write("  file-token\n");
  EXPECT_EQ(*LoadServerToken(config, "env-token"), "file-token");
}

TEST_F(LoadServerTokenTest, EnvironmentThenNone) {
  ServerConfig config;
  EXPECT_EQ(*LoadServerToken(config, " env-token "), "env-token");
  EXPECT_EQ(*LoadServerToken(config, nullptr), "");
}

TEST_F(LoadServerTokenTest, BadTokenIsRefusedWithoutEchoingIt) {
  ServerConfig config;
  config.vercel_token_file = Write("secret with spaces");
  const absl::Status status = LoadServerToken(config, nullptr).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              ::testing::Not(HasSubstr("secret")));
}

TEST_F(LoadServerTokenTest, MissingFileNamesTheFlag) {
  ServerConfig config;
  config.vercel_token_file = path_ + ".absent";
  EXPECT_THAT(std::string(LoadServerToken(config, nullptr).status().message()),
              HasSubstr("--vercel_token_file"));
}

}  // namespace
}  // namespace vercel_tokens
