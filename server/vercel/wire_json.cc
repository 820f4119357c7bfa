#include "server/vercel/wire_json.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
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

// The integer a JSON number's text `text` stands for, if it is one in
// [min, max] (1e3 is 1000); else the reason, in `error`.
bool ToInteger(absl::string_view text, bool integral, int64_t min, int64_t max,
               int64_t* value, const char** error) {
  if (integral) {
    if (!absl::SimpleAtoi(text, value)) {
      *error = "integer out of range";
      return false;
    }
  } else {
    double d = 0;
    // 2^63: the first double past int64's range.
    constexpr double kLimit = 9223372036854775808.0;
    if (!absl::SimpleAtod(text, &d) || d != std::trunc(d) || d < -kLimit ||
        d >= kLimit) {
      *error = "expected an integer";
      return false;
    }
    *value = static_cast<int64_t>(d);
  }
  if (*value < min || *value > max) {
    *error = "integer out of range";
    return false;
  }
  return true;
}

// RapidJSON's SAX handler: fills a message by reflection as the events
// arrive, keeping one frame per open object or array. An object or array
// under an unknown key is not a frame: `skipping_` counts how deep in it the
// parser is.
class Filler {
 public:
  explicit Filler(Message* root) : root_(root) { frames_.reserve(16); }

  const char* error() const { return error_; }

  bool Null() {
    if (skipping_ > 0) return true;
    if (frames_.empty()) return Fail("expected an object");
    Frame& top = frames_.back();
    if (top.kind == Kind::kMessage) {
      // A field is cleared when its key is read: null leaves it unset.
      if (top.field == nullptr) return true;
      if (top.field->is_repeated()) {
        return IsValueField(top.field) ? Fail("expected an array") : true;
      }
      if (!IsValueField(top.field)) return true;
    } else if (top.kind == Kind::kRepeated && !IsValueField(top.field)) {
      return Fail("null in an array");
    }
    Value* value = ValueSlot(top);
    if (value == nullptr) return Fail("unsupported field type");
    value->set_null_value(google::protobuf::NULL_VALUE);
    return true;
  }

