#include "server/vercel/wire_json.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/struct.pb.h"
#include "server/common/text.h"

namespace vercel_tokens {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::ListValue;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::Struct;
using google::protobuf::Value;

constexpr int kMaxDepth = 100;

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

// A recursive-descent reader over `in_`. Each Parse*/Skip* method reads one
// value starting at the next non-space byte and returns false, with
// `error_` set and `pos_` where it stopped, when the input is not what it
// expects.
class Parser {
 public:
  explicit Parser(absl::string_view in) : in_(in) {}

  absl::Status ParseObjectInto(Message* out) {
    out->Clear();
    if (Peek() != '{') return Failure("expected an object");
    if (!ParseMessage(out, 0)) return Failure(error_);
    SkipSpace();
    if (pos_ != in_.size()) return Failure("text after the object");
    return absl::OkStatus();
  }

  // Whether the whole input is one JSON number; its text in `text`.
  bool IsOneNumber(absl::string_view* text, bool* integral) {
    return LexNumber(text, integral) && pos_ == in_.size();
  }

 private:
  absl::Status Failure(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid JSON at byte ", pos_, ": ", what));
  }

  bool Fail(const char* what) {
    error_ = what;
    return false;
  }

  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\n' ||
                                 in_[pos_] == '\r' || in_[pos_] == '\t')) {
      ++pos_;
    }
  }

  // The next non-space byte, or '\0' at the end.
  char Peek() {
    SkipSpace();
    return pos_ < in_.size() ? in_[pos_] : '\0';
  }

  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }

  bool ConsumeWord(absl::string_view word) {
    if (!absl::StartsWith(in_.substr(pos_), word)) return false;
    pos_ += word.size();
    return true;
  }

  // Reads an object, calling `member(key)` with the reader before each
  // member's value, which `member` must read.
  template <typename Member>
  bool ParseMembers(int depth, Member member) {
    if (depth >= kMaxDepth) return Fail("nested too deeply");
    if (!Consume('{')) return Fail("expected an object");
    if (Consume('}')) return true;
    std::string key;
    do {
      if (Peek() != '"') return Fail("expected a key");
      if (!ParseString(key)) return false;
      if (!Consume(':')) return Fail("expected ':'");
      if (!member(key)) return false;
    } while (Consume(','));
    return Consume('}') || Fail("expected ',' or '}'");
  }

  // Reads an array, calling `element()` to read each element.
  template <typename Element>
  bool ParseElements(int depth, Element element) {
    if (depth >= kMaxDepth) return Fail("nested too deeply");
    if (!Consume('[')) return Fail("expected an array");
    if (Consume(']')) return true;
    do {
      if (!element()) return false;
    } while (Consume(','));
    return Consume(']') || Fail("expected ',' or ']'");
  }

  bool ParseMessage(Message* message, int depth) {
    const Descriptor* descriptor = message->GetDescriptor();
    return ParseMembers(depth, [&](const std::string& key) {
      const FieldDescriptor* field = descriptor->FindFieldByCamelcaseName(key);
      if (field == nullptr) field = descriptor->FindFieldByName(key);
      if (field == nullptr) return SkipValue(depth + 1);
      return ParseField(message, field, depth + 1);
    });
  }

  static bool IsValueField(const FieldDescriptor* field) {
    return field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
           field->message_type() == Value::descriptor();
  }

  // A member's value: the last of a key given twice wins.
  bool ParseField(Message* message, const FieldDescriptor* field, int depth) {
    const Reflection* reflection = message->GetReflection();
    reflection->ClearField(message, field);
    if (field->is_map()) return Fail("unsupported field type");
    if (Peek() == 'n' && !IsValueField(field)) {
      return ConsumeWord("null") || Fail("expected a value");
    }
    if (!field->is_repeated()) return ParseOne(message, field, depth);
    return ParseElements(depth, [&] {
      if (Peek() == 'n' && !IsValueField(field)) {
        return Fail("null in an array");
      }
      return ParseOne(message, field, depth + 1);
    });
  }

  // One value of `field`: its value if singular, an element if repeated.
  bool ParseOne(Message* message, const FieldDescriptor* field, int depth) {
    const Reflection* reflection = message->GetReflection();
    const bool repeated = field->is_repeated();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          return Fail("unsupported field type");
        }
        std::string text;
        if (Peek() != '"') return Fail("expected a string");
        if (!ParseString(text)) return false;
        if (repeated) {
          reflection->AddString(message, field, std::move(text));
        } else {
          reflection->SetString(message, field, std::move(text));
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t number = 0;
        if (!ParseInteger(std::numeric_limits<int64_t>::min(),
                          std::numeric_limits<int64_t>::max(), &number)) {
          return false;
        }
        if (repeated) {
          reflection->AddInt64(message, field, number);
        } else {
          reflection->SetInt64(message, field, number);
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        int64_t number = 0;
        if (!ParseInteger(std::numeric_limits<int32_t>::min(),
                          std::numeric_limits<int32_t>::max(), &number)) {
          return false;
        }
        if (repeated) {
          reflection->AddInt32(message, field, static_cast<int32_t>(number));
        } else {
          reflection->SetInt32(message, field, static_cast<int32_t>(number));
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double number = 0;
        if (!ParseDouble(&number)) return false;
        if (repeated) {
          reflection->AddDouble(message, field, number);
        } else {
          reflection->SetDouble(message, field, number);
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool value = false;
        if (!ParseBool(&value)) return false;
        if (repeated) {
          reflection->AddBool(message, field, value);
        } else {
          reflection->SetBool(message, field, value);
        }
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* sub = repeated ? reflection->AddMessage(message, field)
                                : reflection->MutableMessage(message, field);
        if (IsValueField(field)) {
          Value* value = google::protobuf::DynamicCastToGenerated<Value>(sub);
          return value != nullptr ? ParseValue(value, depth)
                                  : Fail("unsupported field type");
        }
        if (absl::StartsWith(field->message_type()->full_name(),
                             "google.protobuf.")) {
          return Fail("unsupported field type");
        }
        return ParseMessage(sub, depth);
      }
      default:
        return Fail("unsupported field type");
    }
  }

  // Any JSON value, as a google.protobuf.Value.
  bool ParseValue(Value* value, int depth) {
    value->Clear();
    switch (Peek()) {
      case 'n':
        value->set_null_value(google::protobuf::NULL_VALUE);
        return ConsumeWord("null") || Fail("expected a value");
      case 't':
      case 'f': {
        bool b = false;
        if (!ParseBool(&b)) return false;
        value->set_bool_value(b);
        return true;
      }
      case '"':
        return ParseString(*value->mutable_string_value());
      case '{': {
        Struct* object = value->mutable_struct_value();
        return ParseMembers(depth, [&](const std::string& key) {
          return ParseValue(&(*object->mutable_fields())[key], depth + 1);
        });
      }
      case '[': {
        ListValue* list = value->mutable_list_value();
        return ParseElements(
            depth, [&] { return ParseValue(list->add_values(), depth + 1); });
      }
      default: {
        double number = 0;
        if (!ParseDouble(&number)) return false;
        value->set_number_value(number);
        return true;
      }
    }
  }

  // Reads any value and drops it.
  bool SkipValue(int depth) {
    switch (Peek()) {
      case '{':
        return ParseMembers(
            depth, [&](const std::string&) { return SkipValue(depth + 1); });
      case '[':
        return ParseElements(depth, [&] { return SkipValue(depth + 1); });
      case '"': {
        std::string ignored;
        return ParseString(ignored);
      }
      case 't':
      case 'f': {
        bool ignored = false;
        return ParseBool(&ignored);
      }
      case 'n':
        return ConsumeWord("null") || Fail("expected a value");
      default: {
        absl::string_view text;
        bool integral = false;
        return LexNumber(&text, &integral);
      }
    }
  }

  bool ParseBool(bool* value) {
    SkipSpace();
    if (ConsumeWord("true")) {
      *value = true;
      return true;
    }
    if (ConsumeWord("false")) {
      *value = false;
      return true;
    }
    return Fail("expected true or false");
  }

  // A number per JSON's grammar, at the next non-space byte.
  bool LexNumber(absl::string_view* text, bool* integral) {
    SkipSpace();
    const size_t start = pos_;
    auto digits = [&] {
      const size_t first = pos_;
      while (pos_ < in_.size() && absl::ascii_isdigit(in_[pos_])) ++pos_;
      return pos_ > first;
    };
    if (pos_ < in_.size() && in_[pos_] == '-') ++pos_;
    if (pos_ < in_.size() && in_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return Fail("expected a value");
    }
    *integral = true;
    if (pos_ < in_.size() && in_[pos_] == '.') {
      ++pos_;
      *integral = false;
      if (!digits()) return Fail("expected a digit");
    }
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      ++pos_;
      *integral = false;
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      if (!digits()) return Fail("expected a digit");
    }
    *text = in_.substr(start, pos_ - start);
    return true;
  }

  // An integer in [min, max]: a number without a fractional part (1e3 is
  // 1000), or a quoted decimal integer.
  bool ParseInteger(int64_t min, int64_t max, int64_t* value) {
    absl::string_view text;
    bool integral = false;
    std::string quoted;
    if (Peek() == '"') {
      if (!ParseString(quoted)) return false;
      Parser inner(quoted);
      if (!inner.IsOneNumber(&text, &integral) || !integral) {
        return Fail("expected an integer");
      }
    } else if (!LexNumber(&text, &integral)) {
      return false;
    }
    if (integral) {
      if (!absl::SimpleAtoi(text, value)) return Fail("integer out of range");
    } else {
      double d = 0;
      // 2^63: the first double past int64's range.
      constexpr double kLimit = 9223372036854775808.0;
      if (!absl::SimpleAtod(text, &d) || d != std::trunc(d) || d < -kLimit ||
          d >= kLimit) {
        return Fail("expected an integer");
      }
      *value = static_cast<int64_t>(d);
    }
    if (*value < min || *value > max) return Fail("integer out of range");
    return true;
  }

  // A finite number, or a quoted number, "NaN", "Infinity" or "-Infinity".
  bool ParseDouble(double* value) {
    absl::string_view text;
    bool integral = false;
    std::string quoted;
    if (Peek() == '"') {
      if (!ParseString(quoted)) return false;
      if (quoted == "NaN") {
        *value = std::numeric_limits<double>::quiet_NaN();
        return true;
      }
      if (quoted == "Infinity" || quoted == "-Infinity") {
        *value = quoted[0] == '-' ? -std::numeric_limits<double>::infinity()
                                  : std::numeric_limits<double>::infinity();
        return true;
      }
      Parser inner(quoted);
      if (!inner.IsOneNumber(&text, &integral)) {
        return Fail("expected a number");
      }
    } else if (!LexNumber(&text, &integral)) {
      return false;
    }
    if (!absl::SimpleAtod(text, value) || !std::isfinite(*value)) {
      return Fail("number out of range");
    }
    return true;
  }

  // Four hex digits of a \u escape.
  bool ParseHex4(char32_t* code_unit) {
    if (in_.size() - pos_ < 4) return Fail("invalid \\u escape");
    *code_unit = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = in_[pos_++];
      int digit = 0;
      if (absl::ascii_isdigit(c)) {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return Fail("invalid \\u escape");
      }
      *code_unit = (*code_unit << 4) | digit;
    }
    return true;
  }

  // A string at pos_ (which is at its opening quote), unescaped.
  bool ParseString(std::string& out) {
    out.clear();
    ++pos_;
    while (true) {
      const size_t run = pos_;
      while (pos_ < in_.size()) {
        const auto c = static_cast<unsigned char>(in_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      out.append(in_.data() + run, pos_ - run);
      if (pos_ >= in_.size()) return Fail("unterminated string");
      const auto c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("control character in a string");
      if (c >= 0x80) {
        const size_t length = Utf8SequenceLength(in_, pos_);
        if (length == 0) return Fail("invalid UTF-8");
        out.append(in_.data() + pos_, length);
        pos_ += length;
        continue;
      }
      ++pos_;  // The backslash.
      if (pos_ >= in_.size()) return Fail("unterminated string");
      switch (in_[pos_++]) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          char32_t code_point = 0;
          if (!ParseHex4(&code_point)) return false;
          if (code_point >= 0xDC00 && code_point <= 0xDFFF) {
            return Fail("lone surrogate");
          }
          if (code_point >= 0xD800 && code_point <= 0xDBFF) {
            char32_t low = 0;
            if (!ConsumeWord("\\u") || !ParseHex4(&low) || low < 0xDC00 ||
                low > 0xDFFF) {
              return Fail("lone surrogate");
            }
            code_point =
                0x10000 + ((code_point - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(code_point, out);
          break;
        }
        default:
          return Fail("invalid escape");
      }
    }
  }

  const absl::string_view in_;
  size_t pos_ = 0;
  const char* error_ = "";
};

}  // namespace

absl::Status ParseWireJson(absl::string_view json,
                           google::protobuf::Message* out) {
  return Parser(json).ParseObjectInto(out);
}

}  // namespace vercel_tokens
