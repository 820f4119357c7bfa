#include "user_tokens_client.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace vercel_tokens {
namespace {

using ::vercel::authentication::v1::UserTokensService;

// Returns the integer value of metadata `key`, or nullopt when it is absent
// or not an integer.
std::optional<int64_t> MetadataInt(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
    absl::string_view key) {
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return std::nullopt;
  int64_t value;
  if (!absl::SimpleAtoi(absl::string_view(it->second.data(), it->second.size()),
                        &value)) {
    return std::nullopt;
  }
  return value;
}

// A grpc::Status with an ErrorInfo, as the server would send it.
grpc::Status ClientError(grpc::StatusCode code, const std::string& message,
                         absl::string_view reason) {
  google::rpc::Status rpc_status;
  rpc_status.set_code(code);
  rpc_status.set_message(message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(kClientErrorDomain);
  rpc_status.add_details()->PackFrom(info);
  return grpc::Status(code, message, rpc_status.SerializeAsString());
}

grpc::Status CredentialsUnavailable(const absl::Status& status) {
  return ClientError(grpc::StatusCode::UNAUTHENTICATED,
                     std::string(status.message()), "CREDENTIALS_UNAVAILABLE");
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// A random (version 4) UUID, lowercase.
std::string NewRequestId() {
  absl::BitGen gen;
  unsigned char bytes[16];
  for (unsigned char& b : bytes) b = absl::Uniform<unsigned char>(gen);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof(out),
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
                "%02x%02x%02x%02x%02x%02x",
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5],
                bytes[6], bytes[7], bytes[8], bytes[9], bytes[10], bytes[11],
                bytes[12], bytes[13], bytes[14], bytes[15]);
  return out;
}

// How long to wait before attempt `attempt + 1` after `status`.
absl::Duration WaitBefore(int attempt, const grpc::Status& status,
                          const RetryPolicy& policy) {
  if (std::optional<absl::Duration> delay =
          DecodeErrorDetails(status).retry_delay;
      delay.has_value()) {
    return *delay;
  }
  absl::BitGen gen;
  return policy.initial_backoff * (1 << std::min(attempt - 1, 20)) *
         absl::Uniform(gen, 0.5, 1.0);
}

bool IsRetriedCode(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE ||
         code == grpc::StatusCode::RESOURCE_EXHAUSTED;
}

// The status of a call its CancellationToken stopped before (or between)
// attempts; gRPC's own is "Cancelled" when it stops one in flight.
grpc::Status CancelledByCaller() {
  return grpc::Status(grpc::StatusCode::CANCELLED,
                      "call cancelled by the caller");
}

}  // namespace

void CancellationToken::Cancel() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  // Under mu_: Finish() takes it before a context is destroyed. TryCancel is
  // thread-safe and does not block; before the call has started it marks the
  // context, and gRPC cancels the call as it starts.
  for (grpc::ClientContext* context : in_flight_) context->TryCancel();
}

bool CancellationToken::cancelled() const {
  absl::MutexLock lock(&mu_);
  return cancelled_;
}

bool CancellationToken::Start(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  if (cancelled_) return false;
  in_flight_.push_back(context);
  return true;
}

void CancellationToken::Finish(grpc::ClientContext* context) {
  absl::MutexLock lock(&mu_);
  in_flight_.erase(std::find(in_flight_.begin(), in_flight_.end(), context));
}

bool CancellationToken::WaitUnlessCancelled(absl::Duration wait) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&cancelled_), wait);
  return cancelled_;
}

