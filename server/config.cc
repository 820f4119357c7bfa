// The server's command-line flags, read into a checked ServerConfig.

#include "server/config.h"

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "server/common/files.h"
#include "server/issuance/redis_client.h"
#include "server/rpc/credentials.h"

ABSL_FLAG(std::string, listen, "0.0.0.0:50051",
          "Address the gRPC server listens on (host:port; port 0 picks a "
          "free one).");
ABSL_FLAG(std::string, vercel_api_base_url, "https://api.vercel.com",
          "Origin of the Vercel REST API. Plain http:// is accepted only for "
          "a loopback host (tests).");
ABSL_FLAG(std::string, vercel_token_file, "",
          "File holding the server's own Vercel token, used by calls that "
          "send no authorization metadata. Without it, the environment "
          "variable VERCEL_TOKEN is used if set; with neither, such calls "
          "fail UNAUTHENTICATED.");
ABSL_FLAG(std::string, vercel_ca_file, "",
          "PEM file of CA certificates to trust for the Vercel API in "
          "addition to the system's (tests). TLS is always verified.");
ABSL_FLAG(absl::Duration, default_deadline, absl::Seconds(30),
          "Deadline of calls whose caller sets none; bounds their upstream "
          "requests.");
ABSL_FLAG(absl::Duration, shutdown_grace, absl::Seconds(10),
          "On SIGTERM/SIGINT, how long calls in flight may take to finish "
          "before they are cancelled.");
ABSL_FLAG(int64_t, max_response_bytes, 4 << 20,
          "Largest upstream response body accepted; larger ones fail the "
          "call with INTERNAL.");
ABSL_FLAG(int, max_list_pages, 100,
          "ListAuthTokens reads at most this many pages (of 100 tokens) of "
          "Vercel's listing; a longer listing fails the call "
          "(FAILED_PRECONDITION, reason LIST_INCOMPLETE) rather than "
          "returning part of it.");
ABSL_FLAG(int64_t, max_list_bytes, 32 << 20,
          "ListAuthTokens reads at most this many response bytes, summed "
          "over its pages; more fails the call (FAILED_PRECONDITION, reason "
          "LIST_INCOMPLETE). Bounds a call's memory.");
ABSL_FLAG(int, max_upstream_connections, 64,
          "Most connections open to the Vercel API at once (0: no limit).");
ABSL_FLAG(int, upstream_max_attempts, 3,
          "Attempts per idempotent upstream request (those of GetAuthToken, "
          "ListAuthTokens and ListAuthTokensRaw) that fails with 429, 502, "
          "503, 504 or a connection error, the first included (1: no "
          "retries). Create, Delete, EmailLogin and VerifyToken are never "
          "retried.");
ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain of the gRPC listener; with --tls_key_file "
          "the listener serves TLS only.");
ABSL_FLAG(std::string, tls_key_file, "",
          "PEM private key of the gRPC listener (with --tls_cert_file).");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA certificates that sign client certificates: with it (and "
          "--tls_cert_file) the listener requires a client certificate from "
          "these CAs and refuses the handshake otherwise. The caller's "
          "identity is the certificate's URI SAN (a SPIFFE id), else "
          "dns:<its first DNS SAN>, else cn:<its subject CN>; a "
          "certificate with none of them is refused.");
ABSL_FLAG(bool, trust_forwarded_client_cert, false,
          "Take the caller's identity from the x-forwarded-client-cert "
          "metadata set by a service-mesh sidecar (Istio, Envoy) or the "
          "chart's nginx front proxy that terminates mTLS, in the element "
          "the proxy wrote (--trusted_proxy_hops): its Cert= (the "
          "URL-encoded PEM, named as --tls_client_ca_file names a "
          "certificate; URI=/DNS= beside it must agree), else its URI= "
          "(else dns:<DNS=>). The header is parsed by its "
          "grammar; a malformed one, or more than one, fails the call "
          "UNAUTHENTICATED. Refused with --tls_cert_file: a header must "
          "never override a verified certificate. Safe only when nothing "
          "but the sidecar can reach the port.");
