#ifndef VERCEL_USER_TOKENS_SERVER_COMMON_CRYPTO_H_
#define VERCEL_USER_TOKENS_SERVER_COMMON_CRYPTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

// Digests and authenticated encryption from libcrypto (OpenSSL). Pure
// functions of their inputs (plus, for Seal, fresh random bytes);
// thread-safe.

namespace vercel_tokens {

// The SHA-256 of `data`, as 64 lower-case hex digits.
std::string Sha256Hex(absl::string_view data);

// HMAC-SHA256 of `data` under `key`: 32 raw bytes.
std::string HmacSha256(absl::string_view key, absl::string_view data);

// The length of an AES-256 key in bytes.
inline constexpr size_t kAes256KeyBytes = 32;

// Encrypts `plaintext` with AES-256-GCM under `key` (kAes256KeyBytes),
// binding `associated` (authenticated, not encrypted). Returns a fresh random
// 12-byte nonce, then the ciphertext, then the 16-byte tag.
absl::StatusOr<std::string> AesGcmSeal(absl::string_view key,
                                       absl::string_view plaintext,
                                       absl::string_view associated);

// Reverses AesGcmSeal; fails when `sealed` or `associated` was altered or
// `key` is not the key it was sealed with.
absl::StatusOr<std::string> AesGcmOpen(absl::string_view key,
                                       absl::string_view sealed,
                                       absl::string_view associated);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_COMMON_CRYPTO_H_
