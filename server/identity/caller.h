#ifndef VERCEL_USER_TOKENS_SERVER_IDENTITY_CALLER_H_
#define VERCEL_USER_TOKENS_SERVER_IDENTITY_CALLER_H_

#include <map>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

// Who is calling: the value every identity source produces, that the policy
// decides on and that every log and audit line names.

namespace vercel_tokens {

// The identity of a caller that proved none.
inline constexpr absl::string_view kAnonymousCaller = "anonymous";

// Where a caller's identity came from.
enum class CallerSource {
  // No credential at all.
  kAnonymous,
  // A client certificate verified by this server's TLS listener.
  kMtls,
  // The x-forwarded-client-cert header of a trusted sidecar.
  kXfcc,
  // A Kubernetes ServiceAccount token, checked by the API server's
  // TokenReview.
  kKubernetes,
  // A JWT of a trusted OpenID Connect issuer.
  kOidc,
};

// "anonymous", "mtls", "xfcc", "kubernetes" or "oidc": the audit line's and
// metrics' name of `source`.
absl::string_view CallerSourceName(CallerSource source);

// A caller, identified. Plain data; never holds a credential.
//
// Namespaces: an `id` from one source can never equal one from another
// source that means someone else. URI SANs (SPIFFE ids) and Kubernetes
// ServiceAccounts are URIs (`spiffe://...`); a DNS SAN is `dns:<name>`, a
// subject CN `cn:<name>`; `anonymous` has no scheme and no source but
// kAnonymous produces it.
struct Caller {
  // What the policy matches (policy.proto's `caller`); raw, possibly
  // unprintable: print PrintableIdentity(id).
  std::string id{kAnonymousCaller};
  CallerSource source = CallerSource::kAnonymous;
  // Audit attributes; empty when the source has none.
  // The ServiceAccount's UID (names are reused after delete and recreate).
  std::string service_account_uid;
  // The pod the workload token is bound to.
  std::string pod_name;
  std::string pod_uid;
  // The credential's id, e.g. a JWT's `jti`.
  std::string credential_id;
  // OIDC: the issuer and subject, and the claims a policy may match.
  std::string issuer;
  std::string subject;
  std::map<std::string, std::string> claims;
};

// The longest identity printed in full; longer ones are cut.
inline constexpr size_t kMaxPrintedIdentityBytes = 256;

// `id` safe to print in a log line, an error message or ErrorInfo metadata:
// a backslash becomes `\\`, an invalid UTF-8 byte `\xNN`, a character
// IsUnsafeInText (controls, bidi overrides) `\u{NNNN}`; cut on a character
// boundary to at most kMaxPrintedIdentityBytes of output, then
// `...(<N> bytes)` names the original length. Distinct ids shorter than the
// bound print distinctly. Pure.
std::string PrintableIdentity(absl::string_view id);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_IDENTITY_CALLER_H_