ErrorFamily FamilyOf(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return ErrorFamily::kOk;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return ErrorFamily::kInvalidArgument;
    case grpc::StatusCode::FAILED_PRECONDITION:
      return ErrorFamily::kFailedPrecondition;
    case grpc::StatusCode::UNAUTHENTICATED:
      return ErrorFamily::kUnauthenticated;
    case grpc::StatusCode::PERMISSION_DENIED:
      return ErrorFamily::kPermissionDenied;
    case grpc::StatusCode::NOT_FOUND:
      return ErrorFamily::kNotFound;
    case grpc::StatusCode::ALREADY_EXISTS:
      return ErrorFamily::kAlreadyExists;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return ErrorFamily::kRateLimited;
    case grpc::StatusCode::UNAVAILABLE:
      return ErrorFamily::kUnavailable;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return ErrorFamily::kDeadlineExceeded;
    case grpc::StatusCode::CANCELLED:
      return ErrorFamily::kCancelled;
    case grpc::StatusCode::INTERNAL:
      return ErrorFamily::kInternal;
    case grpc::StatusCode::UNIMPLEMENTED:
      return ErrorFamily::kUnimplemented;
    case grpc::StatusCode::UNKNOWN:
      return ErrorFamily::kUnknown;
    default:
      return ErrorFamily::kOther;
  }
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> MakeChannel(
    const std::string& target, const ClientOptions& options) {
  grpc::ChannelArguments arguments;
  if (options.min_reconnect_backoff.has_value()) {
    const int min_ms = static_cast<int>(
        absl::ToInt64Milliseconds(*options.min_reconnect_backoff));
    arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, min_ms);
    arguments.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, min_ms);
  }
  if (options.max_reconnect_backoff.has_value()) {
    arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
                     static_cast<int>(absl::ToInt64Milliseconds(
                         *options.max_reconnect_backoff)));
  }
  const bool any_tls_option =
      !options.tls_ca_file.empty() || !options.tls_cert_file.empty() ||
      !options.tls_key_file.empty() || !options.tls_server_name.empty();
  if (options.plaintext) {
    if (any_tls_option) {
      return absl::InvalidArgumentError("TLS options need TLS, not plaintext");
    }
    return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                     arguments);
  }
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls_cert_file and tls_key_file go together");
  }
  grpc::SslCredentialsOptions ssl_options;
  if (!options.tls_ca_file.empty()) {
    absl::StatusOr<std::string> roots = ReadFile(options.tls_ca_file);
    if (!roots.ok()) return roots.status();
    ssl_options.pem_root_certs = *std::move(roots);
  }
  if (!options.tls_cert_file.empty()) {
    absl::StatusOr<std::string> cert = ReadFile(options.tls_cert_file);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile(options.tls_key_file);
    if (!key.ok()) return key.status();
    ssl_options.pem_cert_chain = *std::move(cert);
    ssl_options.pem_private_key = *std::move(key);
  }
  if (!options.tls_server_name.empty()) {
    arguments.SetSslTargetNameOverride(options.tls_server_name);
  }
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(ssl_options),
                                   arguments);
}

ErrorDetails DecodeErrorDetails(const grpc::Status& status) {
  ErrorDetails details;
  google::rpc::Status rpc_status;
  details.family = FamilyOf(status.error_code());
  if (status.ok() || status.error_details().empty() ||
      !rpc_status.ParseFromString(status.error_details())) {
    return details;
  }
  for (const google::protobuf::Any& any : rpc_status.details()) {
    if (google::rpc::ErrorInfo info; any.UnpackTo(&info)) {
      details.reason = info.reason();
      details.domain = info.domain();
      details.metadata.insert(info.metadata().begin(), info.metadata().end());
      if (auto it = info.metadata().find("http_status");
          it != info.metadata().end()) {
        (void)absl::SimpleAtoi(it->second, &details.http_status);
      }
      if (auto it = info.metadata().find("vercel_request_id");
          it != info.metadata().end()) {
        details.vercel_request_id = it->second;
      }
    } else if (google::rpc::RetryInfo retry; any.UnpackTo(&retry)) {
      details.retry_delay = absl::Seconds(retry.retry_delay().seconds()) +
                            absl::Nanoseconds(retry.retry_delay().nanos());
    } else if (google::rpc::BadRequest bad_request;
               any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        details.field_violations.push_back(
            {violation.field(), violation.description()});
      }
    }
  }
  return details;
}

ErrorDetails DecodeErrorDetails(const grpc::Status& status,
                                const ResponseMetadata& metadata) {
  ErrorDetails details = DecodeErrorDetails(status);
  details.rate_limit = metadata;
  if (metadata.vercel_request_id.has_value() &&
      !metadata.vercel_request_id->empty()) {
    details.vercel_request_id = *metadata.vercel_request_id;
  }
  return details;
}

