#ifndef VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEMP_FILE_H_
#define VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEMP_FILE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace vercel_tokens::integration {

// A file in the temporary directory holding given contents, deleted on
// destruction. Not thread-safe.
class TempFile {
 public:
  // Creates the file; aborts the test binary when it cannot.
  explicit TempFile(absl::string_view contents);

  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();

  const std::string& path() const { return path_; }

  // Returns what the file holds now (someone else may have rewritten it).
  std::string Read() const;

 private:
  std::string path_;
};

}  // namespace vercel_tokens::integration

#endif  // VERCEL_USER_TOKENS_TESTS_INTEGRATION_TEMP_FILE_H_
