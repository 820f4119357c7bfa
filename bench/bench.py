#!/usr/bin/env python3
"""The performance table of issue 9, in one run (see bench/README.md).

Starts nginx (standing in for api.vercel.com, answering at once over plain
HTTP/1.1 and over TLS with HTTP/2), the server, and h2load, all on loopback,
and prints one Markdown table: the server's own Health/Check (the ceiling of
the gRPC stack here), nginx asked directly, and GetAuthToken, ListAuthTokens
(a 3-token page) and CreateAuthToken through the server, at 1 and at 256
calls in flight; then 10,000 concurrent calls held by an upstream that
answers after 1 s; then GetAuthToken over HTTPS with HTTP/2 to nginx.

Each row runs for a fixed time. The server's peak RSS is reset before each
row (/proc/PID/clear_refs, when permitted) and read after it; the thread
count is the highest seen while the row ran. Calls are counted as OK only
when the server's metrics say so. Loopback only, bounded in time.
"""

import argparse
import base64
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVICE = "/vercel.authentication.v1.UserTokensService/"


def grpc_frame(message: bytes) -> bytes:
    """One uncompressed gRPC message: flag, 4-byte length, bytes."""
    return b"\x00" + len(message).to_bytes(4, "big") + message


def string_field(number: int, value: str) -> bytes:
    data = value.encode()
    return bytes([number << 3 | 2, len(data)]) + data


# method -> (path, serialized request)
CALLS = {
    "Health/Check": ("/grpc.health.v1.Health/Check", b""),
    "GetAuthToken": (SERVICE + "GetAuthToken", string_field(1, "current")),
    "ListAuthTokens": (SERVICE + "ListAuthTokens", b""),
    "CreateAuthToken": (SERVICE + "CreateAuthToken",
                        string_field(1, "team_bench") +
                        string_field(3, "bench")),
}


def parse_h2load(text: str) -> dict:
    """The figures of h2load's summary: calls/s, done and failed counts."""
    out = {}
    m = re.search(r"finished in [\d.]+\w*, ([\d.]+) req/s", text)
    if not m:
        raise ValueError("no 'finished in' line in h2load's output")
    out["rps"] = float(m.group(1))
    m = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, "
                  r"(\d+) succeeded, (\d+) failed, (\d+) errored", text)
    if not m:
        raise ValueError("no 'requests:' line in h2load's output")
    out["done"] = int(m.group(3))
    out["succeeded"] = int(m.group(4))
    out["failed"] = int(m.group(5)) + int(m.group(6))
    return out


def parse_request_log(text: str) -> list:
    """Latencies in microseconds from h2load --log-file (start, status, us)."""
    latencies = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[1] == "200":
            latencies.append(int(fields[2]))
    return latencies


