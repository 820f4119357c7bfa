#include "server/rpc/server_token_id.h"

#include <utility>

#include "server/vercel/request_builder.h"
#include "server/vercel/response_mapping.h"

namespace vercel_tokens {
namespace {

// How long one attempt may take.
constexpr absl::Duration kAttemptTimeout = absl::Seconds(10);

}  // namespace

ServerTokenId::ServerTokenId(UpstreamTransport* transport,
                             std::string server_token, Logger* logger,
                             const Clock* clock)
    : transport_(transport),
      server_token_(std::move(server_token)),
      logger_(logger),
      clock_(clock) {}

void ServerTokenId::Learn() {
  {
    absl::MutexLock lock(&mu_);
    if (asking_ || id_.has_value()) return;
    asking_ = true;
    last_attempt_ = clock_->Now();
  }
  vercel::authentication::v1::GetAuthTokenRequest request;
  request.set_token_id("current");
  absl::StatusOr<uint64_t> id = transport_->Submit(
      BuildGetAuthToken(request, server_token_),
      clock_->Now() + kAttemptTimeout,
      [this](absl::StatusOr<UpstreamResponse> result) {
        std::optional<std::string> learned;
        if (result.ok() && result->http_status == 200) {
          if (auto token = MapGetAuthTokenResponse(result->body);
              token.ok() && !token->token().id().empty()) {
            learned = token->token().id();
          }
        }
        if (learned.has_value()) {
          logger_->Log(LogLevel::kInfo, "learned the server token's id",
                       {{"token_id", absl::string_view(*learned)}});
        } else {
          logger_->Log(LogLevel::kWarning,
                       "cannot learn the server token's id; deletes with the "
                       "server's token are refused until it is known");
        }
        absl::MutexLock lock(&mu_);
        asking_ = false;
        if (learned.has_value()) id_ = std::move(learned);
      },
      absl::InfinitePast());
  if (!id.ok()) {
    absl::MutexLock lock(&mu_);
    asking_ = false;
  }
}

std::optional<std::string> ServerTokenId::Get() {
  {
    absl::MutexLock lock(&mu_);
    if (id_.has_value()) return id_;
    if (asking_ || clock_->Now() - last_attempt_ < kRetryInterval) {
      return std::nullopt;
    }
  }
  Learn();
  return std::nullopt;
}

}  // namespace vercel_tokens
