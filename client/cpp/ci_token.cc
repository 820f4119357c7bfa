#include "ci_token.h"

#include <curl/curl.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "user_tokens_client.h"
#include "vercel/authentication/v1/user_tokens.grpc.pb.h"

namespace vercel_tokens {
namespace {

namespace v1 = ::vercel::authentication::v1;

struct CurlDeleter {
  void operator()(CURL* easy) const { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

size_t Append(char* data, size_t size, size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > (64 << 10)) return 0;
  body->append(data, size * count);
  return size * count;
}

std::string PercentEncode(absl::string_view value) {
  std::string out;
  for (unsigned char c : value) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppend(&out, "%", absl::StrFormat("%02X", c));
    }
  }
  return out;
}

absl::StatusOr<std::string> FetchActionsToken(const CiTokenOptions& options,
                                              const std::string& request_url,
                                              const std::string& bearer) {
  std::unique_ptr<CURL, CurlDeleter> easy(curl_easy_init());
  if (easy == nullptr) return absl::InternalError("curl_easy_init failed");
  const std::string url = ActionsTokenUrl(request_url, options.audience);
  const std::string authorization =
      absl::StrCat("Authorization: bearer ", bearer);
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, authorization.c_str()));
  std::string body;
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(
      e, CURLOPT_TIMEOUT_MS,
      static_cast<long>(absl::ToInt64Milliseconds(options.timeout)));
  if (!options.actions_ca_file.empty()) {
    curl_easy_setopt(e, CURLOPT_CAINFO, options.actions_ca_file.c_str());
  }
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  if (const CURLcode code = curl_easy_perform(e); code != CURLE_OK) {
    return absl::UnavailableError(absl::StrCat(
        "GitHub Actions' token request failed: ", curl_easy_strerror(code)));
  }
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    return absl::PermissionDeniedError(
        absl::StrCat("GitHub Actions' token request answered HTTP ", status,
                     " (does the job have `permissions: id-token: write`?)"));
  }
  return ParseActionsTokenResponse(body);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot read"));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::string CiTokenUsage() {
  return R"(
CI jobs (docs/federation.md):
  ci-token --name=N [--team_id=T --project_id=P] [--expires_in=D]
        [--audience=A] [--workload_token_file=F | --workload_token_env=V]
        [--output=env|token|json]
                        Gets the job's OIDC identity token (GitHub Actions'
                        ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN for --audience,
                        else the file or variable, e.g. GitLab id_tokens:),
                        calls CreateAuthToken with it in x-workload-token,
                        and hands the new token on: --output=env prints
                        ::add-mask:: and appends VERCEL_TOKEN=... to
                        $GITHUB_ENV; token prints it alone; json the whole
                        response. Exit codes: 0 done, 1 failed, 2 usage.
)";
}

std::string ActionsTokenUrl(absl::string_view request_url,
                            absl::string_view audience) {
  return absl::StrCat(request_url,
                      absl::StrContains(request_url, '?') ? "&" : "?",
                      "audience=", PercentEncode(audience));
}

absl::StatusOr<std::string> ParseActionsTokenResponse(absl::string_view body) {
  google::protobuf::Struct parsed;
  if (!google::protobuf::util::JsonStringToMessage(
           google::protobuf::StringPiece(body.data(), body.size()), &parsed)
           .ok()) {
    return absl::UnavailableError("GitHub Actions' token response is not JSON");
  }
  auto it = parsed.fields().find("value");
  if (it == parsed.fields().end() ||
      it->second.kind_case() != google::protobuf::Value::kStringValue ||
      it->second.string_value().empty()) {
    return absl::UnavailableError(
        "GitHub Actions' token response has no value");
  }
  return it->second.string_value();
}

