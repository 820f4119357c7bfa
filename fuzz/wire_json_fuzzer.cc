// Differential: where both ParseWireJson (RapidJSON's SAX reader filling
// the message by reflection) and protobuf's JSON parser (which the server
// used before it) accept a body, they read the same message.
// Which bodies each accepts differs at the edges (ParseWireJson takes only
// RFC 8259 JSON; protobuf's parser also takes trailing commas or single
// quotes), and bodies with an empty or repeated key are read differently.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/vercel/vercel_wire.pb.h"
#include "server/vercel/wire_json.h"

namespace vercel_tokens {
namespace {

namespace wire = ::vercel::authentication::wire;

// The text of the JSON string `quoted` (quotes included), unescaped.
std::string Unescape(absl::string_view quoted) {
  wire::Pagination holder;
  (void)ParseWireJson(absl::StrCat(R"({"next":)", quoted, "}"), &holder);
  return holder.next().string_value();
}

// Whether an object of `json` (valid JSON) has a key the two parsers read
// differently: one given twice (ParseWireJson keeps the last value, as
// JavaScript's JSON.parse does; protobuf's parser appends to a repeated
// field and merges a message) or an empty one (protobuf's parser turns
// `{"": {"origin": "x"}}` in a scope into binary unknown fields, and loses
// the id of `{"id": "t", "": [{}]}`).
bool HasKeyReadDifferently(absl::string_view json) {
  std::vector<std::set<std::string>> keys;  // Per open object.
  std::vector<char> open;
  for (size_t i = 0; i < json.size(); ++i) {
    switch (json[i]) {
      case '"': {
        size_t end = i + 1;
        while (json[end] != '"') end += json[end] == '\\' ? 2 : 1;
        const size_t next = json.find_first_not_of(" \t\r\n", end + 1);
        if (next != absl::string_view::npos && json[next] == ':' &&
            !open.empty() && open.back() == '{') {
          std::string key = Unescape(json.substr(i, end + 1 - i));
          if (key.empty() || !keys.back().insert(std::move(key)).second) {
            return true;
          }
        }
        i = end;
        break;
      }
      case '{':
        open.push_back('{');
        keys.emplace_back();
        break;
      case '[':
        open.push_back('[');
        break;
      case '}':
        open.pop_back();
        keys.pop_back();
        break;
      case ']':
        open.pop_back();
        break;
    }
  }
  return false;
}

template <typename Wire>
void Compare(const std::string& json) {
  Wire ours;
  if (!ParseWireJson(json, &ours).ok() || HasKeyReadDifferently(json)) return;
  Wire theirs;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(json, &theirs, options)
           .ok()) {
    return;
  }
  // JSON has no unknown binary fields to compare.
  theirs.DiscardUnknownFields();
  if (!google::protobuf::util::MessageDifferencer::Equals(ours, theirs)) {
    __builtin_trap();
  }
}

}  // namespace
}  // namespace vercel_tokens

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace wire = ::vercel::authentication::wire;
  const std::string json(reinterpret_cast<const char*>(data), size);
  vercel_tokens::Compare<wire::ListTokensBody>(json);
  vercel_tokens::Compare<wire::CreateTokenBody>(json);
  vercel_tokens::Compare<wire::ErrorBody>(json);
  return 0;
}
