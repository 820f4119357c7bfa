#include "server/rpc/policy_store.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;

constexpr char kOneRule[] =
    R"({"rules":[{"callers":["a"],"allowed_rpcs":["GetAuthToken"]}]})";
constexpr char kTwoRules[] =
    R"({"rules":[{"callers":["a"]},{"callers":["b*"]}]})";

class PolicyStoreTest : public ::testing::Test {
 protected:
  void TearDown() override { std::remove(path_.c_str()); }
  void Write(const std::string& contents) { std::ofstream(path_) << contents; }

  std::string path_ = ::testing::TempDir() + "/policy_store_test.json";
  std::ostringstream log_;
  Logger logger_{&log_, LogLevel::kInfo};
};

TEST_F(PolicyStoreTest, RefusesToStartWithAMalformedFile) {
  Write("{\"rules\": [");
  auto store = PolicyStore::Open(path_, &logger_, absl::Hours(1));
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("--policy_file"));
}

TEST_F(PolicyStoreTest, ReloadSwapsAndAMalformedFileKeepsTheOld) {
  Write(kOneRule);
  auto store = PolicyStore::Open(path_, &logger_, absl::Hours(1));
  ASSERT_TRUE(store.ok()) << store.status();
  const std::shared_ptr<const policy::Policy> first = (*store)->Current();
  EXPECT_EQ(first->rules_size(), 1);

  Write(kTwoRules);
  EXPECT_TRUE((*store)->Reload("SIGHUP").ok());
  EXPECT_EQ((*store)->Current()->rules_size(), 2);
  EXPECT_EQ(first->rules_size(), 1);  // A call holding the old one keeps it.

  Write(R"({"rules":[{"callers":[]}]})");
  EXPECT_FALSE((*store)->Reload("SIGHUP").ok());
  EXPECT_EQ((*store)->Current()->rules_size(), 2);
  EXPECT_THAT(log_.str(), HasSubstr("policy reload failed"));
  EXPECT_THAT(log_.str(), HasSubstr("names no callers"));
}

}  // namespace
}  // namespace vercel_tokens
