#include "server/common/service_error.h"

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace vercel_tokens {
namespace {

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

template <typename Message>
std::string TypeUrl() {
  return absl::StrCat(kTypeUrlPrefix, Message::descriptor()->full_name());
}

template <typename Message>
void AttachDetail(const Message& detail, absl::Status& status) {
  status.SetPayload(TypeUrl<Message>(), absl::Cord(detail.SerializeAsString()));
}

google::protobuf::Duration ToProtoDuration(absl::Duration d) {
  google::protobuf::Duration out;
  const int64_t seconds = absl::IDivDuration(d, absl::Seconds(1), &d);
  out.set_seconds(seconds);
  out.set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(d)));
  return out;
}

// The ErrorInfo attached to `status`, or the default one of its code.
google::rpc::ErrorInfo ErrorInfoOf(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  if (auto payload = status.GetPayload(TypeUrl<google::rpc::ErrorInfo>());
      payload.has_value() && info.ParseFromString(std::string(*payload))) {
    return info;
  }
  info.Clear();
  info.set_reason(absl::StatusCodeToString(status.code()));
  info.set_domain(std::string(kServiceDomain));
  return info;
}

}  // namespace

absl::Status MakeError(const ErrorSpec& spec) {
  absl::Status status(spec.code, spec.message);
  google::rpc::ErrorInfo info;
  info.set_reason(spec.reason.empty() ? absl::StatusCodeToString(spec.code)
                                      : spec.reason);
  info.set_domain(spec.domain);
  for (const auto& [key, value] : spec.metadata) {
    (*info.mutable_metadata())[key] = value;
  }
  AttachDetail(info, status);
  if (spec.retry_delay.has_value()) {
    google::rpc::RetryInfo retry;
    *retry.mutable_retry_delay() = ToProtoDuration(*spec.retry_delay);
    AttachDetail(retry, status);
  }
  if (!spec.field_violations.empty()) {
    google::rpc::BadRequest bad_request;
    for (const FieldViolation& v : spec.field_violations) {
      auto* out = bad_request.add_field_violations();
      out->set_field(v.field);
      out->set_description(v.description);
    }
    AttachDetail(bad_request, status);
  }
  return status;
}

absl::Status InvalidField(absl::string_view field,
                          absl::string_view description) {
  ErrorSpec spec;
  spec.code = absl::StatusCode::kInvalidArgument;
  spec.message = absl::StrCat(field, ": ", description);
  spec.reason = "INVALID_ARGUMENT";
  spec.field_violations.push_back(
      {std::string(field), std::string(description)});
  return MakeError(spec);
}

absl::Status FirstError(std::initializer_list<absl::Status> checks) {
  for (const absl::Status& s : checks) {
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status WithErrorMetadata(absl::Status status, absl::string_view key,
                               absl::string_view value) {
  google::rpc::ErrorInfo info = ErrorInfoOf(status);
  (*info.mutable_metadata())[std::string(key)] = std::string(value);
  AttachDetail(info, status);
  return status;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  absl::Status with_info = status;
  if (!status.GetPayload(TypeUrl<google::rpc::ErrorInfo>()).has_value()) {
    AttachDetail(ErrorInfoOf(status), with_info);
  }
  google::rpc::Status proto;
  proto.set_code(static_cast<int>(status.code()));
  proto.set_message(std::string(status.message()));
  with_info.ForEachPayload(
      [&proto](absl::string_view type_url, const absl::Cord& payload) {
        google::protobuf::Any* any = proto.add_details();
        any->set_type_url(std::string(type_url));
        any->set_value(std::string(payload));
      });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()), proto.SerializeAsString());
}

}  // namespace vercel_tokens