def percentile(values: list, fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def parse_metric(text: str, name: str, labels: dict) -> float:
    """The value of one Prometheus sample whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        if not line.startswith(name + "{"):
            continue
        label_text, _, value = line.rpartition(" ")
        found = dict(re.findall(r'(\w+)="([^"]*)"', label_text))
        if all(found.get(k) == v for k, v in labels.items()):
            total += float(value)
    return total


def format_table(rows: list) -> str:
    header = ("| what | in flight | calls/s | mean | p99 | ratio to ceiling "
              "| server CPU per call | peak RSS | threads |\n"
              "|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for r in rows:
        ratio = "" if r.get("ratio") is None else f"{r['ratio']:.2f}"
        rss = "" if r.get("rss_kb") is None else f"{r['rss_kb'] / 1024:.0f} MiB"
        threads = "" if r.get("threads") is None else str(r["threads"])
        cpu = "" if r.get("cpu_us") is None else format_us(r["cpu_us"])
        lines.append(
            f"| {r['what']} | {r['in_flight']} | {r['rps']:,.0f} | "
            f"{format_us(r['mean_us'])} | {format_us(r['p99_us'])} | {ratio} | "
            f"{cpu} | {rss} | {threads} |")
    return header + "\n".join(lines)


def format_us(us: float) -> str:
    return f"{us / 1000:.2f} ms" if us >= 1000 else f"{us:.0f} µs"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid: int) -> dict:
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                out[key] = value.split()[0] if value.split() else ""
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """The CPU time (user + system) a process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15; fields[0] is field 3.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Sampler:
    """Watches a process's thread count while a row runs, and its CPU time
    from `warm_up` seconds in (when h2load starts counting) to the end."""

    def __init__(self, pid: int, warm_up: float = 0.0):
        self.pid = pid
        self.warm_up = warm_up
        self.max_threads = 0
        self.cpu_s = 0.0
        self._cpu_at_warm_up = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                f.write("5")  # Resets VmHWM, the peak RSS.
        except OSError:
            pass
        self._thread.start()
        return self

    def _run(self):
        started = time.monotonic()
        while not self._stop.is_set():
            if (self._cpu_at_warm_up is None and
                    time.monotonic() - started >= self.warm_up):
                self._cpu_at_warm_up = cpu_seconds(self.pid)
            threads = int(proc_status(self.pid).get("Threads", 0))
            self.max_threads = max(self.max_threads, threads)
            self._stop.wait(0.05)

    def __exit__(self, *unused):
        self._stop.set()
        self._thread.join()
        self.peak_rss_kb = int(proc_status(self.pid).get("VmHWM", 0))
        if self._cpu_at_warm_up is not None:
            self.cpu_s = cpu_seconds(self.pid) - self._cpu_at_warm_up


class Server:
    def __init__(self, binary, work, name, args, cpus):
        self.log_path = os.path.join(work, name + ".log")
        command = [binary, "--listen=127.0.0.1:0",
                   "--metrics_listen=127.0.0.1:0"] + args
        if cpus:
            command = ["taskset", "-c", cpus] + command
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(command, stderr=self.log,
                                        stdout=subprocess.DEVNULL)
        deadline = time.time() + 20
        self.address = self.metrics = None
        while time.time() < deadline and not (self.address and self.metrics):
            with open(self.log_path) as f:
                text = f.read()
            m = re.search(r'"msg":"listening","address":"([^"]+)"', text)
            self.address = m and m.group(1)
            m = re.search(r'"msg":"metrics listening","address":"([^"]+)"',
                          text)
            self.metrics = m and m.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        if not (self.address and self.metrics):
            raise RuntimeError(f"the server did not start: {self.log_path}")

    def ok_calls(self, method: str) -> float:
        with urllib.request.urlopen(f"http://{self.metrics}/metrics") as r:
            text = r.read().decode()
        return parse_metric(text, "vercel_tokens_grpc_calls_total",
                            {"method": method, "code": "OK"})

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.log.close()


def h2load(url, work, clients, streams, seconds=None, requests=None,
           body=None, h1=False, timeout=None, headers=()):
    log = os.path.join(work, "requests.tsv")
    command = ["h2load", "-c", str(clients), "-m", str(streams),
               "--log-file", log, url]
    if seconds is not None:
        command += ["-D", str(seconds), "--warm-up-time", "1"]
    if requests is not None:
        command += ["-n", str(requests)]
    if h1:
        command += ["--h1"]
    else:
        body_path = os.path.join(work, "body.bin")
        with open(body_path, "wb") as f:
            f.write(grpc_frame(body))
        command += ["-d", body_path, "-H", "content-type: application/grpc",
                    "-H", "te: trailers", "-H", "authorization: Bearer bench"]
        for header in headers:
            command += ["-H", header]
    text = subprocess.run(command, check=True, capture_output=True, text=True,
                          timeout=timeout).stdout
    figures = parse_h2load(text)
    with open(log) as f:
        latencies = parse_request_log(f.read())
    os.remove(log)
    figures["mean_us"] = statistics.fmean(latencies) if latencies else 0.0
    figures["p99_us"] = percentile(latencies, 0.99)
    return figures


def shape(in_flight: int):
    """h2load's connections x streams for `in_flight` calls."""
    if in_flight <= 32:
        return 1, in_flight
    return in_flight // 32, 32


def grpc_row(server, work, what, in_flight, seconds, headers=(), label=None):
    path, body = CALLS[what]
    clients, streams = shape(in_flight)
    before = 0.0 if what == "Health/Check" else server.ok_calls(what)
    with Sampler(server.process.pid, warm_up=1.0) as sampler:
        figures = h2load(f"http://{server.address}{path}", work, clients,
                         streams, seconds=seconds, body=body,
                         timeout=seconds + 60, headers=headers)
    if what != "Health/Check":
        ok = server.ok_calls(what) - before
        # h2load's warm-up calls are not in its 'done' count.
        if ok < figures["done"] or figures["failed"]:
            raise RuntimeError(f"{what}: {figures['done']} calls done, "
                               f"{ok:.0f} OK according to the server")
    cpu_us = sampler.cpu_s * 1e6 / figures["done"] if figures["done"] else 0
    return dict(what=label or what, in_flight=in_flight,
                rss_kb=sampler.peak_rss_kb,
                threads=sampler.max_threads, cpu_us=cpu_us, **figures)


def make_certificate(work):
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
         "1", "-subj", "/CN=127.0.0.1", "-addext",
         "subjectAltName=IP:127.0.0.1", "-keyout",
         os.path.join(work, "key.pem"), "-out",
         os.path.join(work, "cert.pem")],
        check=True, capture_output=True)


