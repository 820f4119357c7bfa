#include "output_format.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "user_tokens_client.h"
#include "vercel/authentication/v1/user_tokens.pb.h"

namespace vercel_tokens {
namespace {

using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;
using ::google::protobuf::Reflection;
using ::vercel::authentication::v1::AuthToken;

constexpr size_t kTokenColumns = 7;
using TableRow = std::array<std::string, kTokenColumns>;

// Returns the text of a string field, or `-` when it is empty.
std::string OrDash(const std::string& text) {
  return text.empty() ? "-" : text;
}

// Returns the time of a singular Timestamp field, or `-` when it is unset.
std::string TimeOrDash(bool has, const google::protobuf::Timestamp& time) {
  return has ? FormatTimestamp(time) : "-";
}

TableRow TokenRow(const AuthToken& token) {
  return {OrDash(token.id()),
          OrDash(token.name()),
          OrDash(token.type()),
          OrDash(token.origin()),
          TimeOrDash(token.has_created_at(), token.created_at()),
          TimeOrDash(token.has_expires_at(), token.expires_at()),
          TimeOrDash(token.has_active_at(), token.active_at())};
}

// Returns `rows` as left-aligned columns two spaces apart.
std::string FormatRows(const std::vector<TableRow>& rows) {
  std::array<size_t, kTokenColumns> widths{};
  for (const TableRow& row : rows) {
    for (size_t i = 0; i < kTokenColumns; ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  std::string out;
  for (const TableRow& row : rows) {
    std::string line;
    for (size_t i = 0; i < kTokenColumns; ++i) {
      absl::StrAppend(&line, row[i]);
      if (i + 1 < kTokenColumns)
        line.append(widths[i] - row[i].size() + 2, ' ');
    }
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

// Returns the table of the AuthToken field `field` of `message`.
std::string FormatTokenTable(const Message& message,
                             const FieldDescriptor* field) {
  std::vector<TableRow> rows = {
      {"ID", "NAME", "TYPE", "ORIGIN", "CREATED", "EXPIRES", "ACTIVE"}};
  const Reflection* reflection = message.GetReflection();
  if (field->is_repeated()) {
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      rows.push_back(TokenRow(static_cast<const AuthToken&>(
          reflection->GetRepeatedMessage(message, field, i))));
    }
  } else if (reflection->HasField(message, field)) {
    rows.push_back(TokenRow(
        static_cast<const AuthToken&>(reflection->GetMessage(message, field))));
  }
  return FormatRows(rows);
}

void AppendKeyValues(const Message& message, absl::string_view prefix,
                     const FieldDescriptor* skip, std::string* out);

// Appends the `key: value` line(s) of the value at `index` of `field` (-1 for
// a singular field).
void AppendValue(const Message& message, const FieldDescriptor* field,
                 int index, const std::string& key, std::string* out) {
  const Reflection* reflection = message.GetReflection();
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const Message& value =
        index < 0 ? reflection->GetMessage(message, field)
                  : reflection->GetRepeatedMessage(message, field, index);
    if (value.GetDescriptor() == google::protobuf::Timestamp::descriptor()) {
      absl::StrAppend(
          out, key, ": ",
          FormatTimestamp(
              static_cast<const google::protobuf::Timestamp&>(value)),
          "\n");
    } else {
      AppendKeyValues(value, absl::StrCat(key, "."), nullptr, out);
    }
    return;
  }
  std::string text;
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    text = index < 0 ? reflection->GetString(message, field)
                     : reflection->GetRepeatedString(message, field, index);
  } else {
    google::protobuf::TextFormat::PrintFieldValueToString(message, field, index,
                                                          &text);
  }
  absl::StrAppend(out, key, ": ", text, "\n");
}

// Appends a `key: value` line for every set field of `message` but `skip`.
void AppendKeyValues(const Message& message, absl::string_view prefix,
                     const FieldDescriptor* skip, std::string* out) {
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* field : fields) {
    if (field == skip) continue;
    const std::string key = absl::StrCat(prefix, field->name());
    if (!field->is_repeated()) {
      AppendValue(message, field, -1, key, out);
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(message, field); ++i) {
      AppendValue(message, field, i, absl::StrCat(key, "[", i, "]"), out);
    }
  }
}

}  // namespace

absl::StatusOr<std::string> FormatJson(const Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  if (auto status =
          google::protobuf::util::MessageToJsonString(message, &json, options);
      !status.ok()) {
    return absl::InternalError(
        absl::StrCat("cannot print the response as JSON: ", status.ToString()));
  }
  json.push_back('\n');
  return json;
}

std::string FormatTable(const Message& message) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const FieldDescriptor* token_field = nullptr;
  for (int i = 0; i < descriptor->field_count() && token_field == nullptr;
       ++i) {
    if (descriptor->field(i)->message_type() == AuthToken::descriptor()) {
      token_field = descriptor->field(i);
    }
  }
  std::string out;
  if (token_field != nullptr) out = FormatTokenTable(message, token_field);
  AppendKeyValues(message, "", token_field, &out);
  return out;
}

std::string FormatTimestamp(const google::protobuf::Timestamp& timestamp) {
  const absl::Time time = absl::FromUnixSeconds(timestamp.seconds()) +
                          absl::Nanoseconds(timestamp.nanos());
  return absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::string FormatError(const grpc::Status& status) {
  std::string out =
      absl::StrCat("error: ",
                   absl::StatusCodeToString(
                       static_cast<absl::StatusCode>(status.error_code())),
                   ": ", status.error_message(), "\n");
  const ErrorDetails details = DecodeErrorDetails(status);
  if (!details.reason.empty()) {
    absl::StrAppend(&out, "reason: ", details.reason, "\n");
  }
  if (!details.domain.empty()) {
    absl::StrAppend(&out, "domain: ", details.domain, "\n");
  }
  // What Vercel answered, for errors that came from Vercel.
  for (const char* key : {"http_status", "vercel_code", "vercel_request_id"}) {
    if (auto it = details.metadata.find(key); it != details.metadata.end()) {
      absl::StrAppend(&out, key, ": ", it->second, "\n");
    }
  }
  if (details.retry_delay.has_value()) {
    absl::StrAppend(&out,
                    "retry after: ", absl::FormatDuration(*details.retry_delay),
                    "\n");
  }
  for (const FieldViolation& violation : details.field_violations) {
    absl::StrAppend(&out, "field ", violation.field, ": ",
                    violation.description, "\n");
  }
  return out;
}

}  // namespace vercel_tokens
