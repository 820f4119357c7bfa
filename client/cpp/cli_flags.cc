#include "cli_flags.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"

namespace vercel_tokens {
namespace {

// Flags that hold secrets under a name people guess, and where the secret
// goes instead.
struct SecretFlag {
  absl::string_view name;
  absl::string_view hint;
};
constexpr SecretFlag kSecretFlags[] = {
    {"token",
     "secrets are never flag values: put the token in a file and pass "
     "--token_file=FILE, or set env VERCEL_TOKEN"},
    {"vercel_token",
     "secrets are never flag values: put the token in a file and pass "
     "--token_file=FILE, or set env VERCEL_TOKEN"},
    {"bearer_token",
     "secrets are never flag values: put the token in a file and pass "
     "--token_file=FILE, or set env VERCEL_TOKEN"},
    {"workload_token",
     "secrets are never flag values: pass the file that holds it as "
     "--workload_token_file=FILE"},
    {"verification_token",
     "secrets are never flag values: pass --verification_token_file=FILE, "
     "or set env VERCEL_VERIFICATION_TOKEN"},
};

// Flags Abseil's parser handles itself, outside the flag registry.
constexpr absl::string_view kAbseilOwnFlags[] = {
    "help",     "helpfull",  "helpshort",  "helppackage",
    "helpon",   "helpmatch", "version",    "only_check_args",
    "flagfile", "fromenv",   "tryfromenv", "undefok",
};

bool IsAbseilOwnFlag(absl::string_view name) {
  return std::find(std::begin(kAbseilOwnFlags), std::end(kAbseilOwnFlags),
                   name) != std::end(kAbseilOwnFlags);
}

// The names of every flag this program defines, retired ones excluded.
std::vector<std::string> AllFlagNames() {
  std::vector<std::string> names;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!flag->IsRetired()) names.emplace_back(name);
  }
  return names;
}

absl::Status UnknownFlag(absl::string_view name) {
  const std::string hint = FlagHint(name, AllFlagNames());
  return absl::InvalidArgumentError(
      hint.empty() ? absl::StrCat("unknown flag --", name)
                   : absl::StrCat("unknown flag --", name, "; ", hint));
}

}  // namespace

std::string FlagHint(absl::string_view name,
                     absl::Span<const std::string> flag_names) {
  const std::string underscored = absl::StrReplaceAll(name, {{"-", "_"}});
  for (const SecretFlag& secret : kSecretFlags) {
    if (underscored == secret.name) return std::string(secret.hint);
  }
  if (underscored != name && std::find(flag_names.begin(), flag_names.end(),
                                       underscored) != flag_names.end()) {
    return absl::StrCat("did you mean --", underscored, "?");
  }
  if (underscored.empty()) return "";
  std::optional<std::string> only_match;
  for (const std::string& candidate : flag_names) {
    if (!absl::StartsWith(candidate, underscored)) continue;
    if (only_match.has_value()) return "";
    only_match = candidate;
  }
  return only_match.has_value()
             ? absl::StrCat("did you mean --", *only_match, "?")
             : "";
}

absl::Status CheckFlagArguments(absl::Span<const char* const> args) {
  for (size_t i = 0; i < args.size(); ++i) {
    absl::string_view arg = args[i];
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    arg.remove_prefix(1);
    absl::ConsumePrefix(&arg, "-");
    absl::string_view name = arg;
    std::optional<absl::string_view> value;
    if (const size_t eq = arg.find('='); eq != absl::string_view::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (IsAbseilOwnFlag(name)) continue;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && !value.has_value() &&
        absl::ConsumePrefix(&name, "no")) {
      // --nofoo turns a bool flag foo off.
      flag = absl::FindCommandLineFlag(name);
      if (flag != nullptr && flag->IsOfType<bool>()) continue;
      name = arg;
      flag = nullptr;
    }
    if (flag == nullptr) return UnknownFlag(name);
    if (flag->IsOfType<bool>()) {
      if (!value.has_value()) continue;
    } else if (!value.has_value()) {
      if (i + 1 == args.size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("flag --", name, " needs a value"));
      }
      value = args[++i];
    }
    std::string error;
    if (!flag->ParseFrom(*value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat("flag --", name, ": ", error));
    }
  }
  return absl::OkStatus();
}

}  // namespace vercel_tokens
