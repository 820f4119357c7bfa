#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_CLI_FILES_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_CLI_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// The files `vercel-tokens` reads and writes: secrets (the caller's Vercel
// token, the verification token) and the TLS CA bundle. Error messages name
// the file, never its contents. Thread-compatible (ReadSecret reads the
// environment).

namespace vercel_tokens {

// Returns the whole contents of the file at `path`.
absl::StatusOr<std::string> ReadFileContents(const std::string& path);

// Returns a secret: the contents of `path` without surrounding whitespace
// when `path` is not empty (an empty file is an error), else the value of
// the environment variable `env_var`, else "".
absl::StatusOr<std::string> ReadSecret(const std::string& path,
                                       const char* env_var);

// Writes `secret` and a newline to `path`, replacing it, readable and
// writable by the owner only (mode 0600).
absl::Status WriteSecretFile(const std::string& path, absl::string_view secret);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_CLI_FILES_H_
