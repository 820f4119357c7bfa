#include "server/rpc/trace_context.h"

#include "gtest/gtest.h"

namespace vercel_tokens {
namespace {

constexpr char kExample[] =
    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(ValidTraceparentTest, AcceptsTheSpecsExample) {
  EXPECT_EQ(ValidTraceparent(kExample), kExample);
}

TEST(ValidTraceparentTest, AcceptsExtraFieldsOfALaterVersion) {
  const std::string later =
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra";
  EXPECT_EQ(ValidTraceparent(later), later);
}

TEST(ValidTraceparentTest, RefusesMalformedValues) {
  const char* const bad[] = {
      "",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-\n\"x\"",
      "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01",
  };
  for (const char* value : bad) {
    EXPECT_EQ(ValidTraceparent(value), std::nullopt) << value;
  }
}

}  // namespace
}  // namespace vercel_tokens
