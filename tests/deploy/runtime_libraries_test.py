#!/usr/bin/python3
"""The image's runtime stage installs every shared library the release
binaries load, and nothing else: each library `ldd` resolves is mapped to its
Debian package (`dpkg -S`) and looked up in docker/runtime-packages.txt, the
list the Dockerfile installs. A pod would otherwise crash at start with
"error while loading shared libraries".

Needs the binaries of release_build_test.py ($VUT_RELEASE_OUT).
"""

import os
import pathlib
import re
import subprocess
import unittest

import dockerfile

PACKAGES_FILE = dockerfile.REPO / "docker" / "runtime-packages.txt"
OUT = pathlib.Path(os.environ["VUT_RELEASE_OUT"])
BINARIES = ("vercel-tokens-server", "vercel-tokens")


def listed_packages():
    text = re.sub(r"#.*", "", PACKAGES_FILE.read_text())
    return set(text.split())


def libraries(binary):
    """Paths of the shared libraries ldd resolves for binary."""
    result = subprocess.run(["ldd", str(binary)], capture_output=True,
                            text=True, check=True)
    missing = [line.strip() for line in result.stdout.splitlines()
               if "not found" in line]
    assert not missing, f"{binary.name} needs missing libraries: {missing}"
    paths = re.findall(r"(?:=> )?(/\S+) \(0x", result.stdout)
    assert paths, result.stdout
    return set(paths)


def owning_packages(paths):
    """{path: the Debian package shipping it}. With merged /usr a file may be
    registered under /lib or /usr/lib, or under the name a symlink points to,
    so each path is looked up under all of them, in one dpkg-query."""
    candidates = {}
    for path in paths:
        names = [path, os.path.realpath(path)]
        names += [n[len("/usr"):] if n.startswith("/usr/") else "/usr" + n
                  for n in names]
        candidates[path] = names
    every_name = sorted({n for names in candidates.values() for n in names})
    # Exit status 1 only says that some names are not registered.
    result = subprocess.run(["dpkg-query", "-S", *every_name],
                            capture_output=True, text=True)
    shipped_by = {}
    for line in result.stdout.splitlines():
        packages, _, name = line.partition(": ")
        shipped_by[name] = packages.split(",")[0].split(":")[0].strip()
    owners = {}
    for path, names in candidates.items():
        found = [shipped_by[n] for n in names if n in shipped_by]
        assert found, f"no Debian package ships {path}"
        owners[path] = found[0]
    return owners


def ships_shared_library(package):
    files = subprocess.run(["dpkg-query", "-L", package], capture_output=True,
                           text=True)
    assert files.returncode == 0, (
        f"{package} (docker/runtime-packages.txt) is not installed here, so "
        f"the test cannot tell what it ships: {files.stderr}")
    return any(re.search(r"\.so(\.|$)", f) for f in files.stdout.split())


class RuntimeLibrariesTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        paths = set().union(*(libraries(OUT / name) for name in BINARIES))
        cls.needed = {}  # package -> libraries of the binaries it ships
        for path, package in owning_packages(paths).items():
            cls.needed.setdefault(package, set()).add(path)

    def test_runtime_stage_installs_the_packages_list(self):
        runtime = dockerfile.stages()["runtime"]
        self.assertTrue(runtime.base.startswith("debian:12"), runtime.base)
        self.assertIn(
            "/tmp/deploy/apt-install.sh /tmp/deploy/runtime-packages.txt",
            " ".join(runtime.all("RUN")))
        self.assertIn((None, ["docker/apt-install.sh",
                              "docker/runtime-packages.txt"], "/tmp/deploy/"),
                      runtime.copies())

    def test_every_library_package_is_installed(self):
        missing = {p: sorted(libs) for p, libs in self.needed.items()
                   if p not in listed_packages()}
        self.assertEqual(missing, {},
                         "add these packages to docker/runtime-packages.txt")

    def test_no_package_ships_only_unused_libraries(self):
        unused = sorted(p for p in listed_packages() - set(self.needed)
                        if ships_shared_library(p))
        self.assertEqual(unused, [],
                         "no binary loads a library of these packages; drop "
                         "them from docker/runtime-packages.txt")


if __name__ == "__main__":
    unittest.main()
