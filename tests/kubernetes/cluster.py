"""A real Kubernetes control plane on loopback, for the Kubernetes tests.

Cluster starts etcd v3.6.5 and kube-apiserver v1.35.4 (built once per
machine by tests/kubernetes/build.sh from the Go module proxy) as the test's
own processes, on free loopback ports, with everything they need generated
in a temporary folder: a CA and the API server's serving certificate
(127.0.0.1, localhost), the ServiceAccount signing key pair (sa.key,
sa.pub), and a static token file with an admin (system:masters) and two
reviewer users. No controller manager, scheduler or kubelet runs: the tests
create namespaces, ServiceAccounts, Pod objects and RBAC bindings over REST,
mint ServiceAccount tokens with TokenRequest, and ask TokenReview as a
server would.

    with cluster.Cluster() as kube:
        kube.create_namespace("billing")
        kube.create_service_account("billing", "deployer")
        token = kube.token("billing", "deployer", audience="vercel-user-tokens")
        kube.token_review(token, ["vercel-user-tokens"])  # status.authenticated

Everything is torn down on exit (processes terminated, folder removed), and
by the atexit hook if the test dies first. Standard library only, plus the
openssl command (scripts/deps/apt-core.txt).

For OIDC federation (issue 19) the cluster can serve its ServiceAccount
issuer as an OIDC issuer on loopback: see Cluster(issuer_on_loopback=True)
and Cluster.oidc_issuer().
"""

from __future__ import annotations

import atexit
import base64
import ctypes
import dataclasses
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

HERE = pathlib.Path(__file__).resolve().parent
KUBE_VERSION = "v1.35.4"
DEFAULT_ISSUER = "https://kubernetes.default.svc.cluster.local"
# The static tokens of tokens.csv. REVIEWER is bound to
# system:auth-delegator on start; UNBOUND_REVIEWER has no role at all.
ADMIN_TOKEN = "admin-static-token"
REVIEWER = "vut-reviewer"
REVIEWER_TOKEN = "reviewer-static-token"
UNBOUND_REVIEWER = "vut-reviewer-without-rbac"
UNBOUND_REVIEWER_TOKEN = "unbound-reviewer-static-token"
# Bounds of every wait: the build (minutes when cold, on a busy machine),
# the start (about 3 s on a quiet one), one request.
BUILD_TIMEOUT_S = 3000
READY_TIMEOUT_S = 120
REQUEST_TIMEOUT_S = 30
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>

# Free ports are chosen before the processes bind them; another process may
# take one in between. The start is tried again, on other ports, that often.
START_ATTEMPTS = 3

_running: list["Cluster"] = []
atexit.register(lambda: [c.stop() for c in list(_running)])


def binaries() -> pathlib.Path:
    """The folder holding `kube-apiserver` and `etcd`, built first if this
    machine has not built them yet (tests/kubernetes/build.sh)."""
    result = subprocess.run([str(HERE / "build.sh")], check=True,
                            stdout=subprocess.PIPE, text=True,
                            timeout=BUILD_TIMEOUT_S)
    return pathlib.Path(result.stdout.strip())


def end_with_parent() -> None:
    """In a child between fork and exec: the kernel kills the child when the
    test process dies, even by SIGKILL (a ctest timeout), so no API server
    outlives its test."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG)")


def free_port() -> int:
    """A loopback TCP port nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwt_claims(token: str) -> dict:
    """The claims of a JWT, unverified."""
    return json.loads(_b64url_decode(token.split(".")[1]))


def _openssl(*args: str, input: bytes | None = None) -> bytes:
    return subprocess.run(["openssl", *args], check=True, input=input,
                          capture_output=True, timeout=REQUEST_TIMEOUT_S).stdout


class PortTaken(RuntimeError):
    """A process of the cluster could not bind its port."""


@dataclasses.dataclass
class Response:
    """An answer of the API server: HTTP status and the JSON body (or the
    text of a body that is not JSON, under "text")."""
    status: int
    body: dict


