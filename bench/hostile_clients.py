#!/usr/bin/python3
"""Runs each hostile-client attack against a real server on loopback and
prints the server's RSS before, during (peak) and after it, as a Markdown
table.

    bench/hostile_clients.py [--after BIN] [--before BIN] [--front_proxy]
    bench/hostile_clients.py --tls [--after BIN]

--after defaults to build/server/vercel-tokens-server; --before (e.g. the
binary of an older build) adds a column; --front_proxy adds a column where
the attacks go through helm/vercel-user-tokens/files/front-proxy.conf.in
in front of the --after server. --tls compares the --after server's own
mutual-TLS listener with the front proxy terminating mutual TLS in front of
it (RSS of the server and nginx together), under the attacks over TLS by a
client with a valid certificate. Each attack gets a fresh server with its default flags, so
the peak RSS (VmHWM) is that attack's alone; "after" is the RSS once it has
come within 32 MiB of the start, or 10 s after the attack ended.
Every attack is bounded in count and time (a few minutes in all); the
attacks themselves are in tests/attacks/h2_attacks.py. Needs Debian's
python3-h2 (scripts/install-deps.sh installs it).
"""

import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "attacks"))
import h2_attacks as attacks  # noqa: E402

WAIT_SECONDS = 15
HOLD_SECONDS = 3
AFTER_SECONDS = 10
RETURNED_MIB = 32
TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "helm", "vercel-user-tokens", "files",
                        "front-proxy.conf.in")


def ended(seconds):
    if seconds is None:
        return f"still open after {WAIT_SECONDS} s"
    return f"ended after {seconds:.1f} s"


def streams_outcome(result):
    return (f"{result['opened']} sent, {result['refused']} refused, "
            f"{result['connections_closed']} connections closed")


ATTACKS = [
    ("one gzip request inflating to 256 MiB (254 KiB sent)",
     lambda a: ", ".join(attacks.compressed_bombs(a, 1))),
    ("four such requests at once",
     lambda a: ", ".join(sorted(set(attacks.compressed_bombs(a, 4))))),
    ("one uncompressed 64 MiB request",
     lambda a: attacks.oversized_message(a, 64 << 20)),
    ("20,000 header-only streams on one connection",
     lambda a: streams_outcome(attacks.header_only_streams(
         a, 1, 20000, HOLD_SECONDS))),
    ("100,000 header-only streams over four connections",
     lambda a: streams_outcome(attacks.header_only_streams(
         a, 4, 100000, HOLD_SECONDS))),
    ("20,000 header-only streams on one connection, SETTINGS never "
     "acknowledged",
     lambda a: streams_outcome(attacks.header_only_streams(
         a, 1, 20000, HOLD_SECONDS, ack_settings=False))),
    ("20,000 header-only streams, 100 on each of 200 connections",
     lambda a: streams_outcome(attacks.header_only_streams(
         a, 200, 20000, HOLD_SECONDS))),
    ("20 connections x 2,000 streams reset right after their HEADERS",
     lambda a: "{sent} sent, {connections_closed} connections closed"
     .format(**attacks.rapid_resets(a, 20, 2000))),
    ("100 connections x 100 Health/Check calls whose answers the client "
     "never reads (receive window 0)",
     lambda a: "{sent} sent, {ended} ended, {connections_closed} "
     "connections closed".format(**attacks.unread_answers(
         a, 100, 100, HOLD_SECONDS))),
    ("6,000 idle connections",
     lambda a: "{opened} opened, {closed_by_server} closed by the server"
     .format(**attacks.idle_connections(a, 6000, HOLD_SECONDS))),
    ("a stream whose message never comes",
     lambda a: ended(attacks.message_never_sent(a, WAIT_SECONDS))),
    ("a connection that never sends the HTTP/2 preface",
     lambda a: ended(attacks.silent_connection(a, WAIT_SECONDS))),
]


TLS_ATTACKS = [
    ("20,000 header-only streams on one TLS connection, SETTINGS never "
     "acknowledged",
     lambda a, tls: streams_outcome(attacks.header_only_streams(
         a, 1, 20000, HOLD_SECONDS, ack_settings=False, tls=tls))),
    ("20,000 header-only streams, 100 on each of 200 TLS connections, "
     "SETTINGS never acknowledged",
     lambda a, tls: streams_outcome(attacks.header_only_streams(
         a, 200, 20000, HOLD_SECONDS, ack_settings=False, tls=tls))),
    ("20 TLS connections x 2,000 streams reset right after their HEADERS",
     lambda a, tls: "{sent} sent, {connections_closed} connections closed"
     .format(**attacks.rapid_resets(a, 20, 2000, tls=tls))),
    ("800 idle TLS connections",
     lambda a, tls: "{opened} opened, {closed_by_server} closed by the "
     "server".format(**attacks.idle_connections(a, 800, HOLD_SECONDS,
                                                tls=tls))),
]


