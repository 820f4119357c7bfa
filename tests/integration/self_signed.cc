#include "tests/integration/self_signed.h"

#include <fstream>
#include <sstream>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "tests/integration/process.h"

namespace vercel_tokens::integration {

absl::StatusOr<SelfSigned> MakeSelfSigned(const std::string& dir,
                                          const std::string& name) {
  SelfSigned out;
  out.cert_file = absl::StrCat(dir, "/", name, ".crt");
  out.key_file = absl::StrCat(dir, "/", name, ".key");
  auto openssl = Process::Start(
      {"/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
       "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj",
       absl::StrCat("/CN=", name), "-addext", "subjectAltName=IP:127.0.0.1",
       "-keyout", out.key_file, "-out", out.cert_file},
      TestEnvironment());
  if (!openssl.ok()) return openssl.status();
  absl::StatusOr<int> exit_code = (*openssl)->Wait(absl::Seconds(30));
  if (!exit_code.ok()) return exit_code.status();
  if (*exit_code != 0) {
    return absl::InternalError(
        absl::StrCat("openssl: ", (*openssl)->Output(Stream::kStderr)));
  }
  std::ifstream in(out.cert_file);
  std::stringstream pem;
  pem << in.rdbuf();
  out.cert_pem = pem.str();
  return out;
}

}  // namespace vercel_tokens::integration
