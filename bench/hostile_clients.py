#!/usr/bin/python3
"""Runs each hostile-client attack against a real server on loopback and
prints the server's peak RSS, as a Markdown table.

    bench/hostile_clients.py [--after BIN] [--before BIN]

--after defaults to build/server/vercel-tokens-server; --before (e.g. the
binary of an older build) adds a column. Each attack gets a fresh server
with its default flags, so the peak RSS (VmHWM) is that attack's alone.
Every attack is bounded in count and time (a few minutes in all); the
attacks themselves are in tests/attacks/h2_attacks.py. Needs Debian's
python3-h2 (scripts/install-deps.sh installs it).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "attacks"))
import h2_attacks as attacks  # noqa: E402

WAIT_SECONDS = 15
HOLD_SECONDS = 3


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
    ("20,000 header-only streams, 100 on each of 200 connections",
     lambda a: streams_outcome(attacks.header_only_streams(
         a, 200, 20000, HOLD_SECONDS))),
    ("6,000 idle connections",
     lambda a: "{opened} opened, {closed_by_server} closed by the server"
     .format(**attacks.idle_connections(a, 6000, HOLD_SECONDS))),
    ("a stream whose message never comes",
     lambda a: ended(attacks.message_never_sent(a, WAIT_SECONDS))),
    ("a connection that never sends the HTTP/2 preface",
     lambda a: ended(attacks.silent_connection(a, WAIT_SECONDS))),
]


def run(binary, attack):
    with attacks.Server(binary) as server:
        baseline = server.rss_mib()
        outcome = attack(server.address)
        peak = server.peak_rss_mib()
        alive = server.alive()
    return (f"{baseline:.0f} → {peak:.0f} MiB"
            f"{'' if alive else ' (died)'}: {outcome}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--after", default="build/server/vercel-tokens-server")
    parser.add_argument("--before")
    args = parser.parse_args()
    attacks.raise_fd_limit()
    columns = [("before", args.before)] if args.before else []
    columns.append(("after", args.after))
    print("| attack | " + " | ".join(
        f"{name}: RSS at start → peak; what the client saw"
        for name, _ in columns) + " |")
    print("|---" * (len(columns) + 1) + "|")
    for title, attack in ATTACKS:
        cells = [run(binary, attack) for _, binary in columns]
        print(f"| {title} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