RateLimit ParseRateLimit(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  RateLimit out{MetadataInt(metadata, "x-ratelimit-limit"),
                MetadataInt(metadata, "x-ratelimit-remaining"),
                MetadataInt(metadata, "x-ratelimit-reset"), std::nullopt};
  if (auto it = metadata.find("x-vercel-id"); it != metadata.end()) {
    out.vercel_request_id = std::string(it->second.data(), it->second.size());
  }
  return out;
}

ResponseMetadata ParseResponseMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& initial,
    const std::multimap<grpc::string_ref, grpc::string_ref>& trailing) {
  ResponseMetadata out = ParseRateLimit(initial);
  const ResponseMetadata from_trailers = ParseRateLimit(trailing);
  if (!out.limit.has_value()) out.limit = from_trailers.limit;
  if (!out.remaining.has_value()) out.remaining = from_trailers.remaining;
  if (!out.reset_unix_seconds.has_value()) {
    out.reset_unix_seconds = from_trailers.reset_unix_seconds;
  }
  if (!out.vercel_request_id.has_value()) {
    out.vercel_request_id = from_trailers.vercel_request_id;
  }
  return out;
}

UserTokensClient::UserTokensClient(
    std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : stub_(UserTokensService::NewStub(std::move(channel))),
      options_(std::move(options)) {
  if (!options_.workload_token_file.empty()) {
    workload_token_ = TokenFileProvider(options_.workload_token_file);
  }
}

absl::StatusOr<UserTokensClient> UserTokensClient::Connect(
    const std::string& target, ClientOptions options) {
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      MakeChannel(target, options);
  if (!channel.ok()) return channel.status();
  return UserTokensClient(*std::move(channel), std::move(options));
}

grpc::Status UserTokensClient::AddMetadata(const CallOptions& call_options,
                                           grpc::ClientContext* context) const {
  const bool call_has_authorization =
      std::any_of(call_options.metadata.begin(), call_options.metadata.end(),
                  [](const auto& pair) {
                    return absl::AsciiStrToLower(pair.first) == "authorization";
                  });
  if (!call_has_authorization) {
    std::string token = options_.bearer_token;
    if (options_.token_provider) {
      absl::StatusOr<std::string> provided = options_.token_provider();
      if (!provided.ok()) return CredentialsUnavailable(provided.status());
      token = *std::move(provided);
    }
    if (!token.empty()) {
      context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
    }
  }
  if (workload_token_) {
    absl::StatusOr<std::string> workload_token = workload_token_();
    if (!workload_token.ok()) {
      return CredentialsUnavailable(workload_token.status());
    }
    context->AddMetadata("x-workload-token", *workload_token);
  }
  for (const auto& [key, value] : call_options.metadata) {
    context->AddMetadata(absl::AsciiStrToLower(key), value);
  }
  return grpc::Status::OK;
}

template <typename Request, typename Response>
grpc::Status UserTokensClient::Call(StubMethod<Request, Response> method,
                                    const Request& request, Response* response,
                                    RateLimit* rate_limit,
                                    const CallOptions& call_options,
                                    bool retryable) const {
  const absl::Time deadline =
      absl::Now() + call_options.deadline.value_or(options_.timeout);
  const int attempts = retryable && options_.retry.has_value()
                           ? options_.retry->max_attempts
                           : 1;
  CancellationToken* const cancellation = call_options.cancellation;
  for (int attempt = 1;; ++attempt) {
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(deadline));
    if (cancellation != nullptr && !cancellation->Start(&context)) {
      return CancelledByCaller();
    }
    if (grpc::Status added = AddMetadata(call_options, &context); !added.ok()) {
      if (cancellation != nullptr) cancellation->Finish(&context);
      return added;
    }
    grpc::Status status = (stub_.get()->*method)(&context, request, response);
    if (cancellation != nullptr) cancellation->Finish(&context);
    if (rate_limit != nullptr) {
      *rate_limit = ParseResponseMetadata(context.GetServerInitialMetadata(),
                                          context.GetServerTrailingMetadata());
    }
    if (status.ok() || attempt >= attempts ||
        !IsRetriedCode(status.error_code())) {
      return status;
    }
    const absl::Duration wait = WaitBefore(attempt, status, *options_.retry);
    if (absl::Now() + wait >= deadline) return status;
    if (cancellation == nullptr) {
      absl::SleepFor(wait);
    } else if (cancellation->WaitUnlessCancelled(wait)) {
      return CancelledByCaller();
    }
  }
}

