#include "token_file.h"

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"

namespace vercel_tokens {
namespace {

// What says a file changed: stat(2) through symlinks.
struct FileIdentity {
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  int64_t mtime_nanos = 0;

  bool operator==(const FileIdentity& other) const {
    return device == other.device && inode == other.inode &&
           size == other.size && mtime_nanos == other.mtime_nanos;
  }
  bool operator!=(const FileIdentity& other) const { return !(*this == other); }
};

std::optional<FileIdentity> IdentityOf(const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return std::nullopt;
  return FileIdentity{st.st_dev, st.st_ino, st.st_size,
                      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 +
                          st.st_mtim.tv_nsec};
}

// The state behind one TokenFileProvider; shared by the function's copies.
class TokenFile {
 public:
  TokenFile(std::string path, std::function<absl::Time()> now)
      : path_(std::move(path)), now_(std::move(now)) {}

  absl::StatusOr<std::string> Get() {
    const absl::Time now = now_();
    const std::optional<FileIdentity> identity = IdentityOf(path_);
    absl::MutexLock lock(&mu_);
    const bool stale = !value_.has_value() ||
                       now - read_at_ >= kTokenFileMaxAge ||
                       identity != identity_;
    if (stale) {
      if (std::optional<std::string> read = Read(); read.has_value()) {
        value_ = *std::move(read);
        identity_ = identity;
        read_at_ = now;
      }
    }
    if (!value_.has_value()) {
      return absl::UnauthenticatedError(
          absl::StrCat("cannot read a token from ", path_,
                       " (missing, unreadable or empty)"));
    }
    return *value_;
  }

 private:
  // The file's trimmed contents, or nullopt when unreadable or empty.
  std::optional<std::string> Read() const {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream contents;
    contents << in.rdbuf();
    std::string token(absl::StripAsciiWhitespace(contents.str()));
    if (token.empty()) return std::nullopt;
    return token;
  }

  const std::string path_;
  const std::function<absl::Time()> now_;
  absl::Mutex mu_;
  std::optional<std::string> value_ ABSL_GUARDED_BY(mu_);
  std::optional<FileIdentity> identity_ ABSL_GUARDED_BY(mu_);
  absl::Time read_at_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

TokenProvider TokenFileProvider(std::string path,
                                std::function<absl::Time()> now) {
  auto file = std::make_shared<TokenFile>(std::move(path), std::move(now));
  return [file] { return file->Get(); };
}

}  // namespace vercel_tokens
