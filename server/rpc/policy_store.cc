#include "server/rpc/policy_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/common/crypto.h"
#include "server/common/files.h"
#include "server/rpc/policy.h"

namespace vercel_tokens {

absl::StatusOr<std::unique_ptr<PolicyStore>> PolicyStore::Open(
    std::string path, Logger* logger, Metrics* metrics,
    absl::Duration poll_interval, PolicyOptions options) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) {
    return absl::Status(
        text.status().code(),
        absl::StrCat("--policy_file: ", text.status().message()));
  }
  absl::StatusOr<policy::Policy> parsed = ParsePolicy(*text, options);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--policy_file: ", parsed.status().message()));
  }
  const std::string sha256 = Sha256Hex(*text);
  logger->Log(LogLevel::kInfo, "policy loaded",
              {{"trigger", absl::string_view("start")},
               {"rules", int64_t{parsed->rules_size()}},
               {"sha256", absl::string_view(sha256)}});
  if (metrics != nullptr) metrics->SetPolicy(sha256);
  return std::unique_ptr<PolicyStore>(new PolicyStore(
      std::move(path), logger, metrics, poll_interval, options,
      *std::move(text),
      std::make_shared<const policy::Policy>(*std::move(parsed))));
}

PolicyStore::PolicyStore(std::string path, Logger* logger, Metrics* metrics,
                         absl::Duration poll_interval, PolicyOptions options,
                         std::string text,
                         std::shared_ptr<const policy::Policy> policy)
    : path_(std::move(path)),
      logger_(logger),
      metrics_(metrics),
      poll_interval_(poll_interval),
      options_(options),
      last_text_(std::move(text)),
      current_(std::move(policy)) {
  poller_ = std::thread([this] { Poll(); });
}

PolicyStore::~PolicyStore() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  poller_.join();
}

std::shared_ptr<const policy::Policy> PolicyStore::Current() const {
  absl::MutexLock lock(&mu_);
  return current_;
}

absl::Status PolicyStore::Reload(absl::string_view trigger) {
  absl::MutexLock lock(&reload_mu_);
  absl::StatusOr<std::string> text = ReadFile(path_);
  if (!text.ok()) {
    logger_->Log(LogLevel::kWarning, "policy reload failed; keeping the old",
                 {{"trigger", trigger}, {"error", text.status().message()}});
    if (metrics_ != nullptr) metrics_->PolicyReloadFailed();
    return text.status();
  }
  return Apply(*std::move(text), trigger);
}

absl::Status PolicyStore::Apply(std::string text, absl::string_view trigger) {
  last_text_ = text;
  absl::StatusOr<policy::Policy> parsed = ParsePolicy(text, options_);
  if (!parsed.ok()) {
    logger_->Log(LogLevel::kWarning, "policy reload failed; keeping the old",
                 {{"trigger", trigger}, {"error", parsed.status().message()}});
    if (metrics_ != nullptr) metrics_->PolicyReloadFailed();
    return parsed.status();
  }
  const int64_t rules = parsed->rules_size();
  const std::string sha256 = Sha256Hex(text);
  {
    absl::MutexLock lock(&mu_);
    current_ = std::make_shared<const policy::Policy>(*std::move(parsed));
  }
  logger_->Log(LogLevel::kInfo, "policy loaded",
               {{"trigger", trigger},
                {"rules", rules},
                {"sha256", absl::string_view(sha256)}});
  if (metrics_ != nullptr) metrics_->SetPolicy(sha256);
  return absl::OkStatus();
}

void PolicyStore::Poll() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping_), poll_interval_)) {
        return;
      }
    }
    // An unreadable file (mid-update, or gone) is retried at the next poll
    // without a log line each time.
    absl::StatusOr<std::string> text = ReadFile(path_);
    if (!text.ok()) continue;
    absl::MutexLock lock(&reload_mu_);
    if (*text != last_text_)
      Apply(*std::move(text), "file change").IgnoreError();
  }
}

}  // namespace vercel_tokens