ABSL_FLAG(int, trusted_proxy_hops, 1,
          "With --trust_forwarded_client_cert: how many trusted proxies, "
          "each writing one x-forwarded-client-cert element, stand in front "
          "of the server; the element that identifies the caller is this "
          "one from the end (1: the sidecar's own, right for both Envoy's "
          "SANITIZE_SET and APPEND_FORWARD). Elements before it came from "
          "the client and are ignored.");
ABSL_FLAG(bool, kubernetes_token_review, false,
          "Identify callers that send a Kubernetes ServiceAccount token in "
          "the x-workload-token metadata, checked by the API server's "
          "TokenReview, as spiffe://<--trust_domain>/ns/<ns>/sa/<name>. "
          "Needs create on tokenreviews (ClusterRole "
          "system:auth-delegator).");
ABSL_FLAG(std::string, kubernetes_api_url, "",
          "Origin of the Kubernetes API server for TokenReview; empty: "
          "https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT, as an "
          "in-cluster client. Plain http:// only for a loopback host.");
ABSL_FLAG(std::string, kubernetes_ca_file,
          "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt",
          "PEM CA certificates of the Kubernetes API server.");
ABSL_FLAG(std::string, kubernetes_token_file,
          "/var/run/secrets/kubernetes.io/serviceaccount/token",
          "The server's own ServiceAccount token, sent to the API server "
          "with each TokenReview; re-read every 30 seconds (the kubelet "
          "rotates it).");
ABSL_FLAG(std::string, workload_token_audience, "vercel-user-tokens",
          "The audience a caller's workload token must carry (the projected "
          "volume's `audience`); other tokens are refused "
          "(WORKLOAD_TOKEN_AUDIENCE) without a review.");
ABSL_FLAG(std::string, trust_domain, "cluster.local",
          "The SPIFFE trust domain of Kubernetes identities: "
          "spiffe://<trust_domain>/ns/<ns>/sa/<name>.");
ABSL_FLAG(int, max_token_reviews_in_flight, 64,
          "Most workload-token reviews in flight at once; a call that would "
          "need one more fails UNAVAILABLE (IDENTITY_UNAVAILABLE, with "
          "RetryInfo). Concurrent calls with one token share one review.");
ABSL_FLAG(int, max_token_review_cache_entries, 10000,
          "Most reviewed workload tokens remembered (each for at most 10 s "
          "and never past its exp).");
ABSL_FLAG(std::string, policy_file, "",
          "JSON issuance policy (server/rpc/policy.proto; see README): who "
          "may call which RPC, use the server's token, and issue or revoke "
          "what. Reloaded when the file changes and on SIGHUP; a malformed "
          "new file keeps the old policy. Empty: every caller may do "
          "everything.");
ABSL_FLAG(std::string, oidc_ca_file, "",
          "PEM CA certificates trusted, besides the system's, for the OIDC "
          "issuers of the policy's trusted_issuers (GitLab self-managed, an "
          "in-cluster issuer).");
ABSL_FLAG(bool, oidc_allow_http_loopback, false,
          "For tests only: accept trusted_issuers over plain http:// on a "
          "loopback host.");
ABSL_FLAG(absl::Duration, oidc_jwks_refresh_interval, absl::Minutes(15),
          "How long after a fetch an OIDC issuer's key set is fetched "
          "again.");
ABSL_FLAG(absl::Duration, oidc_min_refetch_interval, absl::Seconds(30),
          "A token naming a key id its issuer's set lacks makes the server "
          "fetch the set at once, at most once per this interval per "
          "issuer.");
ABSL_FLAG(absl::Duration, oidc_max_stale, absl::Hours(24),
          "How long the last good key set of an unreachable issuer is still "
          "used; after that its tokens fail UNAVAILABLE "
          "(IDENTITY_UNAVAILABLE).");
ABSL_FLAG(absl::Duration, orphan_grace, absl::Seconds(10),
          "When a CreateAuthToken's caller cancels or its deadline passes "
          "after the POST went upstream, the POST runs on (for up to 2 "
          "minutes while the process lives) and a token it creates is "
          "revoked. On SIGTERM the server waits this long for such creates, "
          "plus --orphan_revoke_timeout for their revocations, after "
          "--shutdown_grace; a create still unanswered then is abandoned "
          "and audited orphan_unknown.");
