// client/cpp's side of the scenario list (client/SPEC.md, section 9):
// `cpp_scenarios NAME` runs scenario NAME against the server at $VUT_ADDRESS
// and prints one JSON line per case; cpp_example_test.py (through
// sdk_scenario_checks.py) sets the fake up and asserts the lines. C++ calls
// block and take a deadline and a CancellationToken; there is no async
// client (section 8).

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "curl/curl.h"
#include "fake_user_tokens_server.h"
#include "token_file.h"
#include "user_tokens_client.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

constexpr char kMissingId[] =
    "0000000000000000000000000000000000000000000000000000000000000000";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr) {
    std::cerr << "missing environment variable " << name << "\n";
    std::exit(2);
  }
  return value;
}

// A JSON string literal of `text`.
std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Json(int64_t value) { return absl::StrCat(value); }
std::string Json(const std::optional<int64_t>& value) {
  return value.has_value() ? absl::StrCat(*value) : "null";
}
std::string Json(const std::vector<std::string>& values) {
  std::vector<std::string> quoted;
  for (const std::string& value : values) quoted.push_back(Quote(value));
  return absl::StrCat("[", absl::StrJoin(quoted, ","), "]");
}

// Prints one line: {"case": case, key: value, ...}, values already JSON.
void Emit(const std::string& name,
          const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string line = absl::StrCat("{\"case\":", Quote(name));
  for (const auto& [key, value] : fields) {
    absl::StrAppend(&line, ",", Quote(key), ":", value);
  }
  std::cout << line << "}" << std::endl;
}

// The SPEC's family name of an ErrorFamily; ErrorDetails (the base) for
// kOther.
std::string FamilyName(ErrorFamily family) {
  switch (family) {
    case ErrorFamily::kOk:
      return "Ok";
    case ErrorFamily::kInvalidArgument:
      return "InvalidArgument";
    case ErrorFamily::kFailedPrecondition:
      return "FailedPrecondition";
    case ErrorFamily::kUnauthenticated:
      return "Unauthenticated";
    case ErrorFamily::kPermissionDenied:
      return "PermissionDenied";
    case ErrorFamily::kNotFound:
      return "NotFound";
    case ErrorFamily::kAlreadyExists:
      return "AlreadyExists";
    case ErrorFamily::kRateLimited:
      return "RateLimited";
    case ErrorFamily::kUnavailable:
      return "Unavailable";
    case ErrorFamily::kDeadlineExceeded:
      return "DeadlineExceeded";
    case ErrorFamily::kCancelled:
      return "Cancelled";
    case ErrorFamily::kInternal:
      return "Internal";
    case ErrorFamily::kUnimplemented:
      return "Unimplemented";
    case ErrorFamily::kUnknown:
      return "Unknown";
    case ErrorFamily::kOther:
      return "ErrorDetails";
  }
  return "ErrorDetails";
}

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index <= 16 ? kNames[index] : absl::StrCat(index);
}

// Runs `call` with a fresh ResponseMetadata; when it fails, prints its error
// line (sdk_scenario_checks.py) with `elapsed_ms`. Exits when it succeeds.
void ExpectError(const std::string& name,
                 const std::function<grpc::Status(ResponseMetadata*)>& call) {
  const absl::Time started = absl::Now();
  ResponseMetadata metadata;
  const grpc::Status status = call(&metadata);
  const int64_t elapsed_ms = absl::ToInt64Milliseconds(absl::Now() - started);
  if (status.ok()) {
    std::cerr << name << ": no error\n";
    std::exit(1);
  }
  const ErrorDetails details = DecodeErrorDetails(status, metadata);
  std::vector<std::string> fields;
  for (const FieldViolation& violation : details.field_violations) {
    fields.push_back(violation.field);
  }
  Emit(name, {{"family", Quote(FamilyName(details.family))},
              {"code", Quote(CodeName(status.error_code()))},
              {"reason", Quote(details.reason)},
              {"domain", Quote(details.domain)},
              {"http_status", details.http_status == 0
                                  ? "null"
                                  : Json(int64_t{details.http_status})},
              {"retry_delay_ms",
               details.retry_delay.has_value()
                   ? Json(absl::ToInt64Milliseconds(*details.retry_delay))
                   : "null"},
              {"field_violations", Json(fields)},
              {"vercel_request_id", Quote(details.vercel_request_id)},
              {"rate_limit_remaining", Json(details.rate_limit.remaining)},
              {"elapsed_ms", Json(elapsed_ms)}});
}