grpc::Status UserTokensClient::ListAuthTokensRawPages(
    const vercel::authentication::v1::ListAuthTokensRawRequest& request,
    const std::function<bool(
        const vercel::authentication::v1::ListAuthTokensRawResponse&)>& on_page,
    const CallOptions& call_options) const {
  vercel::authentication::v1::ListAuthTokensRawRequest page_request = request;
  while (true) {
    vercel::authentication::v1::ListAuthTokensRawResponse page;
    if (grpc::Status status =
            ListAuthTokensRaw(page_request, &page, nullptr, call_options);
        !status.ok()) {
      return status;
    }
    if (!on_page(page)) return grpc::Status::OK;
    const std::string& next = page.pagination().next_cursor();
    if (next.empty() || next == page_request.until()) return grpc::Status::OK;
    page_request.clear_since();
    page_request.set_until(next);
  }
}

grpc::Status UserTokensClient::GetAuthToken(
    const vercel::authentication::v1::GetAuthTokenRequest& request,
    vercel::authentication::v1::GetAuthTokenResponse* response,
    RateLimit* rate_limit, const CallOptions& call_options) const {
  return Call(&UserTokensService::Stub::GetAuthToken, request, response,
              rate_limit, call_options, /*retryable=*/true);
}

grpc::Status UserTokensClient::ListAuthTokens(
    const vercel::authentication::v1::ListAuthTokensRequest& request,
    vercel::authentication::v1::ListAuthTokensResponse* response,
    RateLimit* rate_limit, const CallOptions& call_options) const {
  return Call(&UserTokensService::Stub::ListAuthTokens, request, response,
              rate_limit, call_options, /*retryable=*/true);
}

grpc::Status UserTokensClient::CreateAuthToken(
    const vercel::authentication::v1::CreateAuthTokenRequest& request,
    vercel::authentication::v1::CreateAuthTokenResponse* response,
    RateLimit* rate_limit, const CallOptions& call_options) const {
  if (!request.request_id().empty()) {
    return Call(&UserTokensService::Stub::CreateAuthToken, request, response,
                rate_limit, call_options, /*retryable=*/true);
  }
  // One id for every attempt, so that the server creates one token.
  vercel::authentication::v1::CreateAuthTokenRequest with_id = request;
  with_id.set_request_id(NewRequestId());
  return Call(&UserTokensService::Stub::CreateAuthToken, with_id, response,
              rate_limit, call_options, /*retryable=*/true);
}

grpc::Status UserTokensClient::DeleteAuthToken(
    const vercel::authentication::v1::DeleteAuthTokenRequest& request,
    vercel::authentication::v1::DeleteAuthTokenResponse* response,
    RateLimit* rate_limit, const CallOptions& call_options) const {
  return Call(&UserTokensService::Stub::DeleteAuthToken, request, response,
              rate_limit, call_options, /*retryable=*/false);
}

grpc::Status UserTokensClient::ListAuthTokensRaw(
    const vercel::authentication::v1::ListAuthTokensRawRequest& request,
    vercel::authentication::v1::ListAuthTokensRawResponse* response,
    RateLimit* rate_limit, const CallOptions& call_options) const {
  return Call(&UserTokensService::Stub::ListAuthTokensRaw, request, response,
              rate_limit, call_options, /*retryable=*/true);
}

grpc::Status UserTokensClient::EmailLogin(
    const vercel::authentication::v1::EmailLoginRequest& request,
    vercel::authentication::v1::EmailLoginResponse* response,
    RateLimit* rate_limit, const CallOptions& call_options) const {
  return Call(&UserTokensService::Stub::EmailLogin, request, response,
              rate_limit, call_options, /*retryable=*/false);
}

grpc::Status UserTokensClient::VerifyToken(
    const vercel::authentication::v1::VerifyTokenRequest& request,
    vercel::authentication::v1::VerifyTokenResponse* response,
    RateLimit* rate_limit, const CallOptions& call_options) const {
  return Call(&UserTokensService::Stub::VerifyToken, request, response,
              rate_limit, call_options, /*retryable=*/false);
}

}  // namespace vercel_tokens
