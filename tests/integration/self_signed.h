#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_SELF_SIGNED_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_SELF_SIGNED_H_

#include <string>

#include "absl/status/statusor.h"

namespace vercel_tokens::integration {

// A fresh self-signed P-256 certificate for IP 127.0.0.1, valid for a day,
// in `dir`/`name`.crt with its key in `dir`/`name`.key (made by openssl).
struct SelfSigned {
  std::string cert_file;
  std::string key_file;
  // The PEM certificate, to trust it.
  std::string cert_pem;
};

absl::StatusOr<SelfSigned> MakeSelfSigned(const std::string& dir,
                                          const std::string& name);

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_SELF_SIGNED_H_
