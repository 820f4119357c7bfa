// CPU per body of the server's JSON reader (ParseWireJson: RapidJSON's SAX
// parser filling the message by reflection) against protobuf's converter
// (JsonStringToMessage, which the server used before), on the three bodies
// the bench's calls read: GetAuthToken's token, a ListAuthTokens page of 100
// tokens and CreateAuthToken's answer.
//
//   build/bench/json/json_readers_bench [rounds]
//   build/bench/json/json_readers_bench --parses N [get|list|create]
//
// Each round times both readers on each body (thread CPU time over enough
// parses to take about 0.2 s), alternating which goes first; it prints each
// round and the median per body. Both must read the same message, or it
// exits 1. Not a test: the figures depend on the machine.
//
// --parses reads each body (or the one named) N times with ParseWireJson only,
// untimed: run it under `valgrind --tool=callgrind
// --toggle-collect='*ParseWireJson*'` for instructions per parse, which do not
// depend on the machine's load.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "server/vercel/vercel_wire.pb.h"
#include "server/vercel/wire_json.h"

namespace vercel_tokens {
namespace {

namespace wire = ::vercel::authentication::wire;

std::string Token(int i) {
  return absl::StrCat(
      R"({"id":"5d9f2ebd38ddca62e5d51e9c1704c72530bdc8bfdd41e782a6687c4839)", i,
      R"(","name":"bench token )", i,
      R"(","type":"oauth2-token","origin":"manual","scopes":[{"type":"user","origin":"manual","createdAt":1700000000000},{"type":"team","teamId":"team_abc","origin":"saml","createdAt":1700000000000,"expiresAt":1800000000000}],"activeAt":1700000000000,"createdAt":1700000000000,"expiresAt":1800000000000})");
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

using Reader = absl::Status (*)(absl::string_view, google::protobuf::Message*);

// Nanoseconds of CPU per parse of `json` into a fresh `Wire`.
template <typename Wire>
double NanosPerParse(Reader reader, const std::string& json) {
  int iterations = 1;
  while (true) {
    const double start = ThreadCpuSeconds();
    for (int i = 0; i < iterations; ++i) {
      Wire out;
      if (!reader(json, &out).ok()) std::exit(1);
    }
    const double took = ThreadCpuSeconds() - start;
    if (took > 0.2) return took / iterations * 1e9;
    iterations *= 2;
  }
}

// protobuf's converter, unknown keys ignored as the server's reader does.
absl::Status ProtobufParse(absl::string_view json,
                           google::protobuf::Message* out) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), out, options);
  return status.ok() ? absl::OkStatus()
                     : absl::InvalidArgumentError(status.ToString());
}

template <typename Wire>
void Compare(const char* name, const std::string& json, int rounds) {
  Wire ours, theirs;
  const absl::Status a = ParseWireJson(json, &ours);
  const absl::Status b = ProtobufParse(json, &theirs);
  if (!a.ok() || !b.ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(ours, theirs)) {
    std::fprintf(stderr, "%s: the readers disagree: %s / %s\n", name,
                 a.ToString().c_str(), b.ToString().c_str());
    std::exit(1);
  }
  std::vector<double> server, protobuf;
  for (int round = 0; round < rounds; ++round) {
    if (round % 2 == 0) {
      server.push_back(NanosPerParse<Wire>(&ParseWireJson, json));
      protobuf.push_back(NanosPerParse<Wire>(&ProtobufParse, json));
    } else {
      protobuf.push_back(NanosPerParse<Wire>(&ProtobufParse, json));
      server.push_back(NanosPerParse<Wire>(&ParseWireJson, json));
    }
    std::printf("%s round %d: ParseWireJson %.0f ns, protobuf %.0f ns\n", name,
                round + 1, server.back(), protobuf.back());
  }
  std::sort(server.begin(), server.end());
  std::sort(protobuf.begin(), protobuf.end());
  const double s = server[server.size() / 2];
  const double p = protobuf[protobuf.size() / 2];
  std::printf("| %s | %zu bytes | %.1f µs | %.1f µs | %.2f |\n", name,
              json.size(), s / 1000, p / 1000, p / s);
}

// Reads `json` `count` times with ParseWireJson, for callgrind.
template <typename Wire>
void Parses(const std::string& json, int count) {
  for (int i = 0; i < count; ++i) {
    Wire out;
    if (!ParseWireJson(json, &out).ok()) std::exit(1);
  }
}

}  // namespace
}  // namespace vercel_tokens

int main(int argc, char** argv) {
  using namespace vercel_tokens;  // NOLINT: a benchmark's main.
  const std::string get = absl::StrCat(R"({"token":)", Token(0), "}");
  std::string list = R"({"tokens":[)";
  for (int i = 0; i < 100; ++i) {
    absl::StrAppend(&list, i == 0 ? "" : ",", Token(i));
  }
  absl::StrAppend(
      &list,
      R"(],"pagination":{"count":100,"next":1700000000000,"prev":null}})");
  const std::string create =
      absl::StrCat(R"({"token":)", Token(1),
                   R"(,"bearerToken":"bench-new-token-0123456789"})");
  if (argc > 2 && std::string(argv[1]) == "--parses") {
    const int count = std::atoi(argv[2]);
    const std::string body = argc > 3 ? argv[3] : "";
    if (body.empty() || body == "get") Parses<wire::GetTokenBody>(get, count);
    if (body.empty() || body == "list") {
      Parses<wire::ListTokensBody>(list, count);
    }
    if (body.empty() || body == "create") {
      Parses<wire::CreateTokenBody>(create, count);
    }
    return 0;
  }
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  Compare<wire::GetTokenBody>("GetAuthToken body", get, rounds);
  Compare<wire::ListTokensBody>("ListAuthTokens body, 100 tokens", list,
                                rounds);
  Compare<wire::CreateTokenBody>("CreateAuthToken body", create, rounds);
  return 0;
}
