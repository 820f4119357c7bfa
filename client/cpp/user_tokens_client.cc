#include "user_tokens_client.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
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

}  // namespace

ErrorDetails DecodeErrorDetails(const grpc::Status& status) {
  ErrorDetails details;
  google::rpc::Status rpc_status;
  if (status.ok() || status.error_details().empty() ||
      !rpc_status.ParseFromString(status.error_details())) {
    return details;
  }
  for (const google::protobuf::Any& any : rpc_status.details()) {
    if (google::rpc::ErrorInfo info; any.UnpackTo(&info)) {
      details.reason = info.reason();
      details.domain = info.domain();
      details.metadata.insert(info.metadata().begin(), info.metadata().end());
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

UserTokensClient::UserTokensClient(
    std::shared_ptr<grpc::ChannelInterface> channel, ClientOptions options)
    : stub_(UserTokensService::NewStub(std::move(channel))),
      options_(std::move(options)) {}

template <typename Request, typename Response>
grpc::Status UserTokensClient::Call(StubMethod<Request, Response> method,
                                    const Request& request, Response* response,
                                    RateLimit* rate_limit) const {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  if (!options_.bearer_token.empty()) {
    context.AddMetadata("authorization",
                        absl::StrCat("Bearer ", options_.bearer_token));
  }
  grpc::Status status = (stub_.get()->*method)(&context, request, response);
  if (rate_limit != nullptr) {
    *rate_limit = ParseRateLimit(context.GetServerInitialMetadata());
  }
  return status;
}

grpc::Status UserTokensClient::GetAuthToken(
    const vercel::authentication::v1::GetAuthTokenRequest& request,
    vercel::authentication::v1::GetAuthTokenResponse* response,
    RateLimit* rate_limit) const {
  return Call(&UserTokensService::Stub::GetAuthToken, request, response,
              rate_limit);
}

grpc::Status UserTokensClient::ListAuthTokens(
    const vercel::authentication::v1::ListAuthTokensRequest& request,
    vercel::authentication::v1::ListAuthTokensResponse* response,
    RateLimit* rate_limit) const {
  return Call(&UserTokensService::Stub::ListAuthTokens, request, response,
              rate_limit);
}

grpc::Status UserTokensClient::CreateAuthToken(
    const vercel::authentication::v1::CreateAuthTokenRequest& request,
    vercel::authentication::v1::CreateAuthTokenResponse* response,
    RateLimit* rate_limit) const {
  return Call(&UserTokensService::Stub::CreateAuthToken, request, response,
              rate_limit);
}

grpc::Status UserTokensClient::DeleteAuthToken(
    const vercel::authentication::v1::DeleteAuthTokenRequest& request,
    vercel::authentication::v1::DeleteAuthTokenResponse* response,
    RateLimit* rate_limit) const {
  return Call(&UserTokensService::Stub::DeleteAuthToken, request, response,
              rate_limit);
}

grpc::Status UserTokensClient::ListAuthTokensRaw(
    const vercel::authentication::v1::ListAuthTokensRawRequest& request,
    vercel::authentication::v1::ListAuthTokensRawResponse* response,
    RateLimit* rate_limit) const {
  return Call(&UserTokensService::Stub::ListAuthTokensRaw, request, response,
              rate_limit);
}

grpc::Status UserTokensClient::EmailLogin(
    const vercel::authentication::v1::EmailLoginRequest& request,
    vercel::authentication::v1::EmailLoginResponse* response,
    RateLimit* rate_limit) const {
  return Call(&UserTokensService::Stub::EmailLogin, request, response,
              rate_limit);
}

grpc::Status UserTokensClient::VerifyToken(
    const vercel::authentication::v1::VerifyTokenRequest& request,
    vercel::authentication::v1::VerifyTokenResponse* response,
    RateLimit* rate_limit) const {
  return Call(&UserTokensService::Stub::VerifyToken, request, response,
              rate_limit);
}

}  // namespace vercel_tokens