// Exits when `status` failed: a call the scenario expects to succeed.
void Check(const grpc::Status& status, const std::string& what) {
  if (!status.ok()) {
    std::cerr << what << ": " << CodeName(status.error_code()) << ": "
              << status.error_message() << "\n";
    std::exit(1);
  }
}

// A client of `target` as `options` say; exits when it cannot be made.
UserTokensClient Connect(const std::string& target, ClientOptions options) {
  absl::StatusOr<UserTokensClient> client =
      UserTokensClient::Connect(target, std::move(options));
  if (!client.ok()) {
    std::cerr << client.status() << "\n";
    std::exit(1);
  }
  return *std::move(client);
}

// A client of the server under test, plaintext asked for explicitly.
UserTokensClient Client(ClientOptions options) {
  options.plaintext = true;
  return Connect(Env("VUT_ADDRESS"), std::move(options));
}

ClientOptions WithToken(absl::Duration timeout = kDefaultDeadline) {
  ClientOptions options;
  options.bearer_token = Env("VERCEL_TOKEN");
  options.timeout = timeout;
  return options;
}

v1::GetAuthTokenRequest Get(const std::string& token_id) {
  v1::GetAuthTokenRequest request;
  request.set_token_id(token_id);
  return request;
}

void Errors() {
  const UserTokensClient client = Client(WithToken(absl::Seconds(5)));
  ClientOptions anonymous_options;
  anonymous_options.timeout = absl::Seconds(5);
  const UserTokensClient anonymous = Client(anonymous_options);
  const auto get = [](const UserTokensClient& c, const std::string& id) {
    return [&c, id](ResponseMetadata* metadata) {
      v1::GetAuthTokenResponse response;
      return c.GetAuthToken(Get(id), &response, metadata);
    };
  };
  ExpectError("not_found", get(client, kMissingId));
  ExpectError("invalid_argument", get(client, "../x"));
  ExpectError("unauthenticated", get(anonymous, "current"));
  const std::pair<const char*, const char*> upstream_errors[] = {
      {"permission_denied", "forbidden"}, {"rate_limited", "limited"},
      {"unavailable", "unavailable"},     {"internal", "internal"},
      {"unimplemented", "unimplemented"}, {"deadline_exceeded", "timeout"},
      {"failed_precondition", "teapot"},  {"already_exists", "conflict"}};
  for (const auto& [name, token_id] : upstream_errors) {
    ExpectError(name, get(client, token_id));
  }
  std::vector<std::string> families;
  for (int code = 1; code <= 16; ++code) {
    families.push_back(absl::StrCat(
        Quote(absl::StrCat(code)), ":",
        Quote(FamilyName(FamilyOf(static_cast<grpc::StatusCode>(code))))));
  }
  Emit("families",
       {{"families", absl::StrCat("{", absl::StrJoin(families, ","), "}")}});
}

void TlsDefault() {
  // No plaintext option: TLS, which the plaintext server cannot answer.
  const UserTokensClient tls =
      Connect(Env("VUT_ADDRESS"), WithToken(absl::Seconds(5)));
  ExpectError("tls_default", [&tls](ResponseMetadata* metadata) {
    v1::ListAuthTokensResponse response;
    return tls.ListAuthTokens({}, &response, metadata);
  });
  v1::ListAuthTokensResponse listed;
  Check(Client(WithToken()).ListAuthTokens({}, &listed), "plaintext list");
  Emit("plaintext", {{"tokens", Json(int64_t{listed.tokens_size()})}});
  Emit("default_deadline",
       {{"seconds", Json(absl::ToInt64Seconds(kDefaultDeadline))}});
}

void Retries() {
  const UserTokensClient off = Client(WithToken(absl::Seconds(5)));
  ExpectError("retries_off", [&off](ResponseMetadata* metadata) {
    v1::ListAuthTokensResponse response;
    return off.ListAuthTokens({}, &response, metadata);
  });
  ClientOptions on_options = WithToken(absl::Seconds(5));
  on_options.retry = RetryPolicy{};
  const UserTokensClient on = Client(on_options);
  const absl::Time started = absl::Now();
  v1::ListAuthTokensResponse listed;
  Check(on.ListAuthTokens({}, &listed), "list with retries");
  Emit(
      "retries_on",
      {{"tokens", Json(int64_t{listed.tokens_size()})},
       {"elapsed_ms", Json(absl::ToInt64Milliseconds(absl::Now() - started))}});
  ExpectError("retry_beyond_deadline", [&on](ResponseMetadata* metadata) {
    v1::GetAuthTokenResponse response;
    return on.GetAuthToken(Get("limited"), &response, metadata);
  });
}

