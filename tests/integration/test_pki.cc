#include "tests/integration/test_pki.h"

#include <stdlib.h>

#include <filesystem>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "tests/integration/process.h"

namespace vercel_tokens::integration {
namespace {

constexpr char kOpenssl[] = "/usr/bin/openssl";

absl::Status RunOpenssl(std::vector<std::string> args) {
  args.insert(args.begin(), kOpenssl);
  absl::StatusOr<std::unique_ptr<Process>> process =
      Process::Start(args, TestEnvironment());
  if (!process.ok()) return process.status();
  absl::StatusOr<int> exit_code = (*process)->Wait(absl::Seconds(30));
  if (!exit_code.ok()) return exit_code.status();
  if (*exit_code != 0) {
    return absl::InternalError(absl::StrCat(
        "openssl ", args[1], " failed: ", (*process)->Output(Stream::kStderr)));
  }
  return absl::OkStatus();
}

// A self-signed CA named `name`, in `dir`.
absl::StatusOr<CertFiles> MakeCa(const std::string& dir,
                                 const std::string& name) {
  CertFiles files{absl::StrCat(dir, "/", name, ".pem"),
                  absl::StrCat(dir, "/", name, ".key")};
  absl::Status s =
      RunOpenssl({"req", "-x509", "-newkey", "ec", "-pkeyopt",
                  "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                  "-subj", absl::StrCat("/CN=", name), "-addext",
                  "basicConstraints=critical,CA:TRUE", "-addext",
                  "keyUsage=critical,keyCertSign,cRLSign", "-keyout", files.key,
                  "-out", files.cert});
  if (!s.ok()) return s;
  return files;
}

// A leaf certificate `name` issued by `ca`, with subject CN `cn` (none when
// empty) and the subjectAltName `san` (none when empty).
absl::StatusOr<CertFiles> MakeLeaf(const std::string& dir, const CertFiles& ca,
                                   const std::string& name,
                                   const std::string& cn,
                                   const std::string& san) {
  CertFiles files{absl::StrCat(dir, "/", name, ".pem"),
                  absl::StrCat(dir, "/", name, ".key")};
  std::vector<std::string> args = {
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      cn.empty()
          ? std::string("/O=vut-test")
          : absl::StrCat("/CN=", absl::StrReplaceAll(cn, {{"/", "\\/"}})),
      "-CA",
      ca.cert,
      "-CAkey",
      ca.key,
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-addext",
      "extendedKeyUsage=serverAuth,clientAuth",
      "-keyout",
      files.key,
      "-out",
      files.cert};
  if (!san.empty()) {
    args.insert(args.end(), {"-addext", absl::StrCat("subjectAltName=", san)});
  }
  absl::Status s = RunOpenssl(args);
  if (!s.ok()) return s;
  return files;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TestPki>> TestPki::Create() {
  std::string dir_template = absl::StrCat(
      std::filesystem::temp_directory_path().string(), "/vut-pki-XXXXXX");
  if (mkdtemp(dir_template.data()) == nullptr) {
    return absl::InternalError("cannot create a temporary directory");
  }
  std::unique_ptr<TestPki> pki(new TestPki(dir_template));
  const std::string& dir = pki->dir_;
  absl::StatusOr<CertFiles> ca = MakeCa(dir, "ca");
  if (!ca.ok()) return ca.status();
  pki->ca_ = *ca;
  absl::StatusOr<CertFiles> other_ca = MakeCa(dir, "other-ca");
  if (!other_ca.ok()) return other_ca.status();
  pki->other_ca_ = *other_ca;

  struct Leaf {
    CertFiles* files;
    const CertFiles* issuer;
    const char* name;
    const char* cn;
    std::string san;
  };
  const Leaf leaves[] = {
      {&pki->server_, &pki->ca_, "server", kServerName,
       absl::StrCat("DNS:", kServerName)},
      {&pki->spiffe_, &pki->ca_, "spiffe", "ignored-cn",
       absl::StrCat("URI:", kSpiffeId, ",DNS:ignored.vut.test")},
      {&pki->dns_, &pki->ca_, "dns", "ignored-cn",
       absl::StrCat("DNS:", kDnsName, ",DNS:second.vut.test")},
      {&pki->stranger_, &pki->other_ca_, "stranger", "stranger",
       absl::StrCat("URI:", kSpiffeId)},
  };
  for (const Leaf& leaf : leaves) {
    absl::StatusOr<CertFiles> files =
        MakeLeaf(dir, *leaf.issuer, leaf.name, leaf.cn, leaf.san);
    if (!files.ok()) return files.status();
    *leaf.files = *files;
  }
  return pki;
}

absl::StatusOr<CertFiles> TestPki::IssueClient(const std::string& name,
                                               const std::string& cn,
                                               const std::string& san) const {
  return MakeLeaf(dir_, ca_, name, cn, san);
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace vercel_tokens::integration
