#include "server/common/service_error.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "server/common/test_util.h"

namespace vercel_tokens {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

google::rpc::Status DecodeDetails(const grpc::Status& status) {
  google::rpc::Status out;
  EXPECT_TRUE(out.ParseFromString(status.error_details()));
  return out;
}

template <typename Detail>
std::optional<Detail> Find(const google::rpc::Status& status) {
  for (const auto& any : status.details()) {
    Detail detail;
    if (any.UnpackTo(&detail)) return detail;
  }
  return std::nullopt;
}

TEST(ToGrpcStatusTest, CarriesCodeMessageAndEveryDetail) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kResourceExhausted;
  spec.message = "Vercel API error 429 (rate_limited): slow down";
  spec.reason = "RATE_LIMITED";
  spec.domain = std::string(kVercelDomain);
  spec.metadata = {{"http_status", "429"}, {"vercel_code", "rate_limited"}};
  spec.retry_delay = absl::Milliseconds(7500);

  const grpc::Status status = ToGrpcStatus(MakeError(spec));

  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(status.error_message(), spec.message);
  const google::rpc::Status details = DecodeDetails(status);
  EXPECT_EQ(details.code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(details.message(), spec.message);
  auto info = Find<google::rpc::ErrorInfo>(details);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "RATE_LIMITED");
  EXPECT_EQ(info->domain(), "api.vercel.com");
  EXPECT_THAT(info->metadata(),
              UnorderedElementsAre(Pair("http_status", "429"),
                                   Pair("vercel_code", "rate_limited")));
  auto retry = Find<google::rpc::RetryInfo>(details);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->retry_delay().seconds(), 7);
  EXPECT_EQ(retry->retry_delay().nanos(), 500000000);
  EXPECT_FALSE(Find<google::rpc::BadRequest>(details).has_value());
}

TEST(ToGrpcStatusTest, InvalidFieldNamesTheField) {
  const grpc::Status status =
      ToGrpcStatus(InvalidField("token_id", "is required"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "token_id: is required");
  const google::rpc::Status details = DecodeDetails(status);
  auto bad_request = Find<google::rpc::BadRequest>(details);
  ASSERT_TRUE(bad_request.has_value());
  ASSERT_EQ(bad_request->field_violations_size(), 1);
  EXPECT_EQ(bad_request->field_violations(0).field(), "token_id");
  EXPECT_EQ(bad_request->field_violations(0).description(), "is required");
  auto info = Find<google::rpc::ErrorInfo>(details);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INVALID_ARGUMENT");
  EXPECT_EQ(info->domain(), "vercel-user-tokens");
  EXPECT_FALSE(Find<google::rpc::RetryInfo>(details).has_value());
}

TEST(ToGrpcStatusTest, PlainStatusStillGetsAnErrorInfo) {
  const grpc::Status status = ToGrpcStatus(absl::InternalError("boom"));
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  auto info = Find<google::rpc::ErrorInfo>(DecodeDetails(status));
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "INTERNAL");
  EXPECT_EQ(info->domain(), "vercel-user-tokens");
}

TEST(WithErrorMetadataTest, AddsToTheErrorInfoKeepingTheRest) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kNotFound;
  spec.message = "gone";
  spec.reason = "NOT_FOUND";
  spec.domain = "api.vercel.com";
  spec.metadata["http_status"] = "404";
  spec.retry_delay = absl::Seconds(1);
  const absl::Status s =
      WithErrorMetadata(MakeError(spec), "vercel_request_id", "fra1::abc");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "gone");
  auto info = DetailOf<google::rpc::ErrorInfo>(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "NOT_FOUND");
  EXPECT_EQ(info->domain(), "api.vercel.com");
  EXPECT_THAT(info->metadata(),
              UnorderedElementsAre(Pair("http_status", "404"),
                                   Pair("vercel_request_id", "fra1::abc")));
  EXPECT_TRUE(DetailOf<google::rpc::RetryInfo>(s).has_value());

  auto plain = DetailOf<google::rpc::ErrorInfo>(
      WithErrorMetadata(absl::InternalError("boom"), "k", "v"));
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->reason(), "INTERNAL");
  EXPECT_EQ(plain->domain(), "vercel-user-tokens");
  EXPECT_EQ(plain->metadata().at("k"), "v");
}

TEST(ToGrpcStatusTest, OkIsOkWithoutDetails) {
  const grpc::Status status = ToGrpcStatus(absl::OkStatus());
  EXPECT_TRUE(status.ok());
  EXPECT_TRUE(status.error_details().empty());
}

TEST(FirstErrorTest, ReturnsTheFirstFailureInOrder) {
  EXPECT_TRUE(FirstError({absl::OkStatus(), absl::OkStatus()}).ok());
  const absl::Status s =
      FirstError({absl::OkStatus(), absl::NotFoundError("first"),
                  absl::InternalError("second")});
  EXPECT_EQ(s, absl::NotFoundError("first"));
}

TEST(MakeErrorTest, RetryDelayAndViolationsAreOptional) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kUnavailable;
  spec.message = "down";
  const absl::Status s = MakeError(spec);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_FALSE(DetailOf<google::rpc::RetryInfo>(s).has_value());
  EXPECT_FALSE(DetailOf<google::rpc::BadRequest>(s).has_value());
  auto info = DetailOf<google::rpc::ErrorInfo>(s);
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->reason(), "UNAVAILABLE");
  EXPECT_THAT(info->metadata(), ElementsAre());
}

}  // namespace
}  // namespace vercel_tokens
