#include "tests/integration/fake_oidc.h"

#include <curl/curl.h>

#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"

namespace vercel_tokens::integration {
namespace {

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

struct CurlDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

absl::StatusOr<std::unique_ptr<FakeOidc>> FakeOidc::Start(
    const std::string& cert_file, const std::string& key_file) {
  auto process =
      Process::Start({VUT_PYTHON_PATH, VUT_FAKE_OIDC_PATH, "--port", "0",
                      "--tls-cert", cert_file, "--tls-key", key_file},
                     {});
  if (!process.ok()) return process.status();
  auto line =
      (*process)->WaitForLine(Stream::kStdout, "PORT ", absl::Seconds(15));
  if (!line.ok()) return line.status();
  absl::string_view port_text = *line;
  int port = 0;
  if (!absl::ConsumePrefix(&port_text, "PORT ") ||
      !absl::SimpleAtoi(port_text, &port)) {
    return absl::InternalError(absl::StrCat("unexpected line: ", *line));
  }
  return std::unique_ptr<FakeOidc>(
      new FakeOidc(*std::move(process),
                   absl::StrCat("https://127.0.0.1:", port), cert_file));
}

FakeOidc::FakeOidc(std::unique_ptr<Process> process, std::string issuer,
                   std::string ca_file)
    : process_(std::move(process)),
      issuer_(std::move(issuer)),
      ca_file_(std::move(ca_file)) {}

absl::Status FakeOidc::SetJwks(const std::string& jwks) {
  return Control("PUT", "/_fake/jwks", jwks).status();
}

absl::Status FakeOidc::SetState(bool down,
                                std::optional<std::string> discovery_issuer) {
  return Control("PUT", "/_fake/state",
                 absl::StrCat("{\"down\":", down ? "true" : "false",
                              ",\"discovery_issuer\":",
                              discovery_issuer.has_value()
                                  ? absl::StrCat("\"", *discovery_issuer, "\"")
                                  : "null",
                              "}"))
      .status();
}

absl::Status FakeOidc::SetActionsToken(const std::string& request_token,
                                       const std::string& token) {
  return Control("PUT", "/_fake/actions",
                 absl::StrCat(R"({"request_token":")", request_token,
                              R"(","token":")", token, R"("})"))
      .status();
}

absl::StatusOr<std::string> FakeOidc::ActionsAudience() {
  absl::StatusOr<std::string> body =
      Control("GET", "/_fake/actions_audience", "");
  if (!body.ok()) return body.status();
  google::protobuf::Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(*body, &parsed).ok()) {
    return absl::InternalError("not JSON");
  }
  const auto& audience = parsed.fields().at("audience");
  return audience.kind_case() == google::protobuf::Value::kStringValue
             ? audience.string_value()
             : "";
}

absl::StatusOr<FakeOidc::Counts> FakeOidc::GetCounts() {
  absl::StatusOr<std::string> body = Control("GET", "/_fake/counts", "");
  if (!body.ok()) return body.status();
  google::protobuf::Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(*body, &parsed).ok()) {
    return absl::InternalError("counts are not JSON");
  }
  Counts counts;
  counts.discovery =
      static_cast<int>(parsed.fields().at("discovery").number_value());
  counts.jwks = static_cast<int>(parsed.fields().at("jwks").number_value());
  return counts;
}

absl::StatusOr<std::string> FakeOidc::Control(const std::string& method,
                                              const std::string& path,
                                              const std::string& body) {
  std::unique_ptr<CURL, CurlDeleter> easy(curl_easy_init());
  if (easy == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string url = absl::StrCat(issuer_, path);
  std::string response;
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "PUT") {
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  }
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &response);
  if (const CURLcode code = curl_easy_perform(e); code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat(method, " ", url, ": ", curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return absl::FailedPreconditionError(
        absl::StrCat(method, " ", url, " answered ", status));
  }
  return response;
}

}  // namespace vercel_tokens::integration