def established(port: int) -> int:
    out = subprocess.run(
        ["ss", "-Htn", "state", "established", f"dport = :{port}"],
        capture_output=True, text=True).stdout
    return len([line for line in out.splitlines() if line.strip()])


DEPLOYER = "spiffe://cluster.local/ns/billing/sa/deployer"
# What an Istio/Envoy sidecar forwards for a client certificate whose URI SAN
# is DEPLOYER (SANITIZE_SET: one element).
FORWARDED_CERT = (
    "By=spiffe://cluster.local/ns/vut/sa/vercel-user-tokens;Hash=" +
    "3f" * 32 + ';Subject="";URI=' + DEPLOYER)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def workload_token(size: int = 1024) -> str:
    """A projected ServiceAccount token of DEPLOYER, padded to about `size`
    characters (real ones are about 1 KB), that the fake TokenReview server
    accepts (its signature part says so) for an hour."""
    claims = {
        "iss": "https://kubernetes.default.svc.cluster.local",
        "sub": "system:serviceaccount:billing:deployer",
        "aud": ["vercel-user-tokens"], "exp": int(time.time()) + 3600,
        "iat": int(time.time()), "nbf": int(time.time()), "jti": "bench-1",
        "kubernetes.io": {
            "namespace": "billing",
            "serviceaccount": {"name": "deployer", "uid": "sa-uid-1"},
            "pod": {"name": "api-1", "uid": "pod-uid-1"}},
    }
    header = b64url(json.dumps({"alg": "RS256", "kid": "bench"}).encode())
    signature = b64url(b"valid-signature")
    unpadded = len(header) + len(b64url(json.dumps(claims).encode())) + 2 + \
        len(signature)
    claims["padding"] = "x" * max(0, (size - unpadded) * 3 // 4 - 14)
    return ".".join([header, b64url(json.dumps(claims).encode()), signature])


def identity_run(args, work, children, port):
    """GetAuthToken with a forwarded client certificate against the same call
    with a cached workload token, on one server that accepts both and whose
    policy admits only that caller (an anonymous call would fail)."""
    fake = subprocess.Popen(
        [sys.executable,
         os.path.join(ROOT, "tests/fake_kubernetes/fake_token_review.py"),
         "--port", "0", "--reviewer-token", "bench-reviewer"],
        stdout=subprocess.PIPE, text=True)
    children.append(fake)
    fake_port = int(fake.stdout.readline().split()[1])
    reviewer = os.path.join(work, "reviewer-token")
    with open(reviewer, "w") as f:
        f.write("bench-reviewer")
    policy = os.path.join(work, "policy.json")
    with open(policy, "w") as f:
        json.dump({"rules": [{"callers": [DEPLOYER],
                              "allowed_rpcs": ["GetAuthToken"]}]}, f)
    server = Server(args.server, work, "server-identity",
                    [f"--vercel_api_base_url=http://127.0.0.1:{port}",
                     "--trust_forwarded_client_cert",
                     "--kubernetes_token_review",
                     f"--kubernetes_api_url=http://127.0.0.1:{fake_port}",
                     f"--kubernetes_token_file={reviewer}",
                     f"--policy_file={policy}"], args.server_cpus)
    children.append(server.process)
    token = workload_token()
    sources = (
        ("forwarded cert", f"x-forwarded-client-cert: {FORWARDED_CERT}"),
        ("workload token", f"x-workload-token: {token}"))
    rows = []
    for in_flight in (1, 256):
        for _ in range(args.identity_runs):
            for label, header in sources:
                rows.append(grpc_row(server, work, "GetAuthToken", in_flight,
                                     args.seconds, headers=[header],
                                     label=f"GetAuthToken, {label}"))
    with urllib.request.urlopen(
            f"http://127.0.0.1:{fake_port}/_fake/reviews") as r:
        reviews = json.load(r)["reviews"]
    server.stop()
    children.remove(server.process)
    print(f"\nIdentity cost: x-forwarded-client-cert "
          f"{len(FORWARDED_CERT)} bytes, x-workload-token {len(token)} bytes "
          f"({reviews} TokenReview(s) for "
          f"{sum(r['done'] for r in rows if 'workload' in r['what']):,} "
          f"workload-token calls)\n")
    print(format_table(rows))
    sys.stdout.flush()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.path.join(
        ROOT, "build/server/vercel-tokens-server"))
    parser.add_argument("--seconds", type=int, default=5,
                        help="duration of each row, after 1 s of warm-up")
    parser.add_argument("--server_cpus", default="",
                        help="taskset CPU list for the server, e.g. 0")
    parser.add_argument("--skip_memory", action="store_true")
    parser.add_argument("--only", default="",
                        help="comma-separated methods to run, for profiling")
    parser.add_argument("--identity_only", action="store_true",
                        help="run only the identity-cost rows")
    parser.add_argument("--identity_runs", type=int, default=1,
                        help="alternations of the two identity-cost rows")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="vut-bench-")
    children = []
    try:
        port, tls_port = free_port(), free_port()
        make_certificate(work)
        with open(os.path.join(ROOT, "bench/nginx.conf.in")) as f:
            conf = (f.read().replace("@DIR@", work)
                    .replace("@TLS_PORT@", str(tls_port))
                    .replace("@PORT@", str(port)))
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write(conf)
        nginx = subprocess.Popen(
            ["nginx", "-c", os.path.join(work, "nginx.conf"), "-p", work],
            stderr=subprocess.DEVNULL)
        children.append(nginx)
        if args.identity_only:
            identity_run(args, work, children, port)
            return
        server = Server(args.server, work, "server",
                        [f"--vercel_api_base_url=http://127.0.0.1:{port}"],
                        args.server_cpus)
        children.append(server.process)

        rows = []
        wanted = [m for m in args.only.split(",") if m]
        for in_flight in (1, 256):
            for what in ("Health/Check", "nginx direct", "GetAuthToken",
                         "ListAuthTokens", "CreateAuthToken"):
                if wanted and what not in wanted:
                    continue
                if what == "nginx direct":
                    clients, _ = (1, 1) if in_flight == 1 else (in_flight, 1)
                    figures = h2load(
                        f"http://127.0.0.1:{port}/v5/user/tokens/current",
                        work, clients, 1, seconds=args.seconds, h1=True,
                        timeout=args.seconds + 60)
                    rows.append(dict(what=what, in_flight=in_flight,
                                     **figures))
                else:
                    rows.append(grpc_row(server, work, what, in_flight,
                                         args.seconds))
        if not wanted or "GetAuthToken" in wanted:
            rows.append(grpc_row(server, work, "GetAuthToken", 128,
                                 args.seconds))
        ceiling = {r["in_flight"]: r["rps"] for r in rows
                   if r["what"] == "Health/Check"}
        for r in rows:
            if (r["in_flight"] in ceiling and
                    r["what"] not in ("Health/Check", "nginx direct")):
                r["ratio"] = r["rps"] / ceiling[r["in_flight"]]
        server.stop()
        children.remove(server.process)

        print(format_table(rows))
        sys.stdout.flush()

        tls = Server(args.server, work, "server-tls",
                     [f"--vercel_api_base_url=https://127.0.0.1:{tls_port}",
                      f"--vercel_ca_file={os.path.join(work, 'cert.pem')}"],
                     args.server_cpus)
        children.append(tls.process)
        row = grpc_row(tls, work, "GetAuthToken", 256, args.seconds)
        connections = established(tls_port)
        tls.stop()
        children.remove(tls.process)
        print(f"\nGetAuthToken over HTTPS + HTTP/2 (ALPN) to nginx, 256 in "
              f"flight: {row['rps']:,.0f} calls/s, mean "
              f"{format_us(row['mean_us'])}, p99 {format_us(row['p99_us'])}, "
              f"{connections} upstream connection(s) open afterwards")
        sys.stdout.flush()

        identity_run(args, work, children, port)
        if not args.skip_memory:
            memory_run(args, work, children)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        shutil.rmtree(work, ignore_errors=True)


