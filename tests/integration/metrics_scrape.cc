#include "tests/integration/metrics_scrape.h"

#include <curl/curl.h>

#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace vercel_tokens::integration {
namespace {

constexpr char kMetricsLine[] = "\"msg\":\"metrics listening\"";
constexpr char kAddressField[] = "\"address\":\"";

size_t Append(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

}  // namespace

absl::StatusOr<std::string> ScrapeMetrics(const ServerProcess& server) {
  const std::string err = server.Output();
  const size_t line = err.find(kMetricsLine);
  if (line == std::string::npos) {
    return absl::NotFoundError("the server logged no metrics address");
  }
  const size_t start =
      err.find(kAddressField, line) + sizeof(kAddressField) - 1;
  const std::string address = err.substr(start, err.find('"', start) - start);
  std::unique_ptr<CURL, void (*)(CURL*)> easy(curl_easy_init(),
                                              curl_easy_cleanup);
  std::string body;
  const std::string url = absl::StrCat("http://", address, "/metrics");
  curl_easy_setopt(easy.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy.get(), CURLOPT_TIMEOUT_MS, 15000L);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(easy.get(), CURLOPT_WRITEDATA, &body);
  if (CURLcode code = curl_easy_perform(easy.get()); code != CURLE_OK) {
    return absl::UnavailableError(
        absl::StrCat(url, ": ", curl_easy_strerror(code)));
  }
  return body;
}

absl::StatusOr<double> SampleValue(absl::string_view exposition,
                                   absl::string_view series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (line.size() > series.size() &&
        line.substr(0, series.size()) == series && line[series.size()] == ' ') {
      double value = 0;
      if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) {
        return value;
      }
    }
  }
  return absl::NotFoundError(absl::StrCat("no sample ", series));
}

}  // namespace vercel_tokens::integration