absl::Status AppendGithubEnv(const std::string& path, absl::string_view token) {
  if (token.find_first_of("\r\n") != absl::string_view::npos) {
    return absl::InvalidArgumentError("the token holds a line break");
  }
  std::ofstream file(path, std::ios::app);
  if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot write"));
  file << "VERCEL_TOKEN=" << token << "\n";
  file.close();
  if (!file) return absl::DataLossError(absl::StrCat(path, ": write failed"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ObtainWorkloadToken(const CiTokenOptions& options,
                                                const GetEnv& getenv) {
  std::string token;
  if (!options.workload_token_file.empty()) {
    absl::StatusOr<std::string> read = ReadFile(options.workload_token_file);
    if (!read.ok()) return read.status();
    token = *std::move(read);
  } else if (!options.workload_token_env.empty()) {
    const char* value = getenv(options.workload_token_env.c_str());
    if (value == nullptr || *value == '\0') {
      return absl::NotFoundError(absl::StrCat("$", options.workload_token_env,
                                              " is not set (GitLab: declare it "
                                              "under id_tokens:)"));
    }
    token = value;
  } else {
    const char* url = getenv("ACTIONS_ID_TOKEN_REQUEST_URL");
    const char* bearer = getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
    if (url == nullptr || bearer == nullptr) {
      return absl::FailedPreconditionError(
          "no identity token: give --workload_token_file or "
          "--workload_token_env, or run in a GitHub Actions job with "
          "`permissions: id-token: write`");
    }
    absl::StatusOr<std::string> fetched =
        FetchActionsToken(options, url, bearer);
    if (!fetched.ok()) return fetched.status();
    token = *std::move(fetched);
  }
  absl::StripAsciiWhitespace(&token);
  if (token.empty()) return absl::NotFoundError("the identity token is empty");
  return token;
}

int RunCiToken(const CiTokenOptions& options,
               std::shared_ptr<grpc::Channel> channel, const GetEnv& getenv,
               std::ostream& out, std::ostream& err) {
  if (options.output != "env" && options.output != "token" &&
      options.output != "json") {
    err << "vercel-tokens ci-token: --output must be env, token or json\n";
    return kExitUsage;
  }
  if (options.name.empty()) {
    err << "vercel-tokens ci-token: --name is required\n";
    return kExitUsage;
  }
  const char* github_env = getenv("GITHUB_ENV");
  if (options.output == "env" && (github_env == nullptr || *github_env == 0)) {
    err << "vercel-tokens ci-token: --output=env needs $GITHUB_ENV\n";
    return kExitUsage;
  }
  absl::StatusOr<std::string> workload = ObtainWorkloadToken(options, getenv);
  if (!workload.ok()) {
    err << "vercel-tokens ci-token: " << workload.status().message() << "\n";
    return kExitFailure;
  }
  v1::CreateAuthTokenRequest request;
  request.set_name(options.name);
  request.set_team_id(options.team_id);
  request.set_project_id(options.project_id);
  if (options.expires_in.has_value()) {
    const absl::Time at = absl::Now() + *options.expires_in;
    request.mutable_expires_at()->set_seconds(absl::ToUnixSeconds(at));
  }
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options.timeout));
  context.AddMetadata("x-workload-token", *workload);
  v1::CreateAuthTokenResponse response;
  const grpc::Status status =
      v1::UserTokensService::NewStub(channel)->CreateAuthToken(
          &context, request, &response);
  if (!status.ok()) {
    const ErrorDetails details = DecodeErrorDetails(status);
    err << "vercel-tokens ci-token: CreateAuthToken failed: "
        << status.error_message()
        << (details.reason.empty() ? ""
                                   : absl::StrCat(" (", details.reason, ")"))
        << "\n";
    return kExitFailure;
  }
  const std::string& token = response.bearer_token();
  if (options.output == "token") {
    out << token << "\n";
  } else if (options.output == "json") {
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.preserve_proto_field_names = true;
    if (!google::protobuf::util::MessageToJsonString(response, &json, print)
             .ok()) {
      err << "vercel-tokens ci-token: cannot print the response\n";
      return kExitFailure;
    }
    out << json << "\n";
  } else {
    out << "::add-mask::" << token << "\n";
    if (absl::Status s = AppendGithubEnv(github_env, token); !s.ok()) {
      err << "vercel-tokens ci-token: $GITHUB_ENV: " << s.message() << "\n";
      return kExitFailure;
    }
    err << "vercel-tokens ci-token: VERCEL_TOKEN set for the next steps "
           "(token id "
        << response.token().id() << ")\n";
  }
  return kExitSuccess;
}

}  // namespace vercel_tokens