@dataclasses.dataclass
class OidcIssuer:
    """The cluster's ServiceAccount issuer, served as an OIDC issuer.

    issuer: the issuer URL (https://127.0.0.1:<port>), equal to the `iss`
      of the cluster's tokens and to the discovery document's `issuer`.
    discovery_url, jwks_uri: where the discovery document and the JWKS are.
    ca_file: the CA that signed the API server's certificate (what a
      verifier needs, e.g. the server's --oidc_ca_file).
    reader_token: a ServiceAccount token allowed to read both documents
      (the default system:service-account-issuer-discovery binding); the
      documents are also readable anonymously when the cluster was asked to.
    """
    issuer: str
    discovery_url: str
    jwks_uri: str
    ca_file: pathlib.Path
    reader_token: str


class Cluster:
    """etcd and kube-apiserver, as a context manager (see the module doc).

    `issuer_on_loopback`: the ServiceAccount issuer (the `iss` of every
    token) is the API server's own https://127.0.0.1:<port> URL instead of
    DEFAULT_ISSUER, so that an OIDC verifier can fetch its discovery document
    at <issuer>/.well-known/openid-configuration (oidc_issuer()).
    `api_audiences`: the API server's own audiences (--api-audiences).
    """

    def __init__(self, issuer_on_loopback: bool = False,
                 api_audiences: tuple[str, ...] = ()) -> None:
        self._issuer_on_loopback = issuer_on_loopback
        self._api_audiences = api_audiences
        self._etcd = self._apiserver = None
        self._dir = None

    # Lifecycle.

    def __enter__(self) -> "Cluster":
        bin_dir = binaries()
        self._dir = pathlib.Path(tempfile.mkdtemp(prefix="vut-kube-"))
        _running.append(self)
        try:
            self._write_credentials()
            for attempt in range(1, START_ATTEMPTS + 1):
                try:
                    self._start_processes(bin_dir, attempt)
                    break
                except PortTaken:
                    self.stop_apiserver()
                    _terminate(self._etcd)
                    self._etcd = None
                    if attempt == START_ATTEMPTS:
                        raise
            self.bind_cluster_role(f"{REVIEWER}-auth-delegator",
                                   "system:auth-delegator",
                                   {"kind": "User", "name": REVIEWER,
                                    "apiGroup": "rbac.authorization.k8s.io"})
        except BaseException:
            self.stop()
            raise
        return self

    def _start_processes(self, bin_dir: pathlib.Path, attempt: int) -> None:
        """Starts etcd and the API server on free ports and waits until the
        API server is ready. Raises PortTaken when another process took a
        port between free_port() and the bind."""
        etcd_port, peer_port = free_port(), free_port()
        self.port = free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.issuer = self.url if self._issuer_on_loopback else DEFAULT_ISSUER
        self._etcd = self._spawn("etcd", [
            str(bin_dir / "etcd"), "--name=default",
            f"--data-dir={self._dir / f'etcd-{attempt}'}",
            f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
            f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
            f"--listen-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{peer_port}",
            f"--initial-cluster=default=http://127.0.0.1:{peer_port}",
            "--unsafe-no-fsync", "--log-level=warn"])
        self._apiserver_argv = [
            str(bin_dir / "kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
            f"--secure-port={self.port}",
            f"--cert-dir={self._dir / 'certs'}",
            f"--tls-cert-file={self.ca_file.parent / 'apiserver.pem'}",
            f"--tls-private-key-file={self.ca_file.parent / 'apiserver-key.pem'}",
            f"--service-account-issuer={self.issuer}",
            f"--service-account-jwks-uri={self.url}/openid/v1/jwks",
            f"--service-account-key-file={self.sa_pub}",
            f"--service-account-signing-key-file={self.sa_key}",
            "--api-audiences=" + ",".join(self._api_audiences or
                                          (self.issuer,)),
            "--authorization-mode=RBAC",
            f"--token-auth-file={self._dir / 'tokens.csv'}",
            "--service-cluster-ip-range=10.96.0.0/24"]
        self.start_apiserver()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        """Ends both processes and removes the folder; safe to call twice."""
        self.stop_apiserver()
        if self._etcd is not None:
            _terminate(self._etcd)
            self._etcd = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
        if self in _running:
            _running.remove(self)

    def stop_apiserver(self) -> None:
        """Ends the API server (etcd keeps running); start_apiserver()
        brings it back on the same port with the same keys."""
        if self._apiserver is not None:
            _terminate(self._apiserver)
            self._apiserver = None

    def start_apiserver(self) -> None:
        """Starts the API server and waits until /readyz says ok."""
        self._apiserver = self._spawn("kube-apiserver", self._apiserver_argv)
        deadline = time.monotonic() + READY_TIMEOUT_S
        while True:
            for name, process in (("etcd", self._etcd),
                                  ("kube-apiserver", self._apiserver)):
                if process.poll() is not None:
                    log = self.log_tail(name)
                    if "address already in use" in log:
                        raise PortTaken(f"{name}: {log}")
                    raise RuntimeError(f"{name} ended on start:\n{log}")
            try:
                if self.get("/readyz").status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("kube-apiserver not ready within "
                                   f"{READY_TIMEOUT_S} s:\n" +
                                   self.log_tail("kube-apiserver"))
            time.sleep(0.2)

    def log_tail(self, name: str, lines: int = 40) -> str:
        """The last lines `name` (etcd or kube-apiserver) wrote."""
        text = (self._dir / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        # Each start writes a new log: its tail explains this start only.
        with open(self._dir / f"{name}.log", "wb") as log:
            return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=subprocess.STDOUT,
                                    preexec_fn=end_with_parent)

    def _write_credentials(self) -> None:
        """The CA, the API server's certificate, the ServiceAccount key pair
        and the static token file, in the temporary folder."""
        pki = self._dir / "pki"
        pki.mkdir()
        self.ca_file = pki / "ca.pem"
        _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                 "-subj", "/CN=vut test cluster CA",
                 "-keyout", str(pki / "ca-key.pem"), "-out", str(self.ca_file))
        (pki / "apiserver.cnf").write_text(
            "subjectAltName=IP:127.0.0.1,DNS:localhost,"
            "DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n")
        _openssl("req", "-newkey", "rsa:2048", "-nodes",
                 "-subj", "/CN=kube-apiserver",
                 "-keyout", str(pki / "apiserver-key.pem"),
                 "-out", str(pki / "apiserver.csr"))
        _openssl("x509", "-req", "-in", str(pki / "apiserver.csr"),
                 "-CA", str(self.ca_file), "-CAkey", str(pki / "ca-key.pem"),
                 "-CAcreateserial", "-days", "1",
                 "-extfile", str(pki / "apiserver.cnf"),
                 "-out", str(pki / "apiserver.pem"))
        self.sa_key, self.sa_pub = pki / "sa.key", pki / "sa.pub"
        _openssl("genpkey", "-algorithm", "RSA",
                 "-pkeyopt", "rsa_keygen_bits:2048", "-out", str(self.sa_key))
        _openssl("pkey", "-in", str(self.sa_key), "-pubout",
                 "-out", str(self.sa_pub))
        (self._dir / "tokens.csv").write_text(
            f'{ADMIN_TOKEN},vut-admin,uid-admin,"system:masters"\n'
            f"{REVIEWER_TOKEN},{REVIEWER},uid-reviewer\n"
            f"{UNBOUND_REVIEWER_TOKEN},{UNBOUND_REVIEWER},uid-unbound\n")

    def write_token_file(self, name: str, token: str) -> pathlib.Path:
        """Writes `token` into a file of the cluster's folder (e.g. for the
        server's --kubernetes_token_file); returns its path."""
        path = self._dir / name
        path.write_text(token)
        return path

    # REST.

    def request(self, method: str, path: str, body: dict | None = None,
                token: str = ADMIN_TOKEN,
                accept: str = "application/json, */*;q=0.5") -> Response:
        """One request to the API server with `token` as the bearer, or
        anonymous when `token` is empty. The default `accept` takes JSON
        where the API server has a choice, and the JWKS
        (application/jwk-set+json) and /metrics (text) as they come."""
        context = ssl.create_default_context(cafile=str(self.ca_file))
        headers = {"Content-Type": "application/json", "Accept": accept}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            self.url + path, method=method, headers=headers,
            data=None if body is None else json.dumps(body).encode())
        try:
            with urllib.request.urlopen(request, context=context,
                                        timeout=REQUEST_TIMEOUT_S) as answer:
                status, raw = answer.status, answer.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            return Response(status, json.loads(raw))
        except ValueError:
            return Response(status, {"text": raw.decode(errors="replace")})

    def get(self, path: str, token: str = ADMIN_TOKEN,
            **kwargs) -> Response:
        return self.request("GET", path, token=token, **kwargs)

    def _must(self, response: Response, *ok: int) -> dict:
        if response.status not in ok:
            raise RuntimeError(f"kube-apiserver answered {response.status}: "
                               f"{response.body}")
        return response.body

    def version(self) -> str:
        """The API server's /version gitVersion."""
        return self._must(self.get("/version"), 200)["gitVersion"]

    def create_namespace(self, name: str) -> dict:
        return self._must(self.request("POST", "/api/v1/namespaces", {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name}}), 201)

    def create_service_account(self, namespace: str, name: str) -> dict:
        """Creates the ServiceAccount; returns it (metadata.uid)."""
        return self._must(self.request(
            "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts", {
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": name}}), 201)

    def delete_service_account(self, namespace: str, name: str) -> None:
        self._must(self.request(
            "DELETE", f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}"),
            200)

    def create_pod(self, namespace: str, name: str,
                   service_account: str) -> dict:
        """Creates a Pod object running as `service_account` (never
        scheduled: no kubelet runs); returns it (metadata.uid)."""
        return self._must(self.request(
            "POST", f"/api/v1/namespaces/{namespace}/pods", {
                "apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": name},
                "spec": {"serviceAccountName": service_account,
                         "containers": [{"name": "app",
                                         "image": "registry.invalid/app"}]}}),
            201)

    def delete_pod(self, namespace: str, name: str) -> None:
        """Deletes the Pod at once (an unscheduled pod has no grace)."""
        self._must(self.request(
            "DELETE", f"/api/v1/namespaces/{namespace}/pods/{name}"
                      "?gracePeriodSeconds=0"), 200)

    def bind_cluster_role(self, binding: str, role: str,
                          subject: dict) -> None:
        """Creates ClusterRoleBinding `binding` of `role` to `subject` (an
        RBAC subject: {"kind": "User"|"Group"|"ServiceAccount", ...})."""
        self._must(self.request(
            "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
                "apiVersion": "rbac.authorization.k8s.io/v1",
                "kind": "ClusterRoleBinding",
                "metadata": {"name": binding},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                            "kind": "ClusterRole", "name": role},
                "subjects": [subject]}), 201)

    def token(self, namespace: str, service_account: str,
              audience: str | None = None, expiration_seconds: int = 600,
              pod: dict | None = None) -> str:
        """A ServiceAccount token from TokenRequest, as a projected volume
        would carry it: for `audience` (the API server's own audiences when
        None), valid `expiration_seconds` (at least 600), bound to `pod` (a
        Pod as create_pod returned it) when given."""
        spec: dict = {"expirationSeconds": expiration_seconds}
        if audience is not None:
            spec["audiences"] = [audience]
        if pod is not None:
            spec["boundObjectRef"] = {"kind": "Pod", "apiVersion": "v1",
                                      "name": pod["metadata"]["name"],
                                      "uid": pod["metadata"]["uid"]}
        body = self._must(self.request(
            "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/"
                    f"{service_account}/token",
            {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
             "spec": spec}), 201)
        return body["status"]["token"]

    def expired_token(self, namespace: str, service_account: str,
                      audience: str, expired_seconds_ago: int = 3600) -> str:
        """A token exactly like token()'s but whose `exp` passed
        `expired_seconds_ago`, signed with the cluster's own sa.key: what a
        pod whose kubelet stopped rotating would present."""
        template = self.token(namespace, service_account, audience)
        header, _, _ = template.split(".")
        claims = jwt_claims(template)
        now = int(time.time())
        lifetime = claims["exp"] - claims["iat"]
        claims["exp"] = now - expired_seconds_ago
        claims["iat"] = claims["nbf"] = claims["exp"] - lifetime
        signing_input = f"{header}.{_b64url(json.dumps(claims).encode())}"
        signature = _openssl("dgst", "-sha256", "-sign", str(self.sa_key),
                             input=signing_input.encode())
        return f"{signing_input}.{_b64url(signature)}"

    def token_review(self, token: str, audiences: list[str] | None,
                     reviewer_token: str = REVIEWER_TOKEN) -> Response:
        """The API server's TokenReview of `token` for `audiences`, asked
        with `reviewer_token` as the bearer (as the server would ask)."""
        spec: dict = {"token": token}
        if audiences is not None:
            spec["audiences"] = audiences
        return self.request(
            "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
            {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
             "spec": spec}, token=reviewer_token)

    def token_reviews_served(self) -> int:
        """How many TokenReview requests the API server has answered, by
        its own apiserver_request_total metric (read with the admin token)."""
        text = self.get("/metrics").body["text"]
        return sum(int(float(m.group(1))) for m in re.finditer(
            r'^apiserver_request_total\{[^}]*resource="tokenreviews"[^}]*\} '
            r'(\S+)$', text, re.M))

    # OIDC federation (issue 19).

    def oidc_issuer(self, anonymous: bool = False) -> OidcIssuer:
        """The cluster's ServiceAccount issuer as an OIDC issuer on loopback.

        Needs Cluster(issuer_on_loopback=True), so that the tokens' `iss`
        is the URL the discovery document is served under. Creates the
        ServiceAccount `oidc-reader/reader` and mints its token (reader_token),
        which the default system:service-account-issuer-discovery binding
        (group system:serviceaccounts) lets read
        /.well-known/openid-configuration and /openid/v1/jwks; with
        `anonymous`, also binds that role to system:unauthenticated so a
        verifier without credentials can read them. May be called again
        (e.g. to add `anonymous`). Mint the tokens to verify
        with token(namespace, name, audience=...): their `iss` is `issuer`.
        """
        if not self._issuer_on_loopback:
            raise ValueError("oidc_issuer() needs "
                             "Cluster(issuer_on_loopback=True)")
        # Created on the first call, kept on the next ones (409 Conflict).
        self._must(self.request("POST", "/api/v1/namespaces", {
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "oidc-reader"}}), 201, 409)
        self._must(self.request(
            "POST", "/api/v1/namespaces/oidc-reader/serviceaccounts", {
                "apiVersion": "v1", "kind": "ServiceAccount",
                "metadata": {"name": "reader"}}), 201, 409)
        if anonymous:
            self.bind_cluster_role(
                "vut-anonymous-issuer-discovery",
                "system:service-account-issuer-discovery",
                {"kind": "Group", "name": "system:unauthenticated",
                 "apiGroup": "rbac.authorization.k8s.io"})
        return OidcIssuer(
            issuer=self.issuer,
            discovery_url=f"{self.issuer}/.well-known/openid-configuration",
            jwks_uri=f"{self.url}/openid/v1/jwks",
            ca_file=self.ca_file,
            reader_token=self.token("oidc-reader", "reader"))


def _terminate(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=REQUEST_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
