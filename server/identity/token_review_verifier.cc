#include "server/identity/token_review_verifier.h"

#include <algorithm>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "server/common/files.h"
#include "server/common/text.h"
#include "server/identity/identity_errors.h"
#include "server/vercel/error_mapping.h"

namespace vercel_tokens {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr absl::string_view kTokenReviewPath =
    "/apis/authentication.k8s.io/v1/tokenreviews";
constexpr absl::string_view kServiceAccountPrefix = "system:serviceaccount:";
constexpr absl::string_view kPodNameKey =
    "authentication.kubernetes.io/pod-name";
constexpr absl::string_view kPodUidKey = "authentication.kubernetes.io/pod-uid";
constexpr absl::string_view kCredentialIdKey =
    "authentication.kubernetes.io/credential-id";
// What a caller is told to wait when the API server cannot answer now.
constexpr absl::Duration kDefaultRetry = absl::Seconds(1);
// The most of the API server's text put into a message or log line.
constexpr size_t kMaxQuotedBytes = 300;

// A Kubernetes object name: a DNS subdomain (lower-case letters, digits,
// '-' and '.'), at most 253 characters.
bool IsObjectName(absl::string_view name) {
  return !name.empty() && name.size() <= 253 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return absl::ascii_islower(static_cast<unsigned char>(c)) ||
                  absl::ascii_isdigit(static_cast<unsigned char>(c)) ||
                  c == '-' || c == '.';
         });
}

const Value* Field(const Struct& object, absl::string_view name) {
  auto it = object.fields().find(std::string(name));
  return it == object.fields().end() ? nullptr : &it->second;
}

std::string StringField(const Struct& object, absl::string_view name) {
  const Value* v = Field(object, name);
  return v != nullptr && v->has_string_value() ? v->string_value() : "";
}

const Struct* ObjectField(const Struct& object, absl::string_view name) {
  const Value* v = Field(object, name);
  return v != nullptr && v->has_struct_value() ? &v->struct_value() : nullptr;
}

// The first string of the list `name` of `object`, or "".
std::string FirstOfList(const Struct& object, absl::string_view name) {
  const Value* v = Field(object, name);
  if (v == nullptr || !v->has_list_value() ||
      v->list_value().values().empty() ||
      !v->list_value().values(0).has_string_value()) {
    return "";
  }
  return v->list_value().values(0).string_value();
}

TokenReviewOutcome Unavailable(absl::string_view why, absl::Duration retry) {
  return {IdentityUnavailable(
              absl::StrCat("the Kubernetes API server cannot review workload "
                           "tokens now: ",
                           why),
              retry),
          "unavailable"};
}

TokenReviewOutcome Refused(absl::string_view reason, absl::string_view outcome,
                           absl::string_view why) {
  return {UnauthenticatedIdentity(
              reason, absl::StrCat("the workload token was refused: ", why)),
          outcome};
}

}  // namespace

UpstreamRequest BuildTokenReview(absl::string_view token,
                                 absl::string_view audience,
                                 absl::string_view bearer) {
  Struct review;
  auto& fields = *review.mutable_fields();
  fields["apiVersion"].set_string_value("authentication.k8s.io/v1");
  fields["kind"].set_string_value("TokenReview");
  auto& spec = *fields["spec"].mutable_struct_value()->mutable_fields();
  spec["token"].set_string_value(std::string(token));
  spec["audiences"].mutable_list_value()->add_values()->set_string_value(
      std::string(audience));
  UpstreamRequest request;
  request.method = HttpMethod::kPost;
  request.endpoint = absl::StrCat("POST ", kTokenReviewPath);
  request.target = std::string(kTokenReviewPath);
  // Cannot fail: a Struct of strings always serializes.
  (void)google::protobuf::util::MessageToJsonString(review, &request.body);
  request.bearer_token = std::string(bearer);
  return request;
}

