#include "tests/integration/fake_vercel.h"

#include <curl/curl.h>

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace vercel_tokens::integration {
namespace {

using ::google::protobuf::util::JsonParseOptions;
using ::google::protobuf::util::JsonPrintOptions;
using ::google::protobuf::util::JsonStringToMessage;
using ::google::protobuf::util::MessageToJsonString;

struct CurlEasyDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};

struct CurlSlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t AppendToString(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

absl::Status FromProtobufStatus(const google::protobuf::util::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::InternalError(status.ToString());
}

absl::Status ToJson(const google::protobuf::Message& message,
                    bool preserve_field_names, std::string* json) {
  JsonPrintOptions options;
  options.preserve_proto_field_names = preserve_field_names;
  return FromProtobufStatus(MessageToJsonString(message, json, options));
}

absl::Status FromJson(const std::string& json,
                      google::protobuf::Message* message) {
  JsonParseOptions options;
  options.ignore_unknown_fields = true;
  return FromProtobufStatus(JsonStringToMessage(json, message, options));
}

}  // namespace

absl::StatusOr<std::unique_ptr<FakeVercel>> FakeVercel::Start(
    const std::string& tls_cert_file, const std::string& tls_key_file,
    int port) {
  std::vector<std::string> argv = {VUT_PYTHON_PATH, VUT_FAKE_VERCEL_PATH,
                                   "--host",        "127.0.0.1",
                                   "--port",        absl::StrCat(port)};
  const bool tls = !tls_cert_file.empty();
  if (tls) {
    argv.insert(argv.end(),
                {"--tls-cert", tls_cert_file, "--tls-key", tls_key_file});
  }
  auto process = Process::Start(argv, TestEnvironment());
  if (!process.ok()) return process.status();
  auto line =
      (*process)->WaitForLine(Stream::kStdout, "PORT ", absl::Seconds(15));
  if (!line.ok()) return line.status();
  absl::string_view port_text = *line;
  if (!absl::ConsumePrefix(&port_text, "PORT ") ||
      !absl::SimpleAtoi(port_text, &port)) {
    return absl::InternalError(absl::StrCat("unexpected line: ", *line));
  }
  return std::unique_ptr<FakeVercel>(new FakeVercel(
      *std::move(process),
      absl::StrCat(tls ? "https" : "http", "://127.0.0.1:", port),
      tls_cert_file));
}

FakeVercel::FakeVercel(std::unique_ptr<Process> process, std::string base_url,
                       std::string ca_file)
    : process_(std::move(process)),
      base_url_(std::move(base_url)),
      ca_file_(std::move(ca_file)) {}

absl::StatusOr<ResetResponse> FakeVercel::Reset(const ResetRequest& request) {
  std::string json;
  if (absl::Status s = ToJson(request, /*preserve_field_names=*/false, &json);
      !s.ok())
    return s;
  auto body = Control("POST", "/_fake/reset", json);
  if (!body.ok()) return body.status();
  ResetResponse response;
  if (absl::Status s = FromJson(*body, &response); !s.ok()) return s;
  return response;
}

absl::Status FakeVercel::AddFault(const Fault& fault) {
  std::string json;
  if (absl::Status s = ToJson(fault, /*preserve_field_names=*/true, &json);
      !s.ok())
    return s;
  return Control("POST", "/_fake/faults", json).status();
}

absl::Status FakeVercel::Release() {
  return Control("POST", "/_fake/release", "{}").status();
}

absl::Status FakeVercel::Confirm(absl::string_view email) {
  ConfirmRequest request;
  request.set_email(std::string(email));
  std::string json;
  if (absl::Status s = ToJson(request, /*preserve_field_names=*/true, &json);
      !s.ok())
    return s;
  return Control("POST", "/_fake/confirm", json).status();
}

absl::StatusOr<std::vector<RecordedRequest>> FakeVercel::Requests() {
  auto body = Control("GET", "/_fake/requests", "");
  if (!body.ok()) return body.status();
  RecordedRequests recorded;
  if (absl::Status s = FromJson(*body, &recorded); !s.ok()) return s;
  return std::vector<RecordedRequest>(recorded.requests().begin(),
                                      recorded.requests().end());
}

absl::Status FakeVercel::WaitForRequests(int count) {
  return Wait("wait", count);
}

absl::Status FakeVercel::WaitHeld(int count) {
  return Wait("wait_held", count);
}

absl::Status FakeVercel::WaitAborted(int count) {
  return Wait("wait_aborted", count);
}

absl::Status FakeVercel::Wait(absl::string_view endpoint, int count) {
  return Control("GET",
                 absl::StrCat(
                     "/_fake/", endpoint, "?count=", count,
                     "&timeout_ms=", absl::ToInt64Milliseconds(kWaitTimeout)),
                 "")
      .status();
}

absl::StatusOr<std::string> FakeVercel::Control(
    absl::string_view method, absl::string_view path_and_query,
    absl::string_view body) {
  std::unique_ptr<CURL, CurlEasyDeleter> easy(curl_easy_init());
  if (easy == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string url = absl::StrCat(base_url_, path_and_query);
  const std::string method_string(method);
  std::string response;
  char error[CURL_ERROR_SIZE] = "";
  std::unique_ptr<curl_slist, CurlSlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method_string.c_str());
  if (method == "POST") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  }
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  if (!ca_file_.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS,
                   static_cast<long>(absl::ToInt64Milliseconds(
                       kWaitTimeout + absl::Seconds(5))));
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, AppendToString);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &response);
  const CURLcode code = curl_easy_perform(e);
  if (code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(
        method, " ", url, ": ", curl_easy_strerror(code), " ", error));
  }
  long http_status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &http_status);
  if (http_status != 200) {
    return absl::FailedPreconditionError(absl::StrCat(
        method, " ", url, " answered ", http_status, ": ", response));
  }
  return response;
}

}  // namespace vercel_tokens::integration