ABSL_FLAG(absl::Duration, orphan_revoke_timeout, absl::Seconds(10),
          "How long the DELETE that revokes an orphaned token may take; one "
          "that fails or runs out is logged (orphan_revoke_failed) and "
          "counted as revoke_failed.");
ABSL_FLAG(absl::Duration, idempotency_window, absl::Minutes(10),
          "How long a CreateAuthToken's request_id is remembered: a repeat "
          "from the same caller within it gets the first call's response.");
ABSL_FLAG(std::string, idempotency_store, "memory",
          "Where CreateAuthToken request_ids are remembered: 'memory' (this "
          "replica only), redis://host:port[/db], a Redis or Valkey shared "
          "by every replica (each replica's memory stays the first level), "
          "or rediss://host:port[/db] for the same over TLS. Needs "
          "--idempotency_store_key_file.");
ABSL_FLAG(std::string, idempotency_store_ca_file, "",
          "PEM CA certificates that sign a rediss:// store's certificate; "
          "empty: the system's. The certificate must name the host.");
ABSL_FLAG(std::string, idempotency_store_password_file, "",
          "File holding the shared store's password (AUTH); empty: none.");
ABSL_FLAG(std::string, idempotency_store_key_file, "",
          "File of keys for the shared store, one '<key id> <64 hex digits>' "
          "a line: the first encrypts (AES-256-GCM) the stored responses and "
          "names records (HMAC-SHA256); the others still decrypt.");
ABSL_FLAG(std::string, idempotency_store_unavailable, "refuse",
          "When the shared store cannot be reached, a create with a "
          "request_id is 'refuse'd (UNAVAILABLE, reason "
          "IDEMPOTENCY_STORE_UNAVAILABLE, with a RetryInfo) or remembered in "
          "this replica's 'memory' only (counted in "
          "vercel_tokens_idempotency_store_unavailable_total).");
ABSL_FLAG(int, max_idempotency_entries, 10000,
          "Most CreateAuthToken request_ids remembered at once; the oldest "
          "finished entry is forgotten first.");
ABSL_FLAG(absl::Duration, max_connection_age, absl::Minutes(5),
          "Clients are asked to reconnect after this long, so that long-lived "
          "HTTP/2 connections rebalance across replicas.");
ABSL_FLAG(absl::Duration, max_connection_age_grace, absl::Seconds(30),
          "How long calls on a connection past --max_connection_age may take "
          "to finish before it closes.");
ABSL_FLAG(std::string, metrics_listen, "",
          "Address of the Prometheus metrics endpoint (GET /metrics), e.g. "
          "[::]:9090 (IPv6 and IPv4) or 0.0.0.0:9090 (IPv4); empty: no "
          "metrics endpoint.");
ABSL_FLAG(absl::Duration, upstream_probe_interval, absl::Seconds(30),
          "How often the server sends one small unauthenticated request "
          "(GET /v2/user, answered 403) to the Vercel API, so that "
          "vercel_tokens_upstream_reachable is true without traffic; each "
          "probe waits at most min(this, 10s). 0: no probes.");
ABSL_FLAG(std::string, log_level, "info",
          "Lowest level logged on stderr as JSON lines: debug, info, warning "
          "or error. Each call logs one line at info (warning for "
          "INTERNAL, UNAVAILABLE, DEADLINE_EXCEEDED and the like).");

ABSL_FLAG(int, max_in_flight, 1000,
          "Most calls served at once; beyond it a call fails at once with "
          "RESOURCE_EXHAUSTED (reason SERVER_OVERLOADED, with a RetryInfo). "
          "Health checks are not counted.");
ABSL_FLAG(int64_t, max_request_bytes, 64 << 10,
          "Largest request message accepted, in bytes; larger ones fail with "
          "RESOURCE_EXHAUSTED before the call starts. Compressed requests are "
          "refused (UNIMPLEMENTED), so a small message cannot inflate.");
ABSL_FLAG(int, max_concurrent_streams, 100,
          "Most calls open at once on one client connection (HTTP/2 "
          "SETTINGS_MAX_CONCURRENT_STREAMS); further streams are refused.");
