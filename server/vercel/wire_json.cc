#include "server/vercel/wire_json.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "rapidjson/error/en.h"
#include "rapidjson/reader.h"
#include "server/common/text.h"

namespace vercel_tokens {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr int kMaxDepth = 100;

// RFC 8259 only (no comments, trailing commas, NaN or Infinity), strings
// unescaped in place in a copy of the body, numbers handed over as text (so
// that an int64 is read exactly), the parser's own stack on the heap rather
// than recursion, and what follows the object checked here rather than at
// the first NUL. Strings are checked as UTF-8 once unescaped (IsUtf8), which
// also catches a lone surrogate escape.
constexpr unsigned kParseFlags =
    rapidjson::kParseInsituFlag | rapidjson::kParseIterativeFlag |
    rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseStopWhenDoneFlag;

bool IsValueField(const FieldDescriptor* field) {
  return field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
         field->message_type() == Value::descriptor();
}

// Whether `s` is exactly one JSON number; `integral` when it has neither a
// fraction nor an exponent.
bool IsJsonNumber(absl::string_view s, bool* integral) {
  size_t i = 0;
  auto digits = [&] {
    const size_t first = i;
    while (i < s.size() && absl::ascii_isdigit(s[i])) ++i;
    return i > first;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  *integral = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    *integral = false;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    *integral = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// One scalar of the body, as RapidJSON hands it over.
struct Scalar {
  enum Type { kNull, kBool, kNumber, kString } type;
  absl::string_view text = {};  // A number's text or a string, unescaped.
  bool boolean = false;
};

// RapidJSON's SAX handler: fills a message by reflection as the events
// arrive, keeping one frame per open object or array. An object or array
// under an unknown key is not a frame: `skipping_` counts how deep in it the
// parser is. Each method returns false, with error_ set, to stop the parse.
class Filler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Filler> {
 public:
  explicit Filler(Message* root) : root_(root) { frames_.reserve(16); }

  const char* error() const { return error_; }

  bool Null() { return Put(Scalar{Scalar::kNull}); }
  bool Bool(bool b) { return Put(Scalar{Scalar::kBool, {}, b}); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    return Put(Scalar{Scalar::kNumber, absl::string_view(text, length)});
  }
  bool String(const char* text, rapidjson::SizeType length, bool) {
    const absl::string_view s(text, length);
    return IsUtf8(s) ? Put(Scalar{Scalar::kString, s}) : Fail(kNotUtf8);
  }

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (!IsUtf8(absl::string_view(text, length))) return Fail(kNotUtf8);
    if (skipping_ > 0) return true;
    Frame& top = frames_.back();
    key_.assign(text, length);
    if (top.kind == Kind::kStruct) {
      top.slot = &(*top.object->mutable_fields())[key_];
      top.slot->Clear();
      return true;
    }
    const FieldDescriptor* field =
        top.descriptor->FindFieldByCamelcaseName(key_);
    if (field == nullptr) field = top.descriptor->FindFieldByName(key_);
    top.field = field;
    if (field == nullptr) return true;
    if (field->is_map()) return Fail(kUnsupported);
    // The last of a key given twice wins; null leaves the field unset.
    top.reflection->ClearField(top.message, field);
    return true;
  }

  bool StartObject() {
    if (!Open()) return false;
    if (skipping_ > 0) return true;
    if (frames_.empty()) {
      frames_.push_back(MessageFrame(root_));
      return true;
    }
    Frame& top = frames_.back();
    if (top.kind == Kind::kMessage) {
      if (top.field == nullptr) return Skip();
      if (top.field->is_repeated()) return Fail("expected an array");
    }
    if (IsValue(top)) {
      Value* value = ValueSlot(top);
      if (value == nullptr) return Fail(kUnsupported);
      Frame frame{Kind::kStruct};
      frame.object = value->mutable_struct_value();
      frames_.push_back(frame);
      return true;
    }
    const FieldDescriptor* field = top.field;
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      return Fail(Expected(field));
    }
    if (absl::StartsWith(field->message_type()->full_name(),
                         "google.protobuf.")) {
      return Fail(kUnsupported);
    }
    Message* sub = top.kind == Kind::kRepeated
                       ? top.reflection->AddMessage(top.message, field)
                       : top.reflection->MutableMessage(top.message, field);
    frames_.push_back(MessageFrame(sub));
    return true;
  }

  bool StartArray() {
    if (!Open()) return false;
    if (skipping_ > 0) return true;
    if (frames_.empty()) return Fail("expected an object");
    Frame& top = frames_.back();
    if (top.kind == Kind::kMessage) {
      if (top.field == nullptr) return Skip();
      if (top.field->is_repeated()) {
        Frame frame = top;
        frame.kind = Kind::kRepeated;
        frames_.push_back(frame);
        return true;
      }
    }
    if (!IsValue(top)) return Fail(Expected(top.field));
    Value* value = ValueSlot(top);
    if (value == nullptr) return Fail(kUnsupported);
    Frame frame{Kind::kList};
    frame.list = value->mutable_list_value();
    frames_.push_back(frame);
    return true;
  }

  bool EndObject(rapidjson::SizeType) { return Close(); }
  bool EndArray(rapidjson::SizeType) { return Close(); }

 private:
  static constexpr const char* kUnsupported = "unsupported field type";
  static constexpr const char* kNotUtf8 = "invalid UTF-8 or a lone surrogate";

  enum class Kind {
    kMessage,   // An object read into `message`.
    kRepeated,  // An array read into repeated `field` of `message`.
    kStruct,    // An object read into `object`, a google.protobuf.Struct.
    kList,      // An array read into `list`, a google.protobuf.ListValue.
  };

  struct Frame {
    Kind kind;
    Message* message = nullptr;  // With its descriptor and reflection.
    const google::protobuf::Descriptor* descriptor = nullptr;
    const Reflection* reflection = nullptr;
    // kMessage: the field of the last key, null for an unknown key.
    // kRepeated: the field.
    const FieldDescriptor* field = nullptr;
    Struct* object = nullptr;
    Value* slot = nullptr;  // kStruct: the value of the last key.
    ListValue* list = nullptr;
  };

  bool Fail(const char* what) {
    error_ = what;
    return false;
  }

  static Frame MessageFrame(Message* message) {
    Frame frame{Kind::kMessage, message};
    frame.descriptor = message->GetDescriptor();
    frame.reflection = message->GetReflection();
    return frame;
  }

  // Counts an object or array opening, refusing the 101st nested one.
  bool Open() {
    if (frames_.size() + skipping_ >= kMaxDepth) {
      return Fail("nested too deeply");
    }
    if (skipping_ > 0) ++skipping_;
    return true;
  }

  // Skips the object or array just opened under an unknown key.
  bool Skip() {
    skipping_ = 1;
    return true;
  }

  bool Close() {
    if (skipping_ > 0) {
      --skipping_;
    } else {
      frames_.pop_back();
    }
    return true;
  }

  // Whether the next value in `frame` is read into a google.protobuf.Value.
  static bool IsValue(const Frame& frame) {
    return frame.kind == Kind::kStruct || frame.kind == Kind::kList ||
           IsValueField(frame.field);
  }

  // The google.protobuf.Value the next value in `frame` is read into, after
  // IsValue(frame); null if the message is not a generated one.
  static Value* ValueSlot(Frame& frame) {
    switch (frame.kind) {
      case Kind::kStruct:
        return frame.slot;
      case Kind::kList:
        return frame.list->add_values();
      case Kind::kRepeated:
        return google::protobuf::DynamicCastToGenerated<Value>(
            frame.reflection->AddMessage(frame.message, frame.field));
      case Kind::kMessage:
        break;
    }
    return google::protobuf::DynamicCastToGenerated<Value>(
        frame.reflection->MutableMessage(frame.message, frame.field));
  }

  static const char* Expected(const FieldDescriptor* field) {
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        return "expected a string";
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64:
        return "expected an integer";
      case FieldDescriptor::CPPTYPE_DOUBLE:
        return "expected a number";
      case FieldDescriptor::CPPTYPE_BOOL:
        return "expected true or false";
      case FieldDescriptor::CPPTYPE_MESSAGE:
        return "expected an object";
      default:
        return kUnsupported;
    }
  }