TokenReviewOutcome MapTokenReview(
    const absl::StatusOr<UpstreamResponse>& result, absl::string_view token,
    absl::string_view audience, absl::string_view trust_domain,
    absl::Time now) {
  if (!result.ok()) {
    return Unavailable(
        absl::StrCat("the review failed (",
                     absl::StatusCodeToString(result.status().code()), ")"),
        kDefaultRetry);
  }
  const long http = result->http_status;
  const std::vector<std::string> secrets = {std::string(token)};
  if (http == 429 || http >= 500) {
    absl::Duration retry = kDefaultRetry;
    if (auto value = result->Header("retry-after")) {
      retry = ParseRetryAfter(*value, now).value_or(kDefaultRetry);
    }
    return Unavailable(absl::StrCat("HTTP ", http), retry);
  }
  if (http != 200 && http != 201) {
    return {IdentityMisconfigured(absl::StrCat(
                "this server may not review workload tokens (HTTP ", http,
                "): bind its ServiceAccount to the ClusterRole "
                "system:auth-delegator")),
            "forbidden"};
  }
  Struct review;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const Struct* status = nullptr;
  if (google::protobuf::util::JsonStringToMessage(result->body, &review,
                                                  options)
          .ok()) {
    status = ObjectField(review, "status");
  }
  if (status == nullptr) {
    return Unavailable("its answer is not a TokenReview", kDefaultRetry);
  }
  const Value* authenticated = Field(*status, "authenticated");
  if (authenticated == nullptr || !authenticated->has_bool_value() ||
      !authenticated->bool_value()) {
    const std::string error = SanitizeUpstreamText(
        StringField(*status, "error"), secrets, kMaxQuotedBytes);
    if (absl::StrContains(error, "has expired")) {
      return Refused(kWorkloadTokenExpired, "expired", error);
    }
    if (absl::StrContains(error, "is invalid for the target audiences")) {
      return Refused(kWorkloadTokenAudience, "audience", error);
    }
    return Refused(kWorkloadTokenInvalid, "invalid",
                   error.empty() ? "not authenticated" : error);
  }
  bool has_audience = false;
  if (const Value* audiences = Field(*status, "audiences");
      audiences != nullptr && audiences->has_list_value()) {
    for (const Value& a : audiences->list_value().values()) {
      has_audience |= a.has_string_value() && a.string_value() == audience;
    }
  }
  if (!has_audience) {
    return Refused(kWorkloadTokenAudience, "audience",
                   absl::StrCat("the API server did not confirm the "
                                "audience ",
                                audience));
  }
  const Struct* user = ObjectField(*status, "user");
  const std::string username = user ? StringField(*user, "username") : "";
  absl::string_view rest = username;
  const std::vector<absl::string_view> parts =
      absl::ConsumePrefix(&rest, kServiceAccountPrefix)
          ? absl::StrSplit(rest, ':')
          : std::vector<absl::string_view>();
  if (parts.size() != 2 || !IsObjectName(parts[0]) || !IsObjectName(parts[1])) {
    return Refused(kWorkloadTokenInvalid, "invalid",
                   "it is not a ServiceAccount's token");
  }
  Caller caller;
  caller.id = absl::StrCat("spiffe://", trust_domain, "/ns/", parts[0], "/sa/",
                           parts[1]);
  caller.source = CallerSource::kKubernetes;
  caller.service_account_uid = StringField(*user, "uid");
  if (const Struct* extra = ObjectField(*user, "extra")) {
    caller.pod_name = FirstOfList(*extra, kPodNameKey);
    caller.pod_uid = FirstOfList(*extra, kPodUidKey);
    std::string credential = FirstOfList(*extra, kCredentialIdKey);
    absl::string_view jti = credential;
    if (absl::ConsumePrefix(&jti, "JTI="))
      caller.credential_id = std::string(jti);
  }
  return {std::move(caller), "authenticated"};
}