ABSL_FLAG(int64_t, grpc_memory_limit_bytes, 32 << 20,
          "Memory gRPC's transport may use for connections, streams and "
          "the request messages being received, in bytes; a stream that "
          "would take more is reset, so that a flood of large messages "
          "cannot grow the server.");
ABSL_FLAG(absl::Duration, handshake_timeout, absl::Seconds(10),
          "A new connection that has not completed its TLS handshake and "
          "HTTP/2 preface within this long is closed.");
ABSL_FLAG(absl::Duration, max_connection_idle, absl::Minutes(1),
          "A client connection without a call for this long is closed "
          "(GOAWAY).");
ABSL_FLAG(absl::Duration, tls_reload_interval, absl::Minutes(1),
          "How often the listener's --tls_cert_file and --tls_key_file are "
          "read again; a renewed certificate applies to new connections "
          "without dropping open ones. At least 1s.");
ABSL_FLAG(absl::Duration, drain_delay, absl::ZeroDuration(),
          "On SIGTERM/SIGINT, how long the server keeps listening and serving "
          "with its readiness health NOT_SERVING (liveness stays SERVING), so "
          "that load balancers stop sending calls before it stops "
          "listening; a second signal ends the wait early. Then "
          "--shutdown_grace applies.");
ABSL_FLAG(absl::Duration, keepalive_time, absl::Minutes(1),
          "The server pings a client connection idle this long, and closes "
          "it when the ping is not answered within --keepalive_timeout.");
ABSL_FLAG(absl::Duration, keepalive_timeout, absl::Seconds(20),
          "How long the server waits for the answer to its keepalive ping.");
ABSL_FLAG(absl::Duration, keepalive_min_ping_interval, absl::Seconds(10),
          "Shortest interval between client keepalive pings the server "
          "accepts on a connection without calls; clients pinging more often "
          "are closed with GOAWAY too_many_pings.");
ABSL_FLAG(bool, keepalive_permit_without_calls, true,
          "Whether clients may send keepalive pings on a connection with no "
          "call in flight.");