  bool Bool(bool b) {
    if (skipping_ > 0) return true;
    Frame* top = ScalarTarget();
    if (top == nullptr) return error_ == nullptr;
    if (IsValue(*top)) {
      Value* value = ValueSlot(*top);
      if (value == nullptr) return Fail("unsupported field type");
      value->set_bool_value(b);
      return true;
    }
    if (top->field->cpp_type() != FieldDescriptor::CPPTYPE_BOOL) {
      return Fail(Expected(top->field));
    }
    const Reflection* reflection = top->reflection;
    if (top->kind == Kind::kRepeated) {
      reflection->AddBool(top->message, top->field, b);
    } else {
      reflection->SetBool(top->message, top->field, b);
    }
    return true;
  }

  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    if (skipping_ > 0) return true;
    Frame* top = ScalarTarget();
    if (top == nullptr) return error_ == nullptr;
    const absl::string_view number(text, length);
    if (IsValue(*top)) {
      double d = 0;
      if (!ToDouble(number, &d)) return false;
      Value* value = ValueSlot(*top);
      if (value == nullptr) return Fail("unsupported field type");
      value->set_number_value(d);
      return true;
    }
    bool integral = true;
    for (const char c : number) {
      if (c == '.' || c == 'e' || c == 'E') integral = false;
    }
    return SetNumber(*top, number, integral);
  }

  bool String(const char* text, rapidjson::SizeType length, bool) {
    const absl::string_view s(text, length);
    if (!IsUtf8(s)) return Fail("invalid UTF-8 or a lone surrogate");
    if (skipping_ > 0) return true;
    Frame* top = ScalarTarget();
    if (top == nullptr) return error_ == nullptr;
    if (IsValue(*top)) {
      Value* value = ValueSlot(*top);
      if (value == nullptr) return Fail("unsupported field type");
      value->set_string_value(text, length);
      return true;
    }
    const FieldDescriptor* field = top->field;
    const Reflection* reflection = top->reflection;
    const bool repeated = top->kind == Kind::kRepeated;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          return Fail("unsupported field type");
        }
        if (repeated) {
          reflection->AddString(top->message, field, std::string(s));
        } else {
          reflection->SetString(top->message, field, std::string(s));
        }
        return true;
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64: {
        bool integral = false;
        if (!IsJsonNumber(s, &integral) || !integral) {
          return Fail("expected an integer");
        }
        return SetNumber(*top, s, integral);
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double d = 0;
        if (s == "NaN") {
          d = std::numeric_limits<double>::quiet_NaN();
        } else if (s == "Infinity" || s == "-Infinity") {
          d = s[0] == '-' ? -std::numeric_limits<double>::infinity()
                          : std::numeric_limits<double>::infinity();
        } else {
          bool integral = false;
          if (!IsJsonNumber(s, &integral)) return Fail("expected a number");
          if (!ToDouble(s, &d)) return false;
        }
        if (repeated) {
          reflection->AddDouble(top->message, field, d);
        } else {
          reflection->SetDouble(top->message, field, d);
        }
        return true;
      }
      default:
        return Fail(Expected(field));
    }
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
      if (top.field == nullptr) {
        skipping_ = 1;
        return true;
      }
      if (top.field->is_repeated()) return Fail("expected an array");
    }
    if (IsValue(top)) {
      Value* value = ValueSlot(top);
      if (value == nullptr) return Fail("unsupported field type");
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
      return Fail("unsupported field type");
    }
    Message* sub = top.kind == Kind::kRepeated
                       ? top.reflection->AddMessage(top.message, field)
                       : top.reflection->MutableMessage(top.message, field);
    frames_.push_back(MessageFrame(sub));
    return true;
  }

  bool Key(const char* text, rapidjson::SizeType length, bool) {
    if (!IsUtf8(absl::string_view(text, length))) {
      return Fail("invalid UTF-8 or a lone surrogate");
    }
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
    if (field->is_map()) return Fail("unsupported field type");
    // The last of a key given twice wins.
    top.reflection->ClearField(top.message, field);
    return true;
  }

  bool EndObject(rapidjson::SizeType) { return Close(); }

  bool StartArray() {
    if (!Open()) return false;
    if (skipping_ > 0) return true;
    if (frames_.empty()) return Fail("expected an object");
    Frame& top = frames_.back();
    if (top.kind == Kind::kMessage) {
      if (top.field == nullptr) {
        skipping_ = 1;
        return true;
      }
      if (top.field->is_repeated()) {
        Frame frame = top;
        frame.kind = Kind::kRepeated;
        frames_.push_back(frame);
        return true;
      }
    }
    if (!IsValue(top)) return Fail(Expected(top.field));
    Value* value = ValueSlot(top);
    if (value == nullptr) return Fail("unsupported field type");
    Frame frame{Kind::kList};
    frame.list = value->mutable_list_value();
    frames_.push_back(frame);
    return true;
  }

  bool EndArray(rapidjson::SizeType) { return Close(); }

  // RapidJSON calls these only without kParseNumbersAsStringsFlag.
  bool Int(int) { return Fail("unexpected number"); }
  bool Uint(unsigned) { return Fail("unexpected number"); }
  bool Int64(int64_t) { return Fail("unexpected number"); }
  bool Uint64(uint64_t) { return Fail("unexpected number"); }
  bool Double(double) { return Fail("unexpected number"); }

 private:
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

  // The frame a scalar goes into; null, with error_ set if it is an error,
  // when it goes nowhere (an unknown key's value).
  Frame* ScalarTarget() {
    if (frames_.empty()) {
      Fail("expected an object");
      return nullptr;
    }
    Frame& top = frames_.back();
    if (top.kind == Kind::kMessage) {
      if (top.field == nullptr) return nullptr;
      if (top.field->is_repeated()) {
        Fail("expected an array");
        return nullptr;
      }
    }
    return &top;
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
        return "unsupported field type";
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

  bool ToDouble(absl::string_view text, double* value) {
    if (!absl::SimpleAtod(text, value) || !std::isfinite(*value)) {
      return Fail("number out of range");
    }
    return true;
  }

  // Sets or adds the number `text` (JSON's grammar) to `frame`'s field.
  bool SetNumber(Frame& frame, absl::string_view text, bool integral) {
    const FieldDescriptor* field = frame.field;
    const Reflection* reflection = frame.reflection;
    const bool repeated = frame.kind == Kind::kRepeated;
    int64_t number = 0;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT64:
        if (!ToInteger(text, integral, std::numeric_limits<int64_t>::min(),
                       std::numeric_limits<int64_t>::max(), &number, &error_)) {
          return false;
        }
        if (repeated) {
          reflection->AddInt64(frame.message, field, number);
        } else {
          reflection->SetInt64(frame.message, field, number);
        }
        return true;
      case FieldDescriptor::CPPTYPE_INT32:
        if (!ToInteger(text, integral, std::numeric_limits<int32_t>::min(),
                       std::numeric_limits<int32_t>::max(), &number, &error_)) {
          return false;
        }
        if (repeated) {
          reflection->AddInt32(frame.message, field,
                               static_cast<int32_t>(number));
        } else {
          reflection->SetInt32(frame.message, field,
                               static_cast<int32_t>(number));
        }
        return true;
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double d = 0;
        if (!ToDouble(text, &d)) return false;
        if (repeated) {
          reflection->AddDouble(frame.message, field, d);
        } else {
          reflection->SetDouble(frame.message, field, d);
        }
        return true;
      }
      default:
        return Fail(Expected(field));
    }
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
