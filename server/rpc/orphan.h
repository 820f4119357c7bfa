#ifndef VERCEL_USER_TOKENS_SERVER_RPC_ORPHAN_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_ORPHAN_H_

#include <string>

#include "absl/time/time.h"
#include "server/common/logger.h"
#include "server/common/metrics.h"
#include "server/rpc/audit.h"
#include "server/vercel/transport.h"
#include "server/vercel/upstream_types.h"

namespace vercel_tokens {

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
  // How long the DELETE may take.
  absl::Duration timeout = absl::Seconds(10);
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

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_ORPHAN_H_