namespace vercel_tokens {
namespace {

// Whether `d` is positive and fits a gRPC channel argument (int
// milliseconds).
bool FitsGrpcMillis(absl::Duration d) {
  return d > absl::ZeroDuration() && d <= kMaxChannelArgDuration;
}

}  // namespace

absl::Status CheckConfig(const ServerConfig& config) {
  if (config.default_deadline <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--default_deadline must be positive");
  }
  if (config.shutdown_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--shutdown_grace must not be negative");
  }
  if (config.max_response_bytes <= 0) {
    return absl::InvalidArgumentError("--max_response_bytes must be positive");
  }
  if (config.max_list_pages <= 0) {
    return absl::InvalidArgumentError("--max_list_pages must be positive");
  }
  if (config.max_list_bytes <= 0) {
    return absl::InvalidArgumentError("--max_list_bytes must be positive");
  }
  if (config.max_upstream_connections < 0) {
    return absl::InvalidArgumentError(
        "--max_upstream_connections must not be negative");
  }
  if (config.upstream_max_attempts < 1) {
    return absl::InvalidArgumentError(
        "--upstream_max_attempts must be at least 1");
  }
  if (config.max_connection_age <= absl::ZeroDuration() ||
      config.max_connection_age_grace < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--max_connection_age must be positive and "
        "--max_connection_age_grace not negative");
  }
  if (config.max_in_flight < 1) {
    return absl::InvalidArgumentError("--max_in_flight must be at least 1");
  }
  if (config.max_request_bytes < 1 ||
      config.max_request_bytes > std::numeric_limits<int>::max()) {
    return absl::InvalidArgumentError(
        "--max_request_bytes must be between 1 and 2147483647");
  }
  if (config.max_concurrent_streams < 1) {
    return absl::InvalidArgumentError(
        "--max_concurrent_streams must be at least 1");
  }
  if (config.grpc_memory_limit_bytes < kMinGrpcMemoryLimitBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--grpc_memory_limit_bytes must be at least ",
                     kMinGrpcMemoryLimitBytes));
  }
  if (!FitsGrpcMillis(config.handshake_timeout)) {
    return absl::InvalidArgumentError(
        "--handshake_timeout must be positive and at most 24 days");
  }
  if (!FitsGrpcMillis(config.max_connection_idle)) {
    return absl::InvalidArgumentError(
        "--max_connection_idle must be positive and at most 24 days");
  }
  if (config.drain_delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--drain_delay must not be negative");
  }
  if (!FitsGrpcMillis(config.keepalive_time) ||
      !FitsGrpcMillis(config.keepalive_timeout) ||
      !FitsGrpcMillis(config.keepalive_min_ping_interval)) {
    return absl::InvalidArgumentError(
        "--keepalive_time, --keepalive_timeout and "
        "--keepalive_min_ping_interval must be positive and at most 24 days");
  }
  if (config.upstream_probe_interval < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--upstream_probe_interval must not be negative");
  }
  if (config.tls_reload_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        "--tls_reload_interval must be at least 1s");
  }
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  if (!config.tls_client_ca_file.empty() && config.tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_ca_file needs --tls_cert_file and --tls_key_file");
  }
  if (config.trust_forwarded_client_cert && !config.tls_cert_file.empty()) {
    return absl::InvalidArgumentError(
        "--trust_forwarded_client_cert cannot go with --tls_cert_file: with "
        "an in-process TLS listener no sidecar sets the header, and a "
        "header must never override a verified client certificate");
  }
  if (config.trusted_proxy_hops < 1) {
    return absl::InvalidArgumentError(
        "--trusted_proxy_hops must be at least 1");
  }
  if (config.kubernetes_token_review) {
    if (config.kubernetes_api_url.origin.empty()) {
      return absl::InvalidArgumentError(
          "--kubernetes_token_review needs --kubernetes_api_url, or "
          "KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT");
    }
    if (config.kubernetes_token_file.empty()) {
      return absl::InvalidArgumentError(
          "--kubernetes_token_review needs --kubernetes_token_file");
    }
    if (config.workload_token_audience.empty()) {
      return absl::InvalidArgumentError(
          "--workload_token_audience must not be empty");
    }
    if (config.trust_domain.empty() ||
        config.trust_domain.find_first_of("/:@?# ") != std::string::npos) {
      return absl::InvalidArgumentError(
          "--trust_domain must be a bare domain such as cluster.local");
    }
  }
  if (config.max_token_reviews_in_flight < 1) {
    return absl::InvalidArgumentError(
        "--max_token_reviews_in_flight must be at least 1");
  }
  if (config.max_token_review_cache_entries < 0) {
    return absl::InvalidArgumentError(
        "--max_token_review_cache_entries must not be negative");
  }
  if (config.orphan_grace <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--orphan_grace must be positive");
  }
  if (config.idempotency_store != "memory") {
    if (absl::StatusOr<RedisAddress> address =
            ParseRedisUrl(config.idempotency_store);
        !address.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--idempotency_store: ", address.status().message()));
    }
    if (config.idempotency_store_key_file.empty()) {
      return absl::InvalidArgumentError(
          "--idempotency_store needs --idempotency_store_key_file");
    }
  }
  if (config.idempotency_store_unavailable != "refuse" &&
      config.idempotency_store_unavailable != "memory") {
    return absl::InvalidArgumentError(
        "--idempotency_store_unavailable must be 'refuse' or 'memory'");
  }
  if (config.orphan_revoke_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "--orphan_revoke_timeout must be positive");
  }
  if (config.idempotency_window <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--idempotency_window must be positive");
  }
  if (config.max_idempotency_entries <= 0) {
    return absl::InvalidArgumentError(
        "--max_idempotency_entries must be positive");
  }
  return absl::OkStatus();
}

std::string KubernetesApiUrlFromEnv(const char* host, const char* port) {
  if (host == nullptr || port == nullptr || *host == '\0' || *port == '\0') {
    return "";
  }
  const absl::string_view h(host);
  if (h.find(':') != absl::string_view::npos) {
    return absl::StrCat("https://[", h, "]:", port);
  }
  return absl::StrCat("https://", h, ":", port);
}