// Returns once the fake's control endpoint `what` (e.g. "wait_held")
// answers 200: the count it waits for was reached. Exits when it does not.
void WaitForFake(const std::string& what) {
  const std::string url =
      absl::StrCat(Env("VUT_FAKE_URL"), "/_fake/", what, "?count=1");
  CURL* curl = curl_easy_init();
  const absl::Cleanup cleanup = [curl] { curl_easy_cleanup(curl); };
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);
  // The body ({"count": n}) says nothing the status does not.
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char*, size_t size, size_t count, void*) { return size * count; });
  if (const CURLcode code = curl_easy_perform(curl); code != CURLE_OK) {
    std::cerr << url << ": " << curl_easy_strerror(code) << "\n";
    std::exit(1);
  }
}

void PerCall() {
  const UserTokensClient anonymous = Client(ClientOptions{});
  CallOptions authorized;
  authorized.metadata = {
      {"authorization", absl::StrCat("Bearer ", Env("VERCEL_TOKEN"))}};
  v1::ListAuthTokensResponse listed;
  Check(anonymous.ListAuthTokens({}, &listed, nullptr, authorized),
        "list with per-call authorization");
  Emit("per_call_metadata", {{"tokens", Json(int64_t{listed.tokens_size()})}});
  const UserTokensClient client = Client(WithToken());
  CallOptions one_second;
  one_second.deadline = absl::Seconds(1);
  ExpectError("per_call_deadline", [&](ResponseMetadata* metadata) {
    v1::GetAuthTokenResponse response;
    return client.GetAuthToken(Get("held"), &response, metadata, one_second);
  });
  // Cancelled once the fake holds the call's upstream request (after the one
  // the deadline abandoned was given up).
  CancellationToken cancel;
  CallOptions cancellable;
  cancellable.cancellation = &cancel;
  std::thread canceller([&cancel] {
    WaitForFake("wait_aborted");
    WaitForFake("wait_held");
    cancel.Cancel();
  });
  ExpectError("cancelled", [&](ResponseMetadata* metadata) {
    v1::GetAuthTokenResponse response;
    return client.GetAuthToken(Get("held"), &response, metadata, cancellable);
  });
  canceller.join();
}

void SuccessMetadata() {
  ResponseMetadata metadata;
  v1::ListAuthTokensResponse listed;
  Check(Client(WithToken()).ListAuthTokens({}, &listed, &metadata), "list");
  Emit("success_metadata",
       {{"vercel_request_id", Quote(metadata.vercel_request_id.value_or(""))},
        {"rate_limit_remaining", Json(metadata.remaining)},
        {"rate_limit_reset", Json(metadata.reset_unix_seconds)}});
}

void Pager() {
  v1::ListAuthTokensRawRequest request;
  request.set_limit(2);
  std::vector<std::string> pages;
  Check(Client(WithToken())
            .ListAuthTokensRawPages(
                request,
                [&pages](const v1::ListAuthTokensRawResponse& page) {
                  std::vector<std::string> names;
                  for (const auto& token : page.tokens()) {
                    names.push_back(token.name());
                  }
                  pages.push_back(Json(names));
                  return true;
                }),
        "pages");
  Emit("pager", {{"pages", absl::StrCat("[", absl::StrJoin(pages, ","), "]")}});
}

void RequestId() {
  ClientOptions options = WithToken();
  options.retry = RetryPolicy{};
  const UserTokensClient client = Client(options);
  v1::CreateAuthTokenRequest request;
  request.set_name("request-id-auto");
  v1::CreateAuthTokenResponse created;
  Check(client.CreateAuthToken(request, &created), "create");
  v1::CreateAuthTokenRequest own;
  own.set_name("request-id-own");
  own.set_request_id(Env("OWN_REQUEST_ID"));
  v1::CreateAuthTokenResponse created_own;
  Check(client.CreateAuthToken(own, &created_own), "create with a request id");
  Emit("request_id", {{"token_id", Quote(created.token().id())},
                      {"request_id_after", Quote(request.request_id())}});
}

