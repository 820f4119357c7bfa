#include "health_check.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/notification.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"

namespace vercel_tokens {
namespace {

constexpr char kCheckMethod[] = "/grpc.health.v1.Health/Check";
// Field numbers of HealthCheckRequest.service and HealthCheckResponse.status.
constexpr int kServiceField = 1;
constexpr int kStatusField = 1;

// Returns the bytes of `buffer`; a buffer that was never filled holds none.
std::string BufferBytes(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Valid() || !buffer.Dump(&slices).ok()) return "";
  std::string bytes;
  for (const grpc::Slice& slice : slices) {
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return bytes;
}

}  // namespace

absl::string_view ServingStatusName(ServingStatus status) {
  switch (status) {
    case ServingStatus::kServing:
      return "SERVING";
    case ServingStatus::kNotServing:
      return "NOT_SERVING";
    case ServingStatus::kServiceUnknown:
      return "SERVICE_UNKNOWN";
    case ServingStatus::kUnknown:
      break;
  }
  return "UNKNOWN";
}

std::string EncodeHealthCheckRequest(absl::string_view service) {
  google::protobuf::UnknownFieldSet fields;
  if (!service.empty()) {
    fields.AddLengthDelimited(kServiceField, std::string(service));
  }
  std::string bytes;
  fields.SerializeToString(&bytes);
  return bytes;
}

absl::StatusOr<ServingStatus> DecodeHealthCheckResponse(
    absl::string_view bytes) {
  google::protobuf::UnknownFieldSet fields;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("malformed HealthCheckResponse");
  }
  ServingStatus status = ServingStatus::kUnknown;
  for (int i = 0; i < fields.field_count(); ++i) {
    const google::protobuf::UnknownField& field = fields.field(i);
    if (field.number() != kStatusField ||
        field.type() != google::protobuf::UnknownField::TYPE_VARINT) {
      continue;
    }
    switch (field.varint()) {
      case 1:
        status = ServingStatus::kServing;
        break;
      case 2:
        status = ServingStatus::kNotServing;
        break;
      case 3:
        status = ServingStatus::kServiceUnknown;
        break;
      default:
        status = ServingStatus::kUnknown;
    }
  }
  return status;
}

grpc::Status CheckHealth(std::shared_ptr<grpc::ChannelInterface> channel,
                         absl::string_view service, absl::Duration timeout,
                         ServingStatus* serving_status, bool wait_for_ready) {
  grpc::GenericStub stub(std::move(channel));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  context.set_wait_for_ready(wait_for_ready);
  grpc::Slice request_slice(EncodeHealthCheckRequest(service));
  grpc::ByteBuffer request(&request_slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, kCheckMethod, grpc::StubOptions(), &request,
                 &response, [&status, &done](grpc::Status call_status) {
                   status = std::move(call_status);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return status;
  absl::StatusOr<ServingStatus> decoded =
      DecodeHealthCheckResponse(BufferBytes(response));
  if (!decoded.ok()) {
    return grpc::Status(grpc::StatusCode::INTERNAL,
                        std::string(decoded.status().message()));
  }
  *serving_status = *decoded;
  return grpc::Status::OK;
}

}  // namespace vercel_tokens
