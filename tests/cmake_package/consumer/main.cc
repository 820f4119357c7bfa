// Lists the caller's tokens through the service at VUT_ADDRESS with the
// installed UserTokensClient, then shows the error details of a bad token id.
#include <cstdlib>
#include <iostream>
#include <string>

#include "grpcpp/grpcpp.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"
#include "vercel_user_tokens/user_tokens_client.h"

namespace v1 = vercel::authentication::v1;

int main() {
  const char* address = std::getenv("VUT_ADDRESS");
  const char* token = std::getenv("VERCEL_TOKEN");
  if (address == nullptr || token == nullptr) {
    std::cerr << "set VUT_ADDRESS and VERCEL_TOKEN\n";
    return 2;
  }
  std::cout << "package " << VUT_PACKAGE_VERSION << "\n";

  vercel_tokens::ClientOptions options;
  options.bearer_token = token;
  vercel_tokens::UserTokensClient client(
      grpc::CreateChannel(address, grpc::InsecureChannelCredentials()),
      options);

  v1::ListAuthTokensResponse listed;
  if (grpc::Status status = client.ListAuthTokens({}, &listed); !status.ok()) {
    std::cerr << "ListAuthTokens failed: " << status.error_message() << "\n";
    return 1;
  }
  std::cout << "listed " << listed.tokens_size() << " token(s):";
  for (const v1::AuthToken& t : listed.tokens()) std::cout << " " << t.name();
  std::cout << "\n";

  v1::GetAuthTokenRequest bad;
  bad.set_token_id("../x");
  v1::GetAuthTokenResponse unused;
  grpc::Status status = client.GetAuthToken(bad, &unused);
  vercel_tokens::ErrorDetails details =
      vercel_tokens::DecodeErrorDetails(status);
  std::cout << "bad id: code " << status.error_code() << " reason "
            << details.reason << " domain " << details.domain;
  for (const vercel_tokens::FieldViolation& v : details.field_violations) {
    std::cout << " field " << v.field;
  }
  std::cout << "\n";
  return 0;
}
