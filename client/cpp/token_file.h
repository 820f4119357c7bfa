#ifndef VERCEL_USER_TOKENS_CLIENT_CPP_TOKEN_FILE_H_
#define VERCEL_USER_TOKENS_CLIENT_CPP_TOKEN_FILE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace vercel_tokens {

// Supplies the current value of a credential (a Vercel token, a workload
// token). Called before every attempt of every call, possibly from many
// threads at once: it must be thread-safe. An error fails the call with
// UNAUTHENTICATED, reason CREDENTIALS_UNAVAILABLE, before anything is sent.
using TokenProvider = std::function<absl::StatusOr<std::string>()>;

// How often a token file is re-read even when it looks unchanged.
inline constexpr absl::Duration kTokenFileMaxAge = absl::Minutes(1);

// A provider that reads a token from the file at `path` (surrounding
// whitespace trimmed). The file is read again when its identity (device,
// inode, size, modification time, through symlinks as the kubelet swaps
// `..data`) differs from the last read, and at least every
// kTokenFileMaxAge. A failed re-read or an empty file keeps the last good
// value; with none yet, the provider returns Unauthenticated naming the
// file, never its contents. The returned function owns its state (shared
// by its copies) and is thread-safe. `now` is the clock, for tests.
TokenProvider TokenFileProvider(std::string path,
                                std::function<absl::Time()> now = absl::Now);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_CLIENT_CPP_TOKEN_FILE_H_
