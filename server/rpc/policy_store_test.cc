#include "server/rpc/policy_store.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"
#include "server/common/crypto.h"

namespace vercel_tokens {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

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
  Metrics metrics_{std::make_shared<prometheus::Registry>()};
};

TEST_F(PolicyStoreTest, RefusesToStartWithAMalformedFile) {
  Write("{\"rules\": [");
  auto store = PolicyStore::Open(path_, &logger_, &metrics_, absl::Hours(1));
  EXPECT_EQ(store.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(store.status().message(), HasSubstr("--policy_file"));
}

TEST_F(PolicyStoreTest, ReloadSwapsAndAMalformedFileKeepsTheOld) {
  Write(kOneRule);
  auto store = PolicyStore::Open(path_, &logger_, &metrics_, absl::Hours(1));
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

TEST_F(PolicyStoreTest, ShowsTheHashOfThePolicyInForceAndCountsFailedReloads) {
  Write(kOneRule);
  auto store = PolicyStore::Open(path_, &logger_, &metrics_, absl::Hours(1));
  ASSERT_TRUE(store.ok()) << store.status();
  Write(kTwoRules);
  ASSERT_TRUE((*store)->Reload("SIGHUP").ok());
  Write("{\"rules\": [");
  EXPECT_FALSE((*store)->Reload("SIGHUP").ok());

  const std::string two_rules = Sha256Hex(kTwoRules);
  EXPECT_THAT(log_.str(), HasSubstr(absl::StrCat("\"sha256\":\"",
                                                 Sha256Hex(kOneRule), "\"")));
  EXPECT_THAT(log_.str(),
              HasSubstr(absl::StrCat("\"sha256\":\"", two_rules, "\"")));
  const std::string text =
      prometheus::TextSerializer().Serialize(metrics_.registry()->Collect());
  EXPECT_THAT(text,
              HasSubstr(absl::StrCat("vercel_tokens_policy_info{sha256=\"",
                                     two_rules, "\"} 1")));
  EXPECT_THAT(text, Not(HasSubstr(Sha256Hex(kOneRule))));
  EXPECT_THAT(text, HasSubstr("vercel_tokens_policy_reload_failures_total 1"));
}

}  // namespace
}  // namespace vercel_tokens
