#ifndef VERCEL_USER_TOKENS_SERVER_RPC_ORPHAN_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_ORPHAN_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/rpc/audit.h"
#include "server/vercel/transport.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

// What the process still owes the world: creates whose caller may be gone
// and whose answer may yet name a token nobody holds, and revocations in
// flight. Shutdown waits for them to settle, within its budget, before the
// HTTP client stops. Thread-safe.
class OrphanDebts {
 public:
  // One debt, settled when the last copy of the returned handle goes.
  std::shared_ptr<const void> Incur();
  // How many debts are open now.
  int Owed();
  // Blocks until nothing is owed or `deadline` passes; returns how many
  // debts are still open. For the thread that shuts the server down.
  int WaitSettled(absl::Time deadline);

 private:
  absl::Mutex mu_;
  int owed_ ABSL_GUARDED_BY(mu_) = 0;
};

// What revoking an orphaned token needs. The pointers are borrowed and must
// outlive the revocation (the transport runs its callback at the latest
// when it shuts down, before the logger and metrics go).
struct OrphanRevocation {
  UpstreamTransport* transport = nullptr;
  Logger* logger = nullptr;
  Metrics* metrics = nullptr;
  // The credentials the token was created with. A secret.
  std::string bearer_token;
  // The team and slug it was created for.
  std::string team_id;
  std::string slug;
  // How long the DELETE may take (--orphan_revoke_timeout).
  absl::Duration timeout = absl::Seconds(10);
  // Holds the revocation open until it completes; borrowed, may be null.
  OrphanDebts* debts = nullptr;
  // The create's audit record; its event, code and token become the
  // revocation's.
  AuditRecord audit;
};

// Revokes the token that Vercel's 2xx `created` response to a
// CreateAuthToken describes, whose caller was gone when it arrived: submits
// DELETE /v3/user/tokens/{id} with the same credentials and returns at once.
// When it completes, writes an audit line (event orphan_revoked, or
// orphan_revoke_failed with the failure's code) and counts it in Metrics. A
// response that names no token is counted as a failed revocation. Thread-
// safe; never blocks.
void RevokeOrphan(OrphanRevocation revocation, const UpstreamResponse& created);

// Records a create whose caller was gone and whose transfer was abandoned
// before Vercel answered (`why`): a token may exist that nobody holds and
// that cannot be revoked by id. Writes the audit line orphan_unknown (with
// the request id's hash and the time) for the lifecycle tooling, and counts
// it as vercel_tokens_orphaned_tokens_total{outcome="orphan_unknown"}.
void RecordUnknownOrphan(const OrphanRevocation& revocation,
                         const absl::Status& why);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_ORPHAN_H_
