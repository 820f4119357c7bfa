// Server reflection is on, so that tools such as grpcurl can discover the
// service without its .proto files.

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/unknown_field_set.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/integration/test_fixture.h"

namespace vercel_tokens::integration {
namespace {

using ::google::protobuf::UnknownField;
using ::google::protobuf::UnknownFieldSet;
using ::testing::IsSupersetOf;

constexpr char kMethod[] =
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo";

// Waits for the completion of the operation tagged `tag`.
bool Await(grpc::CompletionQueue& cq, void* tag) {
  void* got = nullptr;
  bool ok = false;
  const auto deadline =
      std::chrono::system_clock::now() + std::chrono::seconds(15);
  if (cq.AsyncNext(&got, &ok, deadline) != grpc::CompletionQueue::GOT_EVENT) {
    return false;
  }
  return got == tag && ok;
}

// Asks the reflection service to list services, and returns their names.
// The messages are encoded by hand: Debian ships no generated reflection
// protos. ServerReflectionRequest.list_services is field 7;
// ServerReflectionResponse.list_services_response is field 6, whose
// repeated field 1 holds ServiceResponse messages with the name in field 1.
std::vector<std::string> ListServices(std::shared_ptr<grpc::Channel> channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  grpc::CompletionQueue cq;
  std::unique_ptr<grpc::GenericClientAsyncReaderWriter> call =
      stub.PrepareCall(&context, kMethod, &cq);
  int tags[5];
  call->StartCall(&tags[0]);
  EXPECT_TRUE(Await(cq, &tags[0]));

  const std::string request("\x3a\x00", 2);
  grpc::Slice slice(request);
  grpc::ByteBuffer out(&slice, 1);
  call->Write(out, &tags[1]);
  EXPECT_TRUE(Await(cq, &tags[1]));
  grpc::ByteBuffer in;
  call->Read(&in, &tags[2]);
  EXPECT_TRUE(Await(cq, &tags[2]));
  call->WritesDone(&tags[3]);
  EXPECT_TRUE(Await(cq, &tags[3]));
  grpc::Status status;
  call->Finish(&status, &tags[4]);
  EXPECT_TRUE(Await(cq, &tags[4]));
  EXPECT_TRUE(IsOk(status));
  cq.Shutdown();

  std::vector<grpc::Slice> slices;
  EXPECT_TRUE(in.Dump(&slices).ok());
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  std::vector<std::string> names;
  UnknownFieldSet response;
  EXPECT_TRUE(response.ParseFromString(bytes));
  for (int i = 0; i < response.field_count(); ++i) {
    const UnknownField& list = response.field(i);
    if (list.number() != 6 ||
        list.type() != UnknownField::TYPE_LENGTH_DELIMITED) {
      continue;
    }
    UnknownFieldSet services;
    EXPECT_TRUE(services.ParseFromString(list.length_delimited()));
    for (int j = 0; j < services.field_count(); ++j) {
      UnknownFieldSet service;
      EXPECT_TRUE(
          service.ParseFromString(services.field(j).length_delimited()));
      for (int k = 0; k < service.field_count(); ++k) {
        if (service.field(k).number() == 1) {
          names.push_back(service.field(k).length_delimited());
        }
      }
    }
  }
  return names;
}

using ReflectionTest = IntegrationTest;

TEST_F(ReflectionTest, ListsTheServiceAndHealth) {
  EXPECT_THAT(ListServices(server().NewChannel()),
              IsSupersetOf({"vercel.authentication.v1.UserTokensService",
                            "grpc.health.v1.Health"}));
}

}  // namespace
}  // namespace vercel_tokens::integration
