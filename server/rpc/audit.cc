#include "server/rpc/audit.h"

#include <algorithm>
#include <iterator>

namespace vercel_tokens {
namespace {

constexpr absl::string_view kAuditedRpcs[] = {
    "CreateAuthToken", "DeleteAuthToken", "EmailLogin", "VerifyToken"};

}  // namespace

bool IsAudited(absl::string_view rpc) {
  return std::find(std::begin(kAuditedRpcs), std::end(kAuditedRpcs), rpc) !=
         std::end(kAuditedRpcs);
}

AuditRecord AuditOf(const Caller& caller) {
  AuditRecord record;
  record.caller_source = std::string(CallerSourceName(caller.source));
  record.service_account_uid = PrintableIdentity(caller.service_account_uid);
  record.pod_name = PrintableIdentity(caller.pod_name);
  record.pod_uid = PrintableIdentity(caller.pod_uid);
  record.credential_id = PrintableIdentity(caller.credential_id);
  record.issuer = PrintableIdentity(caller.issuer);
  record.subject = PrintableIdentity(caller.subject);
  return record;
}

void WriteAudit(Logger& logger, const AuditRecord& record) {
  const std::string expires_at =
      record.expires_at.has_value()
          ? absl::FormatTime(absl::RFC3339_sec, *record.expires_at,
                             absl::UTCTimeZone())
          : std::string();
  logger.LogUnfiltered(
      LogLevel::kInfo, "audit",
      {{"log", absl::string_view("audit")},
       {"event", absl::string_view(record.event)},
       {"caller", absl::string_view(record.caller)},
       {"caller_source", absl::string_view(record.caller_source)},
       {"service_account_uid", absl::string_view(record.service_account_uid)},
       {"pod_name", absl::string_view(record.pod_name)},
       {"pod_uid", absl::string_view(record.pod_uid)},
       {"credential_id", absl::string_view(record.credential_id)},
       {"issuer", absl::string_view(record.issuer)},
       {"subject", absl::string_view(record.subject)},
       {"peer", absl::string_view(record.peer)},
       {"rpc", absl::string_view(record.rpc)},
       {"code", absl::string_view(record.code)},
       {"token_id", absl::string_view(record.token_id)},
       {"token_name", absl::string_view(record.token_name)},
       {"team_id", absl::string_view(record.team_id)},
       {"expires_at", absl::string_view(expires_at)},
       {"request_id_sha256", absl::string_view(record.request_id_sha256)},
       {"vercel_request_id", absl::string_view(record.vercel_request_id)},
       {"server_token_used",
        absl::string_view(record.server_token_used ? "true" : "false")}});
}

}  // namespace vercel_tokens
