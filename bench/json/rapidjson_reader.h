#ifndef VERCEL_USER_TOKENS_BENCH_JSON_RAPIDJSON_READER_H_
#define VERCEL_USER_TOKENS_BENCH_JSON_RAPIDJSON_READER_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace vercel_tokens {

// The candidate to ParseWireJson (server/vercel/wire_json.h) measured by
// json_readers_bench: RapidJSON parses `json` into its DOM (in situ, on a
// copy), then the message is filled by reflection with the same rules for
// the field types of vercel_wire.proto (JSON or proto names, unknown keys
// skipped, null leaves a field unset, quoted integers and doubles, "NaN"
// and the infinities, the last of a key given twice wins, depth at most
// 100). INVALID_ARGUMENT on any mismatch. Thread-safe.
absl::Status ParseWithRapidJson(absl::string_view json,
                                google::protobuf::Message* out);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_BENCH_JSON_RAPIDJSON_READER_H_
