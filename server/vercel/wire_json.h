#ifndef VERCEL_USER_TOKENS_SERVER_VERCEL_WIRE_JSON_H_
#define VERCEL_USER_TOKENS_SERVER_VERCEL_WIRE_JSON_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace vercel_tokens {

// Reads a JSON object into `out` in one pass, as protobuf's JSON parser does
// with unknown fields ignored, for the messages of vercel_wire.proto: keys
// are a field's JSON name or its proto name; unknown keys are skipped
// whatever their value; null leaves a field unset (but is a null Value in a
// google.protobuf.Value field); integers are numbers without a fractional
// part or quoted decimal integers, in range; doubles are numbers, quoted
// numbers, "NaN", "Infinity" or "-Infinity"; a key given twice keeps its
// last value, as JavaScript's JSON.parse does.
//
// Fields may be strings, bools, int32, int64, doubles, messages and
// google.protobuf.Value, singular or repeated. Other field types (unsigned
// integers, floats, enums, bytes, maps, other well-known types) fail, as do
// wrong types, anything RFC 8259 does not allow, invalid UTF-8, a lone
// surrogate escape, a number beyond a double's range (even under an unknown
// key), text after the object, and more than 100 objects or arrays nested in
// one another: all with INVALID_ARGUMENT, whose message names the byte
// offset where reading stopped but never quotes the input. `out` is cleared
// first; on failure it holds part of the input.
//
// RapidJSON's SAX reader (iterative: its stack is on the heap, so no body
// can exhaust the thread's) parses; the events fill `out` by reflection, no
// DOM in between. protobuf's own parser (JsonStringToMessage) converts JSON
// to the binary encoding and parses that, and cost about a fifth of the
// server's CPU on a proxied call. Thread-safe: no state outlives a call.
absl::Status ParseWireJson(absl::string_view json,
                           google::protobuf::Message* out);

}  // namespace vercel_tokens

#endif  // VERCEL_USER_TOKENS_SERVER_VERCEL_WIRE_JSON_H_