absl::StatusOr<std::unique_ptr<ServiceAccountTokenFile>>
ServiceAccountTokenFile::Open(std::string path, absl::Duration reload_interval,
                              Logger* logger) {
  absl::StatusOr<std::string> token = ReadFile(path);
  if (!token.ok()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--kubernetes_token_file: ", token.status().message()));
  }
  std::string trimmed(absl::StripAsciiWhitespace(*token));
  if (trimmed.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("--kubernetes_token_file: ", path, " is empty"));
  }
  return std::unique_ptr<ServiceAccountTokenFile>(new ServiceAccountTokenFile(
      std::move(path), reload_interval, logger, std::move(trimmed)));
}

ServiceAccountTokenFile::ServiceAccountTokenFile(std::string path,
                                                 absl::Duration reload_interval,
                                                 Logger* logger,
                                                 std::string token)
    : path_(std::move(path)),
      reload_interval_(reload_interval),
      logger_(logger),
      token_(std::move(token)),
      thread_([this] { ReloadLoop(); }) {}

ServiceAccountTokenFile::~ServiceAccountTokenFile() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  thread_.join();
}

std::string ServiceAccountTokenFile::Current() const {
  absl::MutexLock lock(&mu_);
  return token_;
}

void ServiceAccountTokenFile::ReloadLoop() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const bool stopping = mu_.AwaitWithTimeout(
          absl::Condition(
              +[](bool* stopping) { return *stopping; }, &stopping_),
          reload_interval_);
      if (stopping) return;
    }
    absl::StatusOr<std::string> token = ReadFile(path_);
    std::string trimmed =
        token.ok() ? std::string(absl::StripAsciiWhitespace(*token)) : "";
    if (trimmed.empty()) {
      logger_->Log(LogLevel::kWarning,
                   "cannot re-read --kubernetes_token_file; keeping the last "
                   "token",
                   {{"path", absl::string_view(path_)}});
      continue;
    }
    absl::MutexLock lock(&mu_);
    token_ = std::move(trimmed);
  }
}

TokenReviewVerifier::TokenReviewVerifier(UpstreamTransport* transport,
                                         const ServiceAccountTokenFile* bearer,
                                         Logger* logger, Metrics* metrics,
                                         Options options)
    : transport_(transport),
      bearer_(bearer),
      logger_(logger),
      metrics_(metrics),
      options_(std::move(options)) {}

bool TokenReviewVerifier::Accepts(const UnverifiedJwt&) const { return true; }

void TokenReviewVerifier::Verify(const std::string& token, const UnverifiedJwt&,
                                 Done done) {
  // Shared so that a Submit that drops `finish` unrun still answers.
  auto answer = std::make_shared<Done>(std::move(done));
  auto finish = [this, token,
                 answer](absl::StatusOr<UpstreamResponse> result) mutable {
    TokenReviewOutcome outcome = MapTokenReview(
        result, token, options_.audience, options_.trust_domain, absl::Now());
    if (metrics_ != nullptr) metrics_->TokenReviewed(outcome.outcome);
    if (outcome.outcome == "forbidden") {
      logger_->Log(
          LogLevel::kError,
          "the Kubernetes API server refuses this server's "
          "TokenReviews: bind its ServiceAccount to the ClusterRole "
          "system:auth-delegator",
          {{"http_status", int64_t{result.ok() ? result->http_status : 0}}});
    } else if (outcome.outcome == "unavailable") {
      logger_->Log(LogLevel::kWarning, "TokenReview failed",
                   {{"error", outcome.caller.status().message()}});
    }
    std::move (*answer)(std::move(outcome.caller));
  };
  absl::StatusOr<uint64_t> id = transport_->Submit(
      BuildTokenReview(token, options_.audience, bearer_->Current()),
      absl::Now() + options_.timeout, std::move(finish), absl::InfinitePast());
  if (!id.ok()) {
    // The transport is shutting down and dropped `finish` unrun.
    if (metrics_ != nullptr) metrics_->TokenReviewed("unavailable");
    std::move (*answer)(
        IdentityUnavailable("the server is shutting down", kDefaultRetry));
  }
}

}  // namespace vercel_tokens