absl::StatusOr<ServerConfig> ConfigFromFlags() {
  ServerConfig config;
  if (!ParseLogLevel(absl::GetFlag(FLAGS_log_level), &config.log_level)) {
    return absl::InvalidArgumentError(
        "--log_level must be debug, info, warning or error");
  }
  absl::StatusOr<BaseUrl> base_url =
      ParseBaseUrl(absl::GetFlag(FLAGS_vercel_api_base_url));
  if (!base_url.ok()) return base_url.status();
  config.vercel_api_base_url = *std::move(base_url);
  config.listen = absl::GetFlag(FLAGS_listen);
  config.vercel_token_file = absl::GetFlag(FLAGS_vercel_token_file);
  config.vercel_ca_file = absl::GetFlag(FLAGS_vercel_ca_file);
  config.default_deadline = absl::GetFlag(FLAGS_default_deadline);
  config.shutdown_grace = absl::GetFlag(FLAGS_shutdown_grace);
  config.max_response_bytes = absl::GetFlag(FLAGS_max_response_bytes);
  config.max_list_pages = absl::GetFlag(FLAGS_max_list_pages);
  config.max_list_bytes = absl::GetFlag(FLAGS_max_list_bytes);
  config.max_upstream_connections =
      absl::GetFlag(FLAGS_max_upstream_connections);
  config.upstream_max_attempts = absl::GetFlag(FLAGS_upstream_max_attempts);
  config.tls_cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  config.tls_key_file = absl::GetFlag(FLAGS_tls_key_file);
  config.tls_client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  config.trust_forwarded_client_cert =
      absl::GetFlag(FLAGS_trust_forwarded_client_cert);
  config.trusted_proxy_hops = absl::GetFlag(FLAGS_trusted_proxy_hops);
  config.kubernetes_token_review = absl::GetFlag(FLAGS_kubernetes_token_review);
  if (config.kubernetes_token_review) {
    std::string url = absl::GetFlag(FLAGS_kubernetes_api_url);
    if (url.empty()) {
      url = KubernetesApiUrlFromEnv(std::getenv("KUBERNETES_SERVICE_HOST"),
                                    std::getenv("KUBERNETES_SERVICE_PORT"));
    }
    if (!url.empty()) {
      absl::StatusOr<BaseUrl> parsed = ParseBaseUrl(url);
      if (!parsed.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("--kubernetes_api_url: ", parsed.status().message()));
      }
      config.kubernetes_api_url = *std::move(parsed);
    }
  }
  config.kubernetes_ca_file = absl::GetFlag(FLAGS_kubernetes_ca_file);
  config.kubernetes_token_file = absl::GetFlag(FLAGS_kubernetes_token_file);
  config.workload_token_audience = absl::GetFlag(FLAGS_workload_token_audience);
  config.trust_domain = absl::GetFlag(FLAGS_trust_domain);
  config.max_token_reviews_in_flight =
      absl::GetFlag(FLAGS_max_token_reviews_in_flight);
  config.max_token_review_cache_entries =
      absl::GetFlag(FLAGS_max_token_review_cache_entries);
  config.policy_file = absl::GetFlag(FLAGS_policy_file);
  config.oidc_ca_file = absl::GetFlag(FLAGS_oidc_ca_file);
  config.oidc_allow_http_loopback =
      absl::GetFlag(FLAGS_oidc_allow_http_loopback);
  config.oidc_jwks_refresh_interval =
      absl::GetFlag(FLAGS_oidc_jwks_refresh_interval);
  config.oidc_min_refetch_interval =
      absl::GetFlag(FLAGS_oidc_min_refetch_interval);
  config.oidc_max_stale = absl::GetFlag(FLAGS_oidc_max_stale);
  for (const auto& [name, value] :
       {std::pair{"--oidc_jwks_refresh_interval",
                  config.oidc_jwks_refresh_interval},
        std::pair{"--oidc_min_refetch_interval",
                  config.oidc_min_refetch_interval},
        std::pair{"--oidc_max_stale", config.oidc_max_stale}}) {
    if (value <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat(name, " must be positive"));
    }
  }
  config.orphan_grace = absl::GetFlag(FLAGS_orphan_grace);
  config.orphan_revoke_timeout = absl::GetFlag(FLAGS_orphan_revoke_timeout);
  config.idempotency_store = absl::GetFlag(FLAGS_idempotency_store);
  config.idempotency_store_password_file =
      absl::GetFlag(FLAGS_idempotency_store_password_file);
  config.idempotency_store_key_file =
      absl::GetFlag(FLAGS_idempotency_store_key_file);
  config.idempotency_store_ca_file =
      absl::GetFlag(FLAGS_idempotency_store_ca_file);
  config.idempotency_store_unavailable =
      absl::GetFlag(FLAGS_idempotency_store_unavailable);
  config.idempotency_window = absl::GetFlag(FLAGS_idempotency_window);
  config.max_idempotency_entries = absl::GetFlag(FLAGS_max_idempotency_entries);
  config.max_connection_age = absl::GetFlag(FLAGS_max_connection_age);
  config.max_connection_age_grace =
      absl::GetFlag(FLAGS_max_connection_age_grace);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.upstream_probe_interval = absl::GetFlag(FLAGS_upstream_probe_interval);
  config.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  config.max_request_bytes = absl::GetFlag(FLAGS_max_request_bytes);
  config.max_concurrent_streams = absl::GetFlag(FLAGS_max_concurrent_streams);
  config.grpc_memory_limit_bytes = absl::GetFlag(FLAGS_grpc_memory_limit_bytes);
  config.handshake_timeout = absl::GetFlag(FLAGS_handshake_timeout);
  config.max_connection_idle = absl::GetFlag(FLAGS_max_connection_idle);
  config.tls_reload_interval = absl::GetFlag(FLAGS_tls_reload_interval);
  config.drain_delay = absl::GetFlag(FLAGS_drain_delay);
  config.keepalive_time = absl::GetFlag(FLAGS_keepalive_time);
  config.keepalive_timeout = absl::GetFlag(FLAGS_keepalive_timeout);
  config.keepalive_min_ping_interval =
      absl::GetFlag(FLAGS_keepalive_min_ping_interval);
  config.keepalive_permit_without_calls =
      absl::GetFlag(FLAGS_keepalive_permit_without_calls);
  if (absl::Status s = CheckConfig(config); !s.ok()) return s;
  return config;
}