// Replaces `path` as the kubelet and secret managers do: a new file renamed
// over the old one.
void ReplaceFile(const std::string& path, const std::string& text) {
  const std::string fresh = path + ".new";
  std::ofstream(fresh) << text;
  std::filesystem::rename(fresh, path);
}

std::string CurrentId(const UserTokensClient& client) {
  v1::GetAuthTokenResponse response;
  Check(client.GetAuthToken(Get("current"), &response), "get current");
  return response.token().id();
}

void CredentialProvider() {
  auto current = std::make_shared<std::string>(Env("VERCEL_TOKEN"));
  auto mutex = std::make_shared<std::mutex>();
  ClientOptions provider_options;
  provider_options.token_provider = [current,
                                     mutex]() -> absl::StatusOr<std::string> {
    std::lock_guard<std::mutex> lock(*mutex);
    return *current;
  };
  const UserTokensClient by_provider = Client(provider_options);
  const std::string token_file = Env("TOKEN_FILE");
  ClientOptions file_options;
  file_options.token_provider = TokenFileProvider(token_file);
  const UserTokensClient by_file = Client(file_options);

  const std::string seed_id = CurrentId(by_provider);
  v1::CreateAuthTokenRequest create;
  create.set_name("provider");
  v1::CreateAuthTokenResponse created;
  Check(by_provider.CreateAuthToken(create, &created), "create");
  std::vector<std::string> file_ids = {CurrentId(by_file)};
  ReplaceFile(token_file, created.bearer_token() + "\n");
  file_ids.push_back(CurrentId(by_file));
  {
    std::lock_guard<std::mutex> lock(*mutex);
    *current = created.bearer_token();
  }
  const std::vector<std::string> provider_ids = {seed_id,
                                                 CurrentId(by_provider)};
  Emit("credential_provider", {{"seed_id", Quote(seed_id)},
                               {"created_id", Quote(created.token().id())},
                               {"provider_ids", Json(provider_ids)},
                               {"file_ids", Json(file_ids)}});

  ClientOptions unreadable_options;
  unreadable_options.token_provider = TokenFileProvider(
      token_file.substr(0, token_file.rfind('/') + 1) + "missing");
  const UserTokensClient unreadable = Client(unreadable_options);
  ExpectError(
      "credentials_unavailable", [&unreadable](ResponseMetadata* metadata) {
        v1::GetAuthTokenResponse response;
        return unreadable.GetAuthToken(Get("unsent"), &response, metadata);
      });
}

void WorkloadToken() {
  const std::string path = Env("WORK_DIR") + "/workload-token";
  std::ofstream(path) << "workload-one\n";
  FakeUserTokensServer server;
  // Answers GetAuthToken with the x-workload-token it received as the
  // token's name.
  server.service().get_auth_token = [](grpc::ServerContext* context,
                                       const v1::GetAuthTokenRequest& request,
                                       v1::GetAuthTokenResponse* response) {
    response->mutable_token()->set_id(request.token_id());
    const auto it = context->client_metadata().find("x-workload-token");
    if (it != context->client_metadata().end()) {
      response->mutable_token()->set_name(
          std::string(it->second.data(), it->second.size()));
    }
    return grpc::Status::OK;
  };
  ClientOptions options;
  options.plaintext = true;
  options.workload_token_file = path;
  const UserTokensClient client = Connect(server.address(), options);
  const auto name = [&client]() {
    v1::GetAuthTokenResponse response;
    Check(client.GetAuthToken(Get("current"), &response), "get");
    return response.token().name();
  };
  std::vector<std::string> seen = {name(), name()};
  ReplaceFile(path, "workload-two\n");
  seen.push_back(name());
  Emit("workload_token", {{"seen", Json(seen)}});
}

}  // namespace
}  // namespace vercel_tokens

int main(int argc, char** argv) {
  using namespace vercel_tokens;  // NOLINT(build/namespaces)
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::map<std::string, std::function<void()>> scenarios = {
      {"errors", Errors},
      {"tls_default", TlsDefault},
      {"retries", Retries},
      {"per_call", PerCall},
      {"success_metadata", SuccessMetadata},
      {"pager", Pager},
      {"request_id", RequestId},
      {"credential_provider", CredentialProvider},
      {"workload_token", WorkloadToken}};
  const auto it = argc == 2 ? scenarios.find(argv[1]) : scenarios.end();
  if (it == scenarios.end()) {
    std::cerr << "usage: cpp_scenarios SCENARIO\n";
    return 2;
  }
  it->second();
  return 0;
}