  // Whether `s` is UTF-8 without a surrogate code point (which raw text
  // cannot hold validly and only a lone \u escape can have made).
  static bool IsUtf8(absl::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
      // Eight ASCII bytes at a time.
      uint64_t word = 0;
      if (s.size() - i >= sizeof(word)) {
        std::memcpy(&word, s.data() + i, sizeof(word));
        if ((word & 0x8080808080808080) == 0) {
          i += sizeof(word);
          continue;
        }
      }
      const size_t length = Utf8SequenceLength(s, i);
      if (length == 0) return false;
      i += length;
    }
    return true;
  }

  // A scalar: into a field, an element of one or a google.protobuf.Value.
  bool Put(const Scalar& scalar) {
    if (skipping_ > 0) return true;
    if (frames_.empty()) return Fail("expected an object");
    Frame& top = frames_.back();
    if (top.kind == Kind::kMessage) {
      if (top.field == nullptr) return true;  // An unknown key's.
      if (top.field->is_repeated()) {
        return scalar.type == Scalar::kNull && !IsValueField(top.field)
                   ? true
                   : Fail("expected an array");
      }
    }
    if (IsValue(top)) {
      Value* value = ValueSlot(top);
      return value != nullptr ? PutValue(scalar, value) : Fail(kUnsupported);
    }
    if (scalar.type == Scalar::kNull) {
      return top.kind == Kind::kMessage || Fail("null in an array");
    }
    return PutField(top, scalar);
  }

  bool PutValue(const Scalar& scalar, Value* value) {
    switch (scalar.type) {
      case Scalar::kNull:
        value->set_null_value(google::protobuf::NULL_VALUE);
        return true;
      case Scalar::kBool:
        value->set_bool_value(scalar.boolean);
        return true;
      case Scalar::kString:
        value->set_string_value(scalar.text.data(), scalar.text.size());
        return true;
      case Scalar::kNumber: {
        double d = 0;
        if (!ToDouble(scalar.text, &d)) return false;
        value->set_number_value(d);
        return true;
      }
    }
    return Fail(kUnsupported);
  }

  // Sets `frame`'s field to `value`, or adds it if the field is repeated.
  template <typename T>
  static void Store(const Frame& frame,
                    void (Reflection::*set)(Message*, const FieldDescriptor*, T)
                        const,
                    void (Reflection::*add)(Message*, const FieldDescriptor*, T)
                        const,
                    T value) {
    (frame.reflection->*(frame.kind == Kind::kRepeated ? add : set))(
        frame.message, frame.field, std::move(value));
  }

  // `frame`'s field (or an element of it) from a non-null scalar.
  bool PutField(const Frame& frame, const Scalar& scalar) {
    const FieldDescriptor* field = frame.field;
    int64_t n = 0;
    double d = 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (scalar.type != Scalar::kString) return Fail(Expected(field));
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          return Fail(kUnsupported);
        }
        Store(frame, &Reflection::SetString, &Reflection::AddString,
              std::string(scalar.text));
        return true;
      case FieldDescriptor::CPPTYPE_BOOL:
        if (scalar.type != Scalar::kBool) return Fail(Expected(field));
        Store(frame, &Reflection::SetBool, &Reflection::AddBool,
              scalar.boolean);
        return true;
      case FieldDescriptor::CPPTYPE_INT64:
        if (!ToInteger(scalar, std::numeric_limits<int64_t>::min(),
                       std::numeric_limits<int64_t>::max(), &n)) {
          return false;
        }
        Store(frame, &Reflection::SetInt64, &Reflection::AddInt64, n);
        return true;
      case FieldDescriptor::CPPTYPE_INT32:
        if (!ToInteger(scalar, std::numeric_limits<int32_t>::min(),
                       std::numeric_limits<int32_t>::max(), &n)) {
          return false;
        }
        Store(frame, &Reflection::SetInt32, &Reflection::AddInt32,
              static_cast<int32_t>(n));
        return true;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        if (!ToDouble(scalar, &d)) return false;
        Store(frame, &Reflection::SetDouble, &Reflection::AddDouble, d);
        return true;
      default:
        return Fail(Expected(field));
    }
  }

  // An integer in [min, max]: a number without a fractional part (1e3 is
  // 1000), or a quoted decimal integer.
  bool ToInteger(const Scalar& scalar, int64_t min, int64_t max,
                 int64_t* value) {
    bool integral = true;
    if (scalar.type == Scalar::kNumber) {
      integral =
          std::none_of(scalar.text.begin(), scalar.text.end(),
                       [](char c) { return c == '.' || c == 'e' || c == 'E'; });
    } else if (scalar.type != Scalar::kString ||
               !IsJsonNumber(scalar.text, &integral) || !integral) {
      return Fail("expected an integer");
    }
    if (integral) {
      if (!absl::SimpleAtoi(scalar.text, value)) {
        return Fail("integer out of range");
      }
    } else {
      double d = 0;
      // 2^63: the first double past int64's range.
      constexpr double kLimit = 9223372036854775808.0;
      if (!absl::SimpleAtod(scalar.text, &d) || d != std::trunc(d) ||
          d < -kLimit || d >= kLimit) {
        return Fail("expected an integer");
      }
      *value = static_cast<int64_t>(d);
    }
    return (*value >= min && *value <= max) || Fail("integer out of range");
  }

  // A finite number, or a quoted number, "NaN", "Infinity" or "-Infinity".
  bool ToDouble(const Scalar& scalar, double* value) {
    if (scalar.type == Scalar::kString) {
      const absl::string_view s = scalar.text;
      if (s == "NaN") {
        *value = std::numeric_limits<double>::quiet_NaN();
        return true;
      }
      if (s == "Infinity" || s == "-Infinity") {
        *value = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                             : std::numeric_limits<double>::infinity();
        return true;
      }
      bool integral = false;
      if (!IsJsonNumber(s, &integral)) return Fail("expected a number");
    } else if (scalar.type != Scalar::kNumber) {
      return Fail("expected a number");
    }
    return ToDouble(scalar.text, value);
  }

  bool ToDouble(absl::string_view text, double* value) {
    return (absl::SimpleAtod(text, value) && std::isfinite(*value)) ||
           Fail("number out of range");
  }

  Message* const root_;
  std::vector<Frame> frames_;
  size_t skipping_ = 0;
  std::string key_;
  const char* error_ = nullptr;
};

bool IsJsonSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

}  // namespace

absl::Status ParseWireJson(absl::string_view json,
                           google::protobuf::Message* out) {
  out->Clear();
  // Unescaped in place; NUL-terminated.
  std::string copy(json);
  rapidjson::InsituStringStream stream(copy.data());
  Filler filler(out);
  rapidjson::Reader reader;
  const rapidjson::ParseResult result =
      reader.Parse<kParseFlags>(stream, filler);
  if (result.IsError()) {
    const char* what = result.Code() == rapidjson::kParseErrorTermination &&
                               filler.error() != nullptr
                           ? filler.error()
                           : rapidjson::GetParseError_En(result.Code());
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON at byte ", result.Offset(), ": ", what));
  }
  for (size_t i = stream.Tell(); i < json.size(); ++i) {
    if (!IsJsonSpace(json[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid JSON at byte ", i, ": text after the object"));
    }
  }
  return absl::OkStatus();
}

}  // namespace vercel_tokens
