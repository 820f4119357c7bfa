// CPU per body of the server's JSON reader (ParseWireJson) against
// RapidJSON filling the same messages by reflection (rapidjson_reader.h),
// on the three bodies the bench's calls read: GetAuthToken's token, a
// ListAuthTokens page of 100 tokens and CreateAuthToken's answer.
//
//   build/bench/json/json_readers_bench [rounds]
//   build/bench/json/json_readers_bench --differential N
//
// Each round times both readers on each body (thread CPU time over enough
// parses to take about 0.2 s), alternating which goes first; it prints each
// round and the median per body. Both must read the same message, or it
// exits 1. Not a test: the figures depend on the machine.
//
// --differential makes N inputs by mutating those bodies at random (a
// character inserted, deleted or replaced by one JSON cares about, one to
// four times, seeded for repeatability) and counts the inputs on which the
// readers disagree: one accepts and the other refuses, or both accept and
// read different messages; it prints the first few.

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "bench/json/rapidjson_reader.h"
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

template <typename Wire>
void Compare(const char* name, const std::string& json, int rounds) {
  Wire ours, theirs;
  const absl::Status a = ParseWireJson(json, &ours);
  const absl::Status b = ParseWithRapidJson(json, &theirs);
  if (!a.ok() || !b.ok() ||
      !google::protobuf::util::MessageDifferencer::Equals(ours, theirs)) {
    std::fprintf(stderr, "%s: the readers disagree: %s / %s\n", name,
                 a.ToString().c_str(), b.ToString().c_str());
    std::exit(1);
  }
  std::vector<double> hand, rapid;
  for (int round = 0; round < rounds; ++round) {
    if (round % 2 == 0) {
      hand.push_back(NanosPerParse<Wire>(&ParseWireJson, json));
      rapid.push_back(NanosPerParse<Wire>(&ParseWithRapidJson, json));
    } else {
      rapid.push_back(NanosPerParse<Wire>(&ParseWithRapidJson, json));
      hand.push_back(NanosPerParse<Wire>(&ParseWireJson, json));
    }
    std::printf("%s round %d: ParseWireJson %.0f ns, RapidJSON %.0f ns\n", name,
                round + 1, hand.back(), rapid.back());
  }
  std::sort(hand.begin(), hand.end());
  std::sort(rapid.begin(), rapid.end());
  const double h = hand[hand.size() / 2];
  const double r = rapid[rapid.size() / 2];
  std::printf("| %s | %zu bytes | %.1f µs | %.1f µs | %.2f |\n", name,
              json.size(), h / 1000, r / 1000, r / h);
}

// Differential run over `count` mutations of `seeds`, read as `Wire`.
template <typename Wire>
void Differential(const std::vector<std::string>& seeds, int count) {
  constexpr absl::string_view kAlphabet =
      "{}[]\",:0123456789.eE+-tfnul\\ \x7f\xc3\xa9";
  std::mt19937 random(18);
  int accepted_by_both = 0, only_ours = 0, only_theirs = 0, different = 0;
  int shown = 0;
  for (int i = 0; i < count; ++i) {
    std::string input = seeds[random() % seeds.size()];
    const int mutations = 1 + static_cast<int>(random() % 4);
    for (int m = 0; m < mutations && !input.empty(); ++m) {
      const size_t at = random() % input.size();
      const char c = kAlphabet[random() % kAlphabet.size()];
      switch (random() % 3) {
        case 0:
          input.insert(at, 1, c);
          break;
        case 1:
          input.erase(at, 1);
          break;
        default:
          input[at] = c;
      }
    }
    Wire ours, theirs;
    const bool a = ParseWireJson(input, &ours).ok();
    const bool b = ParseWithRapidJson(input, &theirs).ok();
    bool disagree = a != b;
    if (a && b) {
      ++accepted_by_both;
      if (!google::protobuf::util::MessageDifferencer::Equals(ours, theirs)) {
        ++different;
        disagree = true;
      }
    } else if (a) {
      ++only_ours;
    } else if (b) {
      ++only_theirs;
    }
    if (disagree && shown < 8) {
      ++shown;
      std::printf("disagree (ParseWireJson %s, RapidJSON %s): %s\n",
                  a ? "accepts" : "refuses", b ? "accepts" : "refuses",
                  input.substr(0, 200).c_str());
    }
  }
  std::printf(
      "%d inputs: %d accepted by both (%d read differently), %d only by "
      "ParseWireJson, %d only by RapidJSON\n",
      count, accepted_by_both, different, only_ours, only_theirs);
}

}  // namespace
}  // namespace vercel_tokens

int main(int argc, char** argv) {
  using namespace vercel_tokens;  // NOLINT: a benchmark's main.
  if (argc > 2 && std::string(argv[1]) == "--differential") {
    const int count = std::atoi(argv[2]);
    Differential<wire::GetTokenBody>(
        {absl::StrCat(R"({"token":)", Token(0), "}"),
         R"({"token":{"id":"a","scopes":[{"sudo":{"expiresAt":"12"}}]}})"},
        count);
    Differential<wire::ListTokensBody>(
        {absl::StrCat(R"({"tokens":[)", Token(0), ",", Token(1),
                      R"(],"pagination":{"count":2,"next":17,"prev":null}})"),
         R"({"pagination":{"next":{"a":[1,"x",true,null]},"count":"3"}})"},
        count);
    return 0;
  }
  const int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
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
  Compare<wire::GetTokenBody>("GetAuthToken body", get, rounds);
  Compare<wire::ListTokensBody>("ListAuthTokens body, 100 tokens", list,
                                rounds);
  Compare<wire::CreateTokenBody>("CreateAuthToken body", create, rounds);
  return 0;
}
