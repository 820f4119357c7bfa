#include "tests/integration/temp_file.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace vercel_tokens::integration {

TempFile::TempFile(absl::string_view contents)
    : path_((std::filesystem::temp_directory_path() / "vut-test-XXXXXX")
                .string()) {
  const int fd = mkstemp(path_.data());
  if (fd < 0 || write(fd, contents.data(), contents.size()) !=
                    static_cast<ssize_t>(contents.size())) {
    std::abort();
  }
  close(fd);
}

std::string TempFile::Read() const {
  std::ifstream in(path_, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TempFile::~TempFile() { std::filesystem::remove(path_); }

}  // namespace vercel_tokens::integration