def memory_run(args, work, children):
    """10,000 concurrent GetAuthToken calls on an upstream answering in 1 s."""
    calls = 10000
    port = free_port()
    slow = subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "bench/slow_upstream.py"),
         "--port", str(port), "--delay", "1"], stdout=subprocess.PIPE)
    children.append(slow)
    slow.stdout.readline()  # "ready"
    server = Server(args.server, work, "server-memory",
                    [f"--vercel_api_base_url=http://127.0.0.1:{port}",
                     "--max_upstream_connections=0",
                     f"--max_in_flight={calls}"], args.server_cpus)
    children.append(server.process)
    path, body = CALLS["GetAuthToken"]
    idle_threads = int(proc_status(server.process.pid).get("Threads", 0))
    with Sampler(server.process.pid) as sampler:
        started = time.time()
        h2load(f"http://{server.address}{path}", work, 100, 100,
               requests=calls, body=body, timeout=120)
        elapsed = time.time() - started
    ok = server.ok_calls("GetAuthToken")
    server.stop()
    children.remove(server.process)
    print(f"\n{calls:,} concurrent GetAuthToken calls, upstream answering "
          f"after 1 s: {ok:,.0f} OK in {elapsed:.1f} s, peak RSS "
          f"{sampler.peak_rss_kb / 1024:.0f} MiB, threads {sampler.max_threads}"
          f" (idle: {idle_threads})")


if __name__ == "__main__":
    main()
