#include "server/common/url.h"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace vercel_tokens {
namespace {

bool IsUnreserved(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::EqualsIgnoreCase(host, "localhost") || host == "[::1]") {
    return true;
  }
  std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view octet : octets) {
    int value = 0;
    if (octet.empty() || octet.size() > 3 || !absl::SimpleAtoi(octet, &value) ||
        value > 255) {
      return false;
    }
  }
  return true;
}

// A host name, an IPv4 address or a bracketed IPv6 address: nothing that
// could smuggle a path, credentials or a second host into the URL.
bool IsValidHost(absl::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 4) return false;
    for (char c : host.substr(1, host.size() - 2)) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(c)) && c != ':' &&
          c != '.') {
        return false;
      }
    }
    return true;
  }
  for (char c : host) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-' &&
        c != '.') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string PercentEncode(absl::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (IsUnreserved(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0x0F]);
    }
  }
  return out;
}

std::string WithQuery(
    absl::string_view path,
    const std::vector<std::pair<absl::string_view, absl::string_view>>& query) {
  std::string out(path);
  char separator = '?';
  for (const auto& [key, value] : query) {
    if (value.empty()) continue;
    absl::StrAppend(&out, std::string(1, separator), PercentEncode(key), "=",
                    PercentEncode(value));
    separator = '&';
  }
  return out;
}

absl::StatusOr<BaseUrl> ParseBaseUrl(absl::string_view url) {
  BaseUrl out;
  absl::string_view rest = url;
  if (absl::ConsumePrefix(&rest, "https://")) {
    out.is_https = true;
  } else if (absl::ConsumePrefix(&rest, "http://")) {
    out.is_https = false;
  } else {
    return absl::InvalidArgumentError(
        "--vercel_api_base_url must start with https:// (or http:// for a "
        "loopback host)");
  }
  absl::ConsumeSuffix(&rest, "/");
  if (rest.find_first_of("/?#@ ") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "--vercel_api_base_url must be scheme://host[:port] with no path, "
        "query, fragment or credentials");
  }
  absl::string_view host = rest;
  const size_t colon = rest.rfind(':');
  if (colon != absl::string_view::npos &&
      (rest.front() != '[' || colon > rest.rfind(']'))) {
    host = rest.substr(0, colon);
    int port = 0;
    if (!absl::SimpleAtoi(rest.substr(colon + 1), &port) || port < 1 ||
        port > 65535) {
      return absl::InvalidArgumentError(
          "--vercel_api_base_url has an invalid port");
    }
  }
  if (!IsValidHost(host)) {
    return absl::InvalidArgumentError(
        "--vercel_api_base_url has an invalid host");
  }
  if (!out.is_https && !IsLoopbackHost(host)) {
    return absl::InvalidArgumentError(
        "--vercel_api_base_url may use plain http:// only for a loopback host "
        "(localhost, 127.0.0.0/8, [::1]); use https:// so that tokens are not "
        "sent in the clear");
  }
  out.origin = absl::StrCat(out.is_https ? "https://" : "http://", rest);
  return out;
}

absl::StatusOr<OriginAndPath> SplitUrl(absl::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == absl::string_view::npos ||
      url.find_first_of("?#@ ") != absl::string_view::npos) {
    return absl::InvalidArgumentError(
        "must be http(s)://host[:port][/path] with no query, fragment or "
        "user info");
  }
  const size_t path_start = url.find('/', scheme_end + 3);
  OriginAndPath out;
  absl::StatusOr<BaseUrl> origin = ParseBaseUrl(url.substr(0, path_start));
  if (!origin.ok()) {
    return absl::InvalidArgumentError(
        "must be https://host[:port][/path] (http:// only for a loopback "
        "host)");
  }
  out.origin = *std::move(origin);
  if (path_start != absl::string_view::npos) {
    out.path = std::string(url.substr(path_start));
  }
  return out;
}

}  // namespace vercel_tokens
