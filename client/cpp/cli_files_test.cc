#include "cli_files.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kEnv[] = "VUT_CLI_FILES_TEST_SECRET";

class CliFilesTest : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv(kEnv); }
  void TearDown() override { unsetenv(kEnv); }

  // Returns a path in the test's temporary folder named after the test.
  static std::string TempPath(const std::string& suffix) {
    return ::testing::TempDir() +
           ::testing::UnitTest::GetInstance()->current_test_info()->name() +
           suffix;
  }

  static std::string WriteFile(const std::string& suffix,
                               const std::string& contents) {
    const std::string path = TempPath(suffix);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << contents;
    return path;
  }
};

TEST_F(CliFilesTest, ReadSecretTrimsTheFile) {
  const std::string path = WriteFile(".token", "  tok-123\n");
  setenv(kEnv, "from-env", 1);
  EXPECT_EQ(ReadSecret(path, kEnv).value_or(""), "tok-123");
}

TEST_F(CliFilesTest, ReadSecretFallsBackToTheEnvironment) {
  EXPECT_EQ(ReadSecret("", kEnv).value_or("error"), "");
  setenv(kEnv, "from-env", 1);
  EXPECT_EQ(ReadSecret("", kEnv).value_or(""), "from-env");
}

TEST_F(CliFilesTest, ReadSecretRejectsEmptyAndMissingFiles) {
  const std::string empty = WriteFile(".empty", "\n");
  const auto from_empty = ReadSecret(empty, kEnv);
  EXPECT_EQ(from_empty.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(from_empty.status().message(), HasSubstr("is empty"));

  const std::string missing = TempPath(".missing");
  const auto from_missing = ReadSecret(missing, kEnv);
  EXPECT_EQ(from_missing.status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(from_missing.status().message(), HasSubstr(missing));
}

TEST_F(CliFilesTest, ReadFileContentsKeepsEveryByte) {
  const std::string path = WriteFile(".pem", "line 1\nline 2\n");
  EXPECT_EQ(ReadFileContents(path).value_or(""), "line 1\nline 2\n");
}

TEST_F(CliFilesTest, WriteSecretFileIsOwnerOnlyAndReadable) {
  const std::string path = WriteFile(".secret", "old contents, longer\n");
  chmod(path.c_str(), 0644);

  ASSERT_TRUE(WriteSecretFile(path, "vt-secret").ok());

  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600);
  EXPECT_EQ(ReadFileContents(path).value_or(""), "vt-secret\n");
  EXPECT_EQ(ReadSecret(path, kEnv).value_or(""), "vt-secret");
}

TEST_F(CliFilesTest, WriteSecretFileReportsThePathNotTheSecret) {
  const std::string path = TempPath("/no/such/dir/secret");
  const absl::Status status = WriteSecretFile(path, "vt-secret");
  EXPECT_FALSE(status.ok());
  EXPECT_THAT(status.message(), HasSubstr(path));
  EXPECT_THAT(status.message(), Not(HasSubstr("vt-secret")));
}

}  // namespace
}  // namespace vercel_tokens
