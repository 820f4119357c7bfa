#ifndef VERCEL_USER_TOKENS_SERVER_RPC_AUDIT_H_
#define VERCEL_USER_TOKENS_SERVER_RPC_AUDIT_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "server/common/logger.h"
#include "server/identity/caller.h"

// The audit trail: one JSON line on stderr per state-changing call, allowed
// or denied, told apart from other log lines by "log":"audit".

namespace vercel_tokens {

// What one audit line records. Never a secret: no token, bearer,
// verification token or security code has a field here.
struct AuditRecord {
  // What happened: "call" for a finished call, "orphan_revoked" for a token
  // revoked because its creator was gone, "orphan_revoke_failed" when that
  // revocation failed, "orphan_unknown" when the create was abandoned before
  // Vercel answered (a token may exist that nobody holds).
  std::string event = "call";
  // Who called (PrintableIdentity) and how they proved it
  // (CallerSourceName); empty when the call failed to be identified.
  std::string caller;
  std::string caller_source;
  // The caller's audit attributes (identity/caller.h), when its source has
  // them: the ServiceAccount's UID, the pod the token is bound to, the
  // credential's id (a JWT's jti), an OIDC issuer and subject.
  std::string service_account_uid;
  std::string pod_name;
  std::string pod_uid;
  std::string credential_id;
  std::string issuer;
  std::string subject;
  std::string peer;
  // The RPC's short name, e.g. CreateAuthToken.
  std::string rpc;
  // The gRPC code name of the outcome, e.g. PERMISSION_DENIED.
  std::string code;
  std::string token_id;
  std::string token_name;
  std::string team_id;
  std::optional<absl::Time> expires_at;
  // The SHA-256 (hex) of CreateAuthTokenRequest.request_id, normalised:
  // enough to find a call's lines, never the id itself, which would let a
  // reader of the log replay it.
  std::string request_id_sha256;
  // Vercel's x-vercel-id of its last answer; empty when it did not answer.
  std::string vercel_request_id;
  bool server_token_used = false;
};

// A record with the identity fields of `caller`: caller_source and the
// audit attributes (not `caller`, which the call's printable id fills).
AuditRecord AuditOf(const Caller& caller);

// Whether calls of `rpc` change state and so are audited: CreateAuthToken,
// DeleteAuthToken, EmailLogin and VerifyToken.
bool IsAudited(absl::string_view rpc);

// Writes `record` as one audit line to `logger`, whatever its level.
// Thread-safe (Logger is).
void WriteAudit(Logger& logger, const AuditRecord& record);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_RPC_AUDIT_H_