void SetServerUsage() {
  absl::SetProgramUsageMessage(
      "Serves vercel.authentication.v1.UserTokensService over gRPC by calling "
      "the Vercel REST API.\n"
      "Usage: vercel-tokens-server [--listen=0.0.0.0:50051] "
      "[--vercel_token_file=FILE] [flags]\n"
      "Stops gracefully on SIGTERM or SIGINT; reloads --policy_file on "
      "SIGHUP.");
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "server/config.cc");
  };
  usage_config.contains_helpshort_flags = usage_config.contains_help_flags;
  usage_config.version_string = [] {
    return absl::StrCat(kServerName, " ", kServerVersion, "\n");
  };
  absl::SetFlagsUsageConfig(usage_config);
}

absl::StatusOr<std::string> ReadFlagFile(absl::string_view flag,
                                         const std::string& path) {
  absl::StatusOr<std::string> contents = ReadFile(path);
  if (!contents.ok()) {
    return absl::Status(contents.status().code(),
                        absl::StrCat(flag, ": ", contents.status().message()));
  }
  return contents;
}

absl::StatusOr<std::string> LoadServerToken(const ServerConfig& config,
                                            const char* env_token) {
  std::string token;
  if (!config.vercel_token_file.empty()) {
    absl::StatusOr<std::string> contents =
        ReadFlagFile("--vercel_token_file", config.vercel_token_file);
    if (!contents.ok()) return contents.status();
    token = std::string(absl::StripAsciiWhitespace(*contents));
  } else if (env_token != nullptr) {
    token = std::string(absl::StripAsciiWhitespace(env_token));
  } else {
    return std::string();
  }
  if (!IsWellFormedToken(token)) {
    return absl::InvalidArgumentError(
        "the server's Vercel token must be 1 to 4096 printable ASCII "
        "characters without spaces");
  }
  return token;
}

}  // namespace vercel_tokens