def run_tls(binary, attack, front_proxy):
    """`attack` over mutual TLS, straight to the server's own listener or
    through the front proxy in its "mtls" mode; RSS of both together."""
    with tempfile.TemporaryDirectory() as work:
        pki = attacks.Pki(work)
        ca = pki.ca("ca")
        cert, key = pki.server("server", "ca")
        client, client_key = pki.client(
            "client", "ca", "spiffe://cluster.local/ns/bench/sa/client")
        tls = attacks.tls_context(ca, client, client_key)
        flags = (["--trust_forwarded_client_cert"] if front_proxy else
                 ["--tls_cert_file=" + cert, "--tls_key_file=" + key,
                  "--tls_client_ca_file=" + ca])
        with attacks.Server(binary, flags) as server:
            proxy = None
            address = server.address
            if front_proxy:
                run_dir = os.path.join(work, "run")
                os.mkdir(run_dir)
                proxy = attacks.FrontProxy(TEMPLATE, server.address, run_dir,
                                           mode="mtls", tls_cert=cert,
                                           tls_key=key, client_ca=ca)
                address = proxy.address
            attacks.health_check(address, timeout=20, tls=tls)

            def rss():
                return server.rss_mib() + (proxy.rss_mib() if proxy else 0)

            try:
                baseline = rss()
                outcome = attack(address, tls)
                peak = server.peak_rss_mib() + (
                    proxy.peak_rss_mib() if proxy else 0)
                ended = time.monotonic()
                after = rss()
                while (after - baseline > RETURNED_MIB and
                       time.monotonic() - ended < AFTER_SECONDS and
                       server.alive()):
                    time.sleep(0.2)
                    after = rss()
                took = time.monotonic() - ended
                alive = server.alive()
            finally:
                if proxy is not None:
                    proxy.stop()
    return (f"{baseline:.0f} → {peak:.0f} → {after:.0f} MiB ({took:.0f} s)"
            f"{'' if alive else ' (died)'}: {outcome}")


def main_tls(binary):
    print("| attack over mutual TLS | in-process mTLS listener: server RSS "
          "at start → peak → after (how long after); what the client saw | "
          "front proxy with mTLS: server + nginx RSS, the same |")
    print("|---|---|---|")
    for title, attack in TLS_ATTACKS:
        cells = [run_tls(binary, attack, proxy) for proxy in (False, True)]
        print(f"| {title} | " + " | ".join(cells) + " |", flush=True)


def run(binary, attack, front_proxy=False):
    with attacks.Server(binary) as server, \
            tempfile.TemporaryDirectory() as work:
        proxy = None
        address = server.address
        if front_proxy:
            proxy = attacks.FrontProxy(TEMPLATE, server.address, work)
            attacks.health_check(proxy.address, timeout=20)
            address = proxy.address
        try:
            baseline = server.rss_mib()
            outcome = attack(address)
            peak = server.peak_rss_mib()
            ended = time.monotonic()
            after = server.rss_mib()
            while (after - baseline > RETURNED_MIB and
                   time.monotonic() - ended < AFTER_SECONDS and
                   server.alive()):
                time.sleep(0.2)
                after = server.rss_mib()
            took = time.monotonic() - ended
            alive = server.alive()
        finally:
            if proxy is not None:
                proxy.stop()
    return (f"{baseline:.0f} → {peak:.0f} → {after:.0f} MiB ({took:.0f} s)"
            f"{'' if alive else ' (died)'}: {outcome}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--after", default="build/server/vercel-tokens-server")
    parser.add_argument("--before")
    parser.add_argument("--front_proxy", action="store_true")
    parser.add_argument("--tls", action="store_true")
    args = parser.parse_args()
    attacks.raise_fd_limit()
    if args.tls:
        main_tls(args.after)
        return
    columns = [("before", args.before, False)] if args.before else []
    columns.append(("after", args.after, False))
    if args.front_proxy:
        columns.append(("after, through the front proxy", args.after, True))
    print("| attack | " + " | ".join(
        f"{name}: server RSS at start → peak → after (how long after); "
        "what the client saw"
        for name, _, _ in columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for title, attack in ATTACKS:
        cells = [run(binary, attack, proxy)
                 for _, binary, proxy in columns]
        print(f"| {title} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
