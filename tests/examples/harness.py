"""Runs the real server against the fake Vercel API, for the example tests.

Each language's example test (tests/examples/<lang>_example_test.py) starts a
Stack, runs that language's example program against it, and asserts what the
program printed and what reached the fake; make_certificates writes the
PEM files of a TLS or mutual TLS stack. Standard library only.

The server binary comes from the environment variable VUT_SERVER_PATH (set by
CTest), else build/server/vercel-tokens-server.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import threading
import urllib.request
from typing import Callable

REPO = pathlib.Path(__file__).resolve().parents[2]
FAKE = REPO / "tests" / "fake_vercel" / "fake_vercel.py"
SEED_SECRET = "example-seed-secret"
SEED_TEAM = "team_example"
TIMEOUT_S = 60
SERVER_NAME = "vercel-user-tokens.test"
CLIENT_ID = "spiffe://vercel-user-tokens.test/probe"


def _server_path() -> str:
    return os.environ.get(
        "VUT_SERVER_PATH", str(REPO / "build" / "server" / "vercel-tokens-server"))


def _read_line(process: subprocess.Popen, stream, needle: str) -> str:
    """Returns the first line of `stream` containing `needle`."""
    for line in iter(stream.readline, ""):
        if needle in line:
            return line.strip()
    raise RuntimeError(f"{process.args[0]} ended before printing {needle!r}")


def make_certificates(folder: pathlib.Path) -> dict[str, pathlib.Path]:
    """Writes, as PEM files in `folder`, a CA and a server certificate it
    signed for SERVER_NAME only (not for 127.0.0.1), and another CA and a
    client certificate it signed for CLIENT_ID (a URI SAN). Returns their
    paths: ca, cert, key (the server's), client_ca, client_cert, client_key.
    """
    paths = {name: folder / f"{name}.pem" for name in
             ("ca", "cert", "key", "client_ca", "client_cert", "client_key")}

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True,
                       timeout=TIMEOUT_S)

    def sign(ca: str, cert: str, key: str, subject: str,
             extensions: str) -> None:
        """Writes a key and a certificate for it signed by the CA `ca`."""
        csr, extensions_file = folder / f"{cert}.csr", folder / f"{cert}.cnf"
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject,
                "-keyout", str(paths[key]), "-out", str(csr))
        extensions_file.write_text(extensions + "\n")
        openssl("x509", "-req", "-in", str(csr), "-CA", str(paths[ca]),
                "-CAkey", str(folder / f"{ca}_key.pem"), "-CAcreateserial",
                "-days", "1", "-extfile", str(extensions_file),
                "-out", str(paths[cert]))

    for ca, subject in (("ca", "/CN=test CA"),
                        ("client_ca", "/CN=test client CA")):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", subject, "-keyout", str(folder / f"{ca}_key.pem"),
                "-out", str(paths[ca]))
    sign("ca", "cert", "key", f"/CN={SERVER_NAME}",
         f"subjectAltName=DNS:{SERVER_NAME}")
    sign("client_ca", "client_cert", "client_key", "/CN=probe",
         f"subjectAltName=URI:{CLIENT_ID}\nextendedKeyUsage=clientAuth")
    return paths


def tls_flags(certificates: dict[str, pathlib.Path],
              client_ca: bool = False) -> tuple[str, ...]:
    """The server's flags to serve TLS with the certificate and key of
    make_certificates; with `client_ca`, mutual TLS: the server refuses a
    handshake without a client certificate its client CA signed."""
    flags = (f"--tls_cert_file={certificates['cert']}",
             f"--tls_key_file={certificates['key']}")
    if client_ca:
        flags += (f"--tls_client_ca_file={certificates['client_ca']}",)
    return flags


class Stack:
    """The fake Vercel API and a server in front of it, as a context manager.

    On entry the fake is reset to one token (secret SEED_SECRET, team
    SEED_TEAM); `address` is the server's host:port. `server_args` are
    extra flags of the server.
    """

    def __init__(self, server_args: tuple[str, ...] = ()) -> None:
        self._server_args = server_args

    def __enter__(self) -> "Stack":
        self._fake = subprocess.Popen(
            [sys.executable, str(FAKE), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        port = _read_line(self._fake, self._fake.stdout, "PORT ").split()[1]
        self.fake_url = f"http://127.0.0.1:{port}"
        self.control("/_fake/reset", {
            "tokens": [{"name": "seed", "bearerToken": SEED_SECRET,
                        "teamId": SEED_TEAM}]})
        self._server = subprocess.Popen(
            [_server_path(), "--listen=127.0.0.1:0",
             f"--vercel_api_base_url={self.fake_url}",
             # No probes of the API: the checks count the fake's requests.
             "--upstream_probe_interval=0", *self._server_args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
            env={k: v for k, v in os.environ.items()
                 if not k.startswith("VERCEL_")})
        line = _read_line(self._server, self._server.stderr,
                          '"msg":"listening"')
        self.address = json.loads(line)["address"]
        self._log: list[dict] = []
        self._log_changed = threading.Condition()
        self._log_reader = threading.Thread(target=self._read_log, daemon=True)
        self._log_reader.start()
        return self

    def _read_log(self) -> None:
        for line in iter(self._server.stderr.readline, ""):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            with self._log_changed:
                self._log.append(entry)
                self._log_changed.notify_all()

    def server_log(self, count: int = 0,
                   where: Callable[[dict], bool] = lambda entry: True
                   ) -> list[dict]:
        """The server's log lines for which `where` holds, once at least
        `count` of them have been logged (or TIMEOUT_S has passed)."""
        def matching() -> list[dict]:
            return [entry for entry in self._log if where(entry)]
        with self._log_changed:
            self._log_changed.wait_for(lambda: len(matching()) >= count,
                                       timeout=TIMEOUT_S)
            return matching()

    def __exit__(self, *exc) -> None:
        for process in (self._server, self._fake):
            process.terminate()
            process.wait(timeout=TIMEOUT_S)
        self._log_reader.join(timeout=TIMEOUT_S)
        for pipe in (self._server.stderr, self._fake.stdout):
            pipe.close()

    def control(self, path: str, body: dict | None = None) -> dict:
        """Calls a control endpoint of the fake; POST when `body` is given."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.fake_url + path, data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return json.load(response)

    def requests(self) -> list[dict]:
        """What reached the fake since the reset."""
        return self.control("/_fake/requests")["requests"]

    def run_example(self, argv: list[str], cwd: pathlib.Path | None = None,
                    env: dict[str, str] | None = None
                    ) -> subprocess.CompletedProcess:
        """Runs an example with VUT_ADDRESS, VUT_PLAINTEXT=1 (the server
        is plaintext unless `server_args` said otherwise, and the clients
        default to TLS), VERCEL_TOKEN, VERCEL_TEAM_ID and VUT_FAKE_URL (the
        fake's control API) set; `env` adds to them or overrides them."""
        full_env = dict(os.environ)
        full_env.update({"VUT_ADDRESS": self.address,
                         "VUT_PLAINTEXT": "1",
                         "VUT_FAKE_URL": self.fake_url,
                         "VERCEL_TOKEN": SEED_SECRET,
                         "VERCEL_TEAM_ID": SEED_TEAM})
        full_env.update(env or {})
        return subprocess.run(argv, cwd=cwd, env=full_env, text=True,
                              capture_output=True, timeout=TIMEOUT_S)
