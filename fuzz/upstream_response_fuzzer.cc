// Feeds arbitrary upstream responses (status, headers, body) to every
// response and error mapping: none may crash, and every error must carry a
// message and an ErrorInfo that are valid UTF-8.

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/stubs/common.h"
#include "server/common/service_error.h"
#include "server/common/text.h"
#include "server/rpc/credentials.h"
#include "server/vercel/error_mapping.h"
#include "server/vercel/response_mapping.h"

namespace vercel_tokens {
namespace {

// Every character of the message MapUpstreamError writes around Vercel's
// text: "Vercel API error 404 (code): [redacted]".
constexpr char kTemplateCharacters[] = "Vercel API error 0123456789():[redact]";

bool IsValidUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t length = Utf8SequenceLength(s, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

void CheckError(const absl::Status& status) {
  if (status.ok()) return;
  if (!IsValidUtf8(status.message())) __builtin_trap();
  const grpc::Status out = ToGrpcStatus(status);
  if (out.ok() || out.error_details().empty()) __builtin_trap();
}

template <typename Map>
void CheckMapping(Map map, absl::string_view body) {
  auto result = map(body);
  if (!result.ok()) CheckError(result.status());
}

}  // namespace
}  // namespace vercel_tokens

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vercel_tokens;
  if (size < 3) return 0;
  // Byte 0..1: HTTP status; byte 2: how many bytes of header value follow.
  const long http_status = 100 + (data[0] << 8 | data[1]) % 500;
  const size_t header_size = std::min<size_t>(data[2], size - 3);
  const std::string header(reinterpret_cast<const char*>(data) + 3,
                           header_size);
  const absl::string_view body(
      reinterpret_cast<const char*>(data) + 3 + header_size,
      size - 3 - header_size);

  CheckMapping(&MapGetAuthTokenResponse, body);
  CheckMapping(&MapListAuthTokensResponse, body);
  CheckMapping(&MapCreateAuthTokenResponse, body);
  CheckMapping(&MapDeleteAuthTokenResponse, body);
  CheckMapping(&MapEmailLoginResponse, body);
  CheckMapping(&MapVerifyTokenResponse, body);

  UpstreamResponse response;
  response.http_status = http_status;
  response.body = std::string(body);
  response.headers = {{"retry-after", header}, {"x-ratelimit-reset", header}};
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  UpstreamResponse bare;
  bare.http_status = http_status;
  for (ErrorContext context :
       {ErrorContext::kDefault, ErrorContext::kVerifyToken}) {
    const absl::Status status =
        MapUpstreamError(context, response, {header}, now);
    if (status.ok()) __builtin_trap();
    CheckError(status);
    // The header doubles as a secret of the call. One shaped like a token
    // (and without '?', which sanitizing writes in place of control
    // characters), with a character that the message's own words lack,
    // must not appear in it. The own words include the status's code name
    // ("service_unavailable" for a 503 without a body), which is what the
    // message says for the status alone.
    const std::string own_words(
        MapUpstreamError(context, bare, {}, now).message());
    if (header.size() > 3 && IsWellFormedToken(header) &&
        header.find('?') == std::string::npos &&
        header.find_first_not_of(kTemplateCharacters) != std::string::npos &&
        own_words.find(header) == std::string::npos &&
        status.message().find(header) != absl::string_view::npos) {
      __builtin_trap();
    }
  }
  return 0;
}
