#include "server/rpc/orphan.h"

#include <memory>

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

TEST(OrphanDebtsTest, ShutdownWaitsUntilTheLastHandleGoesOrItsDeadline) {
  OrphanDebts debts;
  EXPECT_EQ(debts.WaitSettled(absl::Now()), 0);
  std::shared_ptr<const void> create = debts.Incur();
  std::shared_ptr<const void> copy = create;
  std::shared_ptr<const void> revocation = debts.Incur();
  EXPECT_EQ(debts.Owed(), 2);
  EXPECT_EQ(debts.WaitSettled(absl::Now() + absl::Milliseconds(10)), 2);
  create.reset();
  EXPECT_EQ(debts.Owed(), 2);  // A copy still holds it.
  copy.reset();
  revocation.reset();
  EXPECT_EQ(debts.WaitSettled(absl::InfiniteFuture()), 0);
}

}  // namespace
}  // namespace vercel_tokens
