#include "server/rpc/orphan.h"

#include <utility>

#include "absl/status/status.h"
#include "server/vercel/request_builder.h"
#include "server/vercel/response_mapping.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

void Record(Logger& logger, Metrics& metrics, AuditRecord audit,
            const absl::Status& outcome) {
  audit.event = outcome.ok() ? "orphan_revoked" : "orphan_revoke_failed";
  audit.code = absl::StatusCodeToString(outcome.code());
  metrics.OrphanHandled(outcome.ok());
  WriteAudit(logger, audit);
}

}  // namespace

std::shared_ptr<const void> OrphanDebts::Incur() {
  {
    absl::MutexLock lock(&mu_);
    ++owed_;
  }
  return std::shared_ptr<const void>(this, [](OrphanDebts* debts) {
    absl::MutexLock lock(&debts->mu_);
    --debts->owed_;
  });
}

int OrphanDebts::Owed() {
  absl::MutexLock lock(&mu_);
  return owed_;
}

int OrphanDebts::WaitSettled(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto settled = [this]()
                     ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return owed_ == 0; };
  mu_.AwaitWithDeadline(absl::Condition(&settled), deadline);
  return owed_;
}

void RecordUnknownOrphan(const OrphanRevocation& revocation,
                         const absl::Status& why) {
  AuditRecord audit = revocation.audit;
  audit.event = "orphan_unknown";
  audit.code = absl::StatusCodeToString(why.code());
  revocation.metrics->OrphanUnknown();
  WriteAudit(*revocation.logger, audit);
}

void RevokeOrphan(OrphanRevocation revocation,
                  const UpstreamResponse& created) {
  absl::StatusOr<v1::CreateAuthTokenResponse> mapped =
      MapCreateAuthTokenResponse(created.body);
  if (!mapped.ok() || mapped->token().id().empty()) {
    Record(*revocation.logger, *revocation.metrics, revocation.audit,
           absl::InternalError("the create response names no token"));
    return;
  }
  revocation.audit.token_id = mapped->token().id();
  revocation.audit.token_name = mapped->token().name();
  v1::DeleteAuthTokenRequest request;
  request.set_token_id(mapped->token().id());
  request.set_team_id(revocation.team_id);
  request.set_slug(revocation.slug);
  UpstreamTransport* transport = revocation.transport;
  Logger* logger = revocation.logger;
  Metrics* metrics = revocation.metrics;
  AuditRecord audit = revocation.audit;
  std::shared_ptr<const void> debt =
      revocation.debts != nullptr ? revocation.debts->Incur() : nullptr;
  absl::StatusOr<uint64_t> id = transport->Submit(
      BuildDeleteAuthToken(request, std::move(revocation.bearer_token)),
      absl::Now() + revocation.timeout,
      [logger, metrics, audit,
       debt = std::move(debt)](absl::StatusOr<UpstreamResponse> result) {
        absl::Status outcome = result.status();
        if (result.ok() &&
            (result->http_status < 200 || result->http_status >= 300)) {
          outcome = absl::UnknownError("Vercel refused the revocation");
        }
        Record(*logger, *metrics, audit, outcome);
      },
      absl::InfinitePast());
  if (!id.ok()) Record(*logger, *metrics, audit, id.status());
}

}  // namespace vercel_tokens
