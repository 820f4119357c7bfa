#!/usr/bin/python3
"""CreateAuthToken with a request_id: the memory store next to Redis.

Starts nginx (bench/nginx.conf.in, answering the create at once), a
redis-server on loopback and one server per store mode, then sends
CreateAuthToken calls, each with a fresh request_id (so that every call is a
first call: the store's claim and record, not a replay), at 1 and at 64 in
flight on one HTTP/2 connection, for --seconds each. h2load cannot vary the
body, so the client is a small python3-h2 loop: its own speed bounds the
calls/s, which is why the columns that matter are the server's: CPU time per
call (user + system from /proc, over the row) and the store's commands per
call (vercel_tokens_idempotency_store_commands_total, one round trip each).

    bench/idempotency_bench.py [--seconds N] [--server BINARY]

Loopback only, bounded in time; no test asserts its figures.
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

import h2.config
import h2.connection
import h2.events

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (the shared helpers: nginx, Server, metrics)

KEYS = "k1 " + "ab" * 32 + "\n"


def create_body(request_id: str) -> bytes:
    """CreateAuthTokenRequest{name: "bench", team_id: "team_bench",
    request_id: request_id}, gRPC-framed."""
    message = (bench.string_field(1, "team_bench") +
               bench.string_field(3, "bench") +
               bench.string_field(9, request_id))
    return bench.grpc_frame(message)


def run_calls(address: str, in_flight: int, seconds: float) -> int:
    """Keeps `in_flight` creates open on one connection for `seconds`;
    returns how many finished with grpc-status 0."""
    host, port = address.rsplit(":", 1)
    sock = socket.create_connection((host, int(port)))
    conn = h2.connection.H2Connection(
        h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
    conn.initiate_connection()
    conn.increment_flow_control_window(1 << 30)
    sock.sendall(conn.data_to_send())
    path = bench.SERVICE + "CreateAuthToken"
    open_streams, ok = set(), 0
    deadline = time.time() + seconds

    def start():
        stream = conn.get_next_available_stream_id()
        conn.send_headers(stream, [
            (":method", "POST"), (":scheme", "http"), (":path", path),
            (":authority", address), ("content-type", "application/grpc"),
            ("te", "trailers"), ("authorization", "Bearer bench")])
        conn.send_data(stream, create_body(str(uuid.uuid4())),
                       end_stream=True)
        open_streams.add(stream)

    while time.time() < deadline or open_streams:
        while time.time() < deadline and len(open_streams) < in_flight:
            start()
        sock.sendall(conn.data_to_send())
        data = sock.recv(65536)
        if not data:
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.DataReceived):
                conn.acknowledge_received_data(
                    event.flow_controlled_length, event.stream_id)
            elif isinstance(event, h2.events.TrailersReceived):
                if dict(event.headers).get("grpc-status") == "0":
                    ok += 1
            elif isinstance(event, h2.events.StreamEnded):
                open_streams.discard(event.stream_id)
    sock.close()
    return ok


def metric(server, name) -> float:
    """The value of the unlabelled sample `name`."""
    with urllib.request.urlopen(f"http://{server.metrics}/metrics") as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return 0.0


def row(server, store, in_flight, seconds):
    run_calls(server.address, in_flight, 1.0)  # warm-up
    cpu_before = bench.cpu_seconds(server.process.pid)
    commands_before = metric(server,
                             "vercel_tokens_idempotency_store_commands_total")
    started = time.time()
    calls = run_calls(server.address, in_flight, seconds)
    elapsed = time.time() - started
    cpu = bench.cpu_seconds(server.process.pid) - cpu_before
    commands = metric(server,
                      "vercel_tokens_idempotency_store_commands_total") - \
        commands_before
    return (f"| CreateAuthToken + request_id | {store} | {in_flight} | "
            f"{calls / elapsed:,.0f} | {cpu * 1e6 / max(calls, 1):,.0f} | "
            f"{commands / max(calls, 1):.2f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.path.join(
        bench.ROOT, "build/server/vercel-tokens-server"))
    parser.add_argument("--seconds", type=float, default=5)
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="vut-idem-bench-")
    children = []
    try:
        port, tls_port, redis_port = (bench.free_port(), bench.free_port(),
                                      bench.free_port())
        bench.make_certificate(work)
        with open(os.path.join(bench.ROOT, "bench/nginx.conf.in")) as f:
            conf = (f.read().replace("@DIR@", work)
                    .replace("@TLS_PORT@", str(tls_port))
                    .replace("@PORT@", str(port)))
        with open(os.path.join(work, "nginx.conf"), "w") as f:
            f.write(conf)
        children.append(subprocess.Popen(
            ["nginx", "-c", os.path.join(work, "nginx.conf"), "-p", work],
            stderr=subprocess.DEVNULL))
        children.append(subprocess.Popen(
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL))
        keys = os.path.join(work, "keys")
        with open(keys, "w") as f:
            f.write(KEYS)
        for _ in range(200):  # Ready when it answers PING.
            ping = subprocess.run(["redis-cli", "-p", str(redis_port), "PING"],
                                  capture_output=True, text=True)
            if ping.stdout.strip() == "PONG":
                break
            time.sleep(0.05)
        upstream = [f"--vercel_api_base_url=http://127.0.0.1:{port}"]
        stores = {
            "memory": [],
            "redis": [f"--idempotency_store=redis://127.0.0.1:{redis_port}",
                      f"--idempotency_store_key_file={keys}"],
        }
        print("| call | store | in flight | calls/s (client-bound) | "
              "server CPU µs/call | store commands/call |")
        print("|---|---|---|---|---|---|")
        for in_flight in (1, 64):
            for store, flags in stores.items():
                server = bench.Server(args.server, work, f"server-{store}",
                                      upstream + flags, "")
                children.append(server.process)
                print(row(server, store, in_flight, args.seconds))
                sys.stdout.flush()
                server.stop()
                children.remove(server.process)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
