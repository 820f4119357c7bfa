#include "server/identity/caller.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "server/common/text.h"

namespace vercel_tokens {

absl::string_view CallerSourceName(CallerSource source) {
  switch (source) {
    case CallerSource::kAnonymous:
      return "anonymous";
    case CallerSource::kMtls:
      return "mtls";
    case CallerSource::kXfcc:
      return "xfcc";
    case CallerSource::kKubernetes:
      return "kubernetes";
    case CallerSource::kOidc:
      return "oidc";
  }
  return "anonymous";
}

std::string PrintableIdentity(absl::string_view id) {
  std::string out;
  out.reserve(std::min(id.size(), kMaxPrintedIdentityBytes));
  for (size_t i = 0; i < id.size();) {
    const size_t length = Utf8SequenceLength(id, i);
    std::string piece;
    if (length == 0) {
      piece = absl::StrFormat("\\x%02X", static_cast<unsigned char>(id[i]));
    } else if (const char32_t c = Utf8CodePoint(id, i, length);
               IsUnsafeInText(c)) {
      piece = absl::StrFormat("\\u{%04X}", static_cast<uint32_t>(c));
    } else if (id[i] == '\\') {
      piece = "\\\\";
    } else {
      piece = std::string(id.substr(i, length));
    }
    if (out.size() + piece.size() > kMaxPrintedIdentityBytes) {
      absl::StrAppend(&out, "...(", id.size(), " bytes)");
      return out;
    }
    out += piece;
    i += length == 0 ? 1 : length;
  }
  return out;
}

}  // namespace vercel_tokens
