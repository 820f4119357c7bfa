#include "bench/json/rapidjson_reader.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "absl/strings/numbers.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/struct.pb.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace vercel_tokens {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kMaxDepth = 100;
constexpr unsigned kParseFlags = rapidjson::kParseValidateEncodingFlag |
                                 rapidjson::kParseFullPrecisionFlag |
                                 rapidjson::kParseIterativeFlag;

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(what);
}

absl::Status FillMessage(const rapidjson::Value& object, Message* out,
                         int depth);

absl::Status FillValue(const rapidjson::Value& json,
                       google::protobuf::Value* out, int depth) {
  if (depth > kMaxDepth) return Bad("nested too deeply");
  switch (json.GetType()) {
    case rapidjson::kNullType:
      out->set_null_value(google::protobuf::NULL_VALUE);
      return absl::OkStatus();
    case rapidjson::kFalseType:
    case rapidjson::kTrueType:
      out->set_bool_value(json.GetBool());
      return absl::OkStatus();
    case rapidjson::kNumberType:
      out->set_number_value(json.GetDouble());
      return absl::OkStatus();
    case rapidjson::kStringType:
      out->set_string_value(json.GetString(), json.GetStringLength());
      return absl::OkStatus();
    case rapidjson::kArrayType: {
      auto* list = out->mutable_list_value();
      for (const rapidjson::Value& item : json.GetArray()) {
        if (absl::Status s = FillValue(item, list->add_values(), depth + 1);
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    }
    case rapidjson::kObjectType: {
      auto* fields = out->mutable_struct_value()->mutable_fields();
      for (const auto& member : json.GetObject()) {
        if (absl::Status s = FillValue(
                member.value,
                &(*fields)[std::string(member.name.GetString(),
                                       member.name.GetStringLength())],
                depth + 1);
            !s.ok()) {
          return s;
        }
      }
      return absl::OkStatus();
    }
  }
  return Bad("unknown JSON type");
}

// "-"? followed by "0" or a digit 1-9 and more digits: JSON's integers.
bool IsDecimalInteger(absl::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  if (s.empty() || (s.front() == '0' && s.size() > 1)) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

template <typename Int>
absl::Status ReadInt(const rapidjson::Value& json, Int* out) {
  if (json.IsString()) {
    const absl::string_view digits(json.GetString(), json.GetStringLength());
    int64_t v = 0;
    if (!IsDecimalInteger(digits) || !absl::SimpleAtoi(digits, &v) ||
        v < std::numeric_limits<Int>::min() ||
        v > std::numeric_limits<Int>::max()) {
      return Bad("not an integer");
    }
    *out = static_cast<Int>(v);
    return absl::OkStatus();
  }
  if (json.IsInt64()) {
    const int64_t v = json.GetInt64();
    if (v < std::numeric_limits<Int>::min() ||
        v > std::numeric_limits<Int>::max()) {
      return Bad("integer out of range");
    }
    *out = static_cast<Int>(v);
    return absl::OkStatus();
  }
  if (json.IsDouble()) {
    const double d = json.GetDouble();
    if (std::trunc(d) != d || d < -9.2233720368547758e18 ||
        d >= 9.2233720368547758e18) {
      return Bad("not an integer");
    }
    const int64_t v = static_cast<int64_t>(d);
    if (v < std::numeric_limits<Int>::min() ||
        v > std::numeric_limits<Int>::max()) {
      return Bad("integer out of range");
    }
    *out = static_cast<Int>(v);
    return absl::OkStatus();
  }
  return Bad("not an integer");
}

absl::Status ReadDouble(const rapidjson::Value& json, double* out) {
  if (json.IsNumber()) {
    *out = json.GetDouble();
    return absl::OkStatus();
  }
  if (json.IsString()) {
    const absl::string_view s(json.GetString(), json.GetStringLength());
    if (s == "NaN") {
      *out = std::nan("");
    } else if (s == "Infinity") {
      *out = std::numeric_limits<double>::infinity();
    } else if (s == "-Infinity") {
      *out = -std::numeric_limits<double>::infinity();
    } else if (!absl::SimpleAtod(s, out)) {
      return Bad("not a number");
    }
    return absl::OkStatus();
  }
  return Bad("not a number");
}

bool IsValueField(const FieldDescriptor* field) {
  return field->message_type() == google::protobuf::Value::descriptor();
}

// Sets or adds one element of `field` from `json`.
absl::Status FillField(const rapidjson::Value& json, Message* out,
                       const FieldDescriptor* field, int depth) {
  const Reflection* r = out->GetReflection();
  const bool repeated = field->is_repeated();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      if (!json.IsString()) return Bad("not a string");
      std::string v(json.GetString(), json.GetStringLength());
      repeated ? r->AddString(out, field, std::move(v))
               : r->SetString(out, field, std::move(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      if (!json.IsBool()) return Bad("not a bool");
      repeated ? r->AddBool(out, field, json.GetBool())
               : r->SetBool(out, field, json.GetBool());
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v = 0;
      if (absl::Status s = ReadInt(json, &v); !s.ok()) return s;
      repeated ? r->AddInt32(out, field, v) : r->SetInt32(out, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v = 0;
      if (absl::Status s = ReadInt(json, &v); !s.ok()) return s;
      repeated ? r->AddInt64(out, field, v) : r->SetInt64(out, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v = 0;
      if (absl::Status s = ReadDouble(json, &v); !s.ok()) return s;
      repeated ? r->AddDouble(out, field, v) : r->SetDouble(out, field, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      Message* child =
          repeated ? r->AddMessage(out, field) : r->MutableMessage(out, field);
      if (IsValueField(field)) {
        return FillValue(json, static_cast<google::protobuf::Value*>(child),
                         depth);
      }
      if (!json.IsObject()) return Bad("not an object");
      return FillMessage(json, child, depth + 1);
    }
    default:
      return Bad("unsupported field type");
  }
}

absl::Status FillMessage(const rapidjson::Value& object, Message* out,
                         int depth) {
  if (depth > kMaxDepth) return Bad("nested too deeply");
  const google::protobuf::Descriptor* d = out->GetDescriptor();
  for (const auto& member : object.GetObject()) {
    const std::string name(member.name.GetString(),
                           member.name.GetStringLength());
    const FieldDescriptor* field = d->FindFieldByCamelcaseName(name);
    if (field == nullptr) field = d->FindFieldByName(name);
    if (field == nullptr) continue;
    const rapidjson::Value& value = member.value;
    if (value.IsNull() && !IsValueField(field)) {
      out->GetReflection()->ClearField(out, field);
      continue;
    }
    if (field->is_repeated()) {
      if (!value.IsArray()) return Bad("not an array");
      out->GetReflection()->ClearField(out, field);
      for (const rapidjson::Value& item : value.GetArray()) {
        if (absl::Status s = FillField(item, out, field, depth + 1); !s.ok()) {
          return s;
        }
      }
      continue;
    }
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      out->GetReflection()->ClearField(out, field);
    }
    if (absl::Status s = FillField(value, out, field, depth); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseWithRapidJson(absl::string_view json, Message* out) {
  out->Clear();
  std::string copy(json);
  rapidjson::Document document;
  document.ParseInsitu<kParseFlags>(copy.data());
  if (document.HasParseError()) {
    return Bad(rapidjson::GetParseError_En(document.GetParseError()));
  }
  if (!document.IsObject()) return Bad("not an object");
  return FillMessage(document, out, 1);
}

}  // namespace vercel_tokens
