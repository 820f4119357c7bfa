#ifndef VERCEL_USER_TOKENS_SERVER_RPC_POLICY_STORE_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_POLICY_STORE_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/rpc/policy.h"
#include "server/rpc/policy.pb.h"

namespace vercel_tokens {

// The policy read from --policy_file, kept current.
//
// Current() hands out the policy in force as a shared_ptr: a call keeps the
// one it started with while a reload swaps in the next, so no call is
// dropped or sees half a policy. Reload re-reads the file (SIGHUP); a thread
// of its own polls the file every `poll_interval` and reloads when its
// contents change (a Kubernetes ConfigMap update replaces the file through
// a symlink). A file that cannot be read or parsed keeps the old policy,
// logs why and counts it (vercel_tokens_policy_reload_failures_total), once
// per distinct contents. Every "policy loaded" line carries the file's
// SHA-256, which vercel_tokens_policy_info{sha256} also shows, so that
// replicas serving different policies can be told apart. The gRPC threads
// never read the file.
//
// Thread-safe. `logger` and `metrics` (which may be null) are borrowed and
// must outlive the store; the destructor stops and joins the polling thread.
class PolicyStore {
 public:
  // Loads `path`, failing when it cannot be read or parsed, and starts
  // polling it.
  // `options` apply to every reload too.
  static absl::StatusOr<std::unique_ptr<PolicyStore>> Open(
      std::string path, Logger* logger, Metrics* metrics,
      absl::Duration poll_interval = absl::Seconds(1),
      PolicyOptions options = {});

  PolicyStore(const PolicyStore&) = delete;
  PolicyStore& operator=(const PolicyStore&) = delete;
  ~PolicyStore();

  // The policy in force; never null.
  std::shared_ptr<const policy::Policy> Current() const;

  // Re-reads the file and swaps its policy in, logging the outcome with
  // `trigger` (e.g. "SIGHUP"). On failure the old policy stays.
  absl::Status Reload(absl::string_view trigger);

 private:
  PolicyStore(std::string path, Logger* logger, Metrics* metrics,
              absl::Duration poll_interval, PolicyOptions options,
              std::string text, std::shared_ptr<const policy::Policy> policy);

  // Applies the file's `text`: swaps in its policy, or keeps the old one.
  absl::Status Apply(std::string text, absl::string_view trigger)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(reload_mu_);
  void Poll();

  const std::string path_;
  Logger* const logger_;
  Metrics* const metrics_;
  const absl::Duration poll_interval_;
  const PolicyOptions options_;

  // Serializes reloads (SIGHUP and polling); guards what was last read.
  absl::Mutex reload_mu_;
  std::string last_text_ ABSL_GUARDED_BY(reload_mu_);

  mutable absl::Mutex mu_;
  std::shared_ptr<const policy::Policy> current_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  std::thread poller_;
};

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_POLICY_STORE_H_
