#!/usr/bin/env python3
"""What --max_concurrent_streams does to a client that sends every call on
one channel, measured against the project's fake Vercel made slow.

    tools/python-stubs/bin/python bench/streams_per_connection.py \\
        [--server build/server/vercel-tokens-server] [--gets 500] \\
        [--runs 1] [--memory]

Each scenario starts the fake (tests/fake_vercel/fake_vercel.py) with
`delay_ms` 5000 on GET /v5/user/tokens/{id}, a fresh server, sends the Gets
(15 s deadlines) on one channel, and 2 s later an EmailLogin, a
CreateAuthToken and a ListAuthTokens, one after the other, either on the
same channel or on a channel with a connection of its own. It prints, for
each of the three, when it reached the fake (seconds after it was sent) and
its latency, and how the Gets ended. --memory adds the server's RSS with
100 and with 1000 calls held on one connection. Needs grpcio (the
tools/python-stubs venv that scripts/install-deps.sh makes has it).
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

import grpc

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "client", "python", "src"))
from vercel.authentication.v1 import user_tokens_pb2 as pb  # noqa: E402
from vercel.authentication.v1 import user_tokens_pb2_grpc as rpc  # noqa: E402

SECRET = "secret-streams-bench"
TOKEN_ID = "tok_slow"
SLOW_MS = 5000
GET_DEADLINE_S = 15
OTHERS_AFTER_S = 2
OTHERS_DEADLINE_S = 30
_LISTENING = re.compile(r'"msg":"listening".*"address":"([^"]+)"')


class Fake:
    """tests/fake_vercel/fake_vercel.py on 127.0.0.1:0."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "fake_vercel",
                                          "fake_vercel.py"), "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        self.url = "http://127.0.0.1:" + line.split()[1]
        self.control("reset", {"tokens": [
            {"name": "slow", "bearerToken": SECRET, "id": TOKEN_ID}]})

    def control(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            f"{self.url}/_fake/{path}", data=data,
            method="GET" if body is None else "POST",
            headers={"Content-Type": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=60) as response:
            return json.loads(response.read())

    def slow_gets(self, count):
        self.control("faults", {"method": "GET",
                                "path": f"/v5/user/tokens/{TOKEN_ID}",
                                "delay_ms": SLOW_MS, "times": count})

    def stop(self):
        self.process.kill()
        self.process.wait()


class Server:
    """The server on 127.0.0.1:0 against `fake`, with `flags`."""

    def __init__(self, binary, fake, flags=()):
        self.process = subprocess.Popen(
            [binary, "--listen=127.0.0.1:0",
             "--vercel_api_base_url=" + fake.url,
             "--upstream_probe_interval=0"] +
            list(flags),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self.address = None
        for line in self.process.stderr:
            match = _LISTENING.search(line)
            if match:
                self.address = match.group(1)
                break
        if self.address is None:
            raise RuntimeError("the server did not start")
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self):
        for _ in self.process.stderr:
            pass

    def rss_mib(self):
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def stop(self):
        self.process.kill()
        self.process.wait()


def channel(address, own_connection):
    # Channels to one target share their connection unless told otherwise.
    options = [("grpc.use_local_subchannel_pool", 1)] if own_connection else []
    return grpc.insecure_channel(address, options=options)


METADATA = (("authorization", "Bearer " + SECRET),)


def send_gets(stub, count, deadline_s):
    return [stub.GetAuthToken.future(pb.GetAuthTokenRequest(token_id=TOKEN_ID),
                                     timeout=deadline_s, metadata=METADATA)
            for _ in range(count)]


def others(stub):
    """The three other calls, sent at once: [(name, sent, ended, code)]."""
    calls = [
        ("EmailLogin", stub.EmailLogin,
         pb.EmailLoginRequest(email="someone@example.com")),
        ("CreateAuthToken", stub.CreateAuthToken,
         pb.CreateAuthTokenRequest(name="streams")),
        ("ListAuthTokens", stub.ListAuthTokens, pb.ListAuthTokensRequest()),
    ]
    ended = {}

    def on_done(name):
        return lambda _: ended.setdefault(name, time.time())

    sent = time.time()
    futures = []
    for name, method, request in calls:
        future = method.future(request, timeout=OTHERS_DEADLINE_S,
                               metadata=METADATA)
        future.add_done_callback(on_done(name))
        futures.append((name, future))
    out = []
    for name, future in futures:
        try:
            future.result()
            code = "OK"
        except grpc.RpcError as error:
            code = error.code().name
        out.append((name, sent, ended[name], code))
    return out


def scenario(binary, label, gets, own_channel, flags):
    fake = Fake()
    fake.slow_gets(gets)
    server = Server(binary, fake, flags)
    try:
        get_channel = channel(server.address, own_connection=True)
        grpc.channel_ready_future(get_channel).result(timeout=10)
        stub = rpc.UserTokensServiceStub(get_channel)
        started = time.time()
        futures = send_gets(stub, gets, GET_DEADLINE_S)
        time.sleep(OTHERS_AFTER_S)
        if own_channel:
            other_channel = channel(server.address, own_connection=True)
            other_stub = rpc.UserTokensServiceStub(other_channel)
        else:
            other_stub = stub
        results = others(other_stub)
        outcomes = collections.Counter()
        for future in futures:
            try:
                future.result()
                outcomes["OK"] += 1
            except grpc.RpcError as error:
                outcomes[error.code().name] += 1
        records = fake.control("requests")["requests"]
    finally:
        server.stop()
        fake.stop()
    print(f"\n## {label}: {gets} GetAuthToken, flags {' '.join(flags) or '-'}")
    print(f"Gets: {dict(outcomes)}; "
          f"{sum(r['path'].endswith(TOKEN_ID) for r in records)} reached "
          f"the fake")
    paths = {"EmailLogin": "/registration",
             "CreateAuthToken": "/v3/user/tokens",
             "ListAuthTokens": "/v6/user/tokens"}
    for name, sent, ended, code in results:
        arrivals = [r["received_ms"] / 1000 for r in records
                    if r["path"] == paths[name]]
        reached = (f"reached the fake after {(arrivals[0] - sent) * 1000:.0f}"
                   f" ms" if arrivals else "never reached the fake")
        print(f"{name}: sent {sent - started:.1f} s after the first Get, "
              f"{reached}, latency {(ended - sent) * 1000:.0f} ms, {code}")


def memory(binary, held):
    """Server RSS (MiB) idle, then with `held` calls held on one
    connection."""
    fake = Fake()
    # 48 reach the fake (three quarters of 64 upstream connections) and
    # are held there; the rest wait in the server's GET queue.
    fake.control("faults", {"method": "GET",
                            "path": f"/v5/user/tokens/{TOKEN_ID}",
                            "hold": True, "times": 48})
    server = Server(binary, fake, [f"--max_concurrent_streams={held}"])
    try:
        held_channel = channel(server.address, own_connection=True)
        grpc.channel_ready_future(held_channel).result(timeout=10)
        idle = server.rss_mib()
        futures = send_gets(rpc.UserTokensServiceStub(held_channel), held, 60)
        fake.control("wait_held?count=48&timeout_ms=30000")
        # Let every call arrive.
        time.sleep(3)
        during = server.rss_mib()
        fake.control("release", {})
        for future in futures:
            try:
                future.result()
            except grpc.RpcError:
                pass
    finally:
        server.stop()
        fake.stop()
    print(f"{held} calls held on one connection (--max_concurrent_streams="
          f"{held}): RSS idle {idle:.1f} MiB, held {during:.1f} MiB, "
          f"{(during - idle) * 1024 / held:.1f} KiB a call")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.path.join(
        ROOT, "build", "server", "vercel-tokens-server"))
    parser.add_argument("--gets", type=int, default=500)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--memory", action="store_true")
    parser.add_argument("--memory_only", action="store_true")
    args = parser.parse_args()
    for run in range(args.runs):
        print(f"\n# run {run + 1}")
        if args.memory_only:
            memory(args.server, 100)
            memory(args.server, 1000)
            continue
        scenario(args.server, "same channel", args.gets, False, [])
        scenario(args.server, "EmailLogin etc. on a channel of their own",
                 args.gets, True, [])
        scenario(args.server, "same channel, 1000 streams", args.gets, False,
                 ["--max_concurrent_streams=1000"])
        if args.memory:
            memory(args.server, 100)
            memory(args.server, 1000)


if __name__ == "__main__":
    main()
