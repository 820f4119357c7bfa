#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_FILES_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_FILES_H_

#include <string>

#include "absl/status/statusor.h"

namespace vercel_tokens {

// The whole contents of the file at `path`; NOT_FOUND ("cannot read <path>")
// when it cannot be opened.
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_FILES_H_
