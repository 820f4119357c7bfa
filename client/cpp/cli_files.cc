#include "cli_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace vercel_tokens {
namespace {

absl::Status FileError(absl::string_view verb, const std::string& path,
                       int error_number) {
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot ", verb, " '", path, "': ", std::strerror(error_number)));
}

}  // namespace

absl::StatusOr<std::string> ReadFileContents(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return FileError("read", path, errno);
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return FileError("read", path, errno);
  return contents.str();
}

absl::StatusOr<std::string> ReadSecret(const std::string& path,
                                       const char* env_var) {
  if (path.empty()) {
    const char* value = std::getenv(env_var);
    return std::string(value == nullptr ? "" : value);
  }
  absl::StatusOr<std::string> contents = ReadFileContents(path);
  if (!contents.ok()) return contents.status();
  std::string secret(absl::StripAsciiWhitespace(*contents));
  if (secret.empty()) {
    return absl::FailedPreconditionError(absl::StrCat("'", path, "' is empty"));
  }
  return secret;
}

absl::Status WriteSecretFile(const std::string& path,
                             absl::string_view secret) {
  const int fd =
      open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return FileError("write", path, errno);
  absl::Cleanup close_fd = [fd] { close(fd); };
  if (fchmod(fd, 0600) != 0) return FileError("write", path, errno);
  const std::string contents = absl::StrCat(secret, "\n");
  for (size_t written = 0; written < contents.size();) {
    const ssize_t n =
        write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError("write", path, errno);
    written += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

}  // namespace vercel_tokens
