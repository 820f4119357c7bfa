#!/usr/bin/env python3
"""A fake of the Kubernetes API server's TokenReview, run as its own process.

It answers POST /apis/authentication.k8s.io/v1/tokenreviews the way a real
kube-apiserver does (shared/reference/kubernetes-identity.md): HTTP 201 for
every review, authenticated or not, with the real error strings in
status.error; the request's spec echoed back (token included); 403 with the
real Status body when the reviewer may not create tokenreviews; 401 for an
unknown reviewer bearer.

Tokens are unsigned JWTs minted by the tests; the fake "verifies" one by its
signature part, which must be base64url("valid-signature"), and reads its
claims: sub system:serviceaccount:<ns>:<name>, aud, exp, jti and the
kubernetes.io object (serviceaccount uid, pod name and uid).

Control API (JSON bodies) under /_fake/:
  POST /_fake/mode         {"mode": "normal" | "forbidden" | "unavailable" |
                            "throttled", "hold": bool}
  POST /_fake/delete_sa    {"namespace": ..., "name": ...}
  POST /_fake/delete_pod   {"uid": ...}
  POST /_fake/release      answers every held review
  GET  /_fake/reviews      {"reviews": n, "held": n}

Start:  python3 fake_token_review.py --port 0 --reviewer-token TOKEN
Once listening it prints "PORT <n>" to stdout. Standard library only.
"""

from __future__ import annotations

import argparse
import base64
import json
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REVIEW_PATH = "/apis/authentication.k8s.io/v1/tokenreviews"
VALID_SIGNATURE = "valid-signature"
FORBIDDEN_MESSAGE = (
    'tokenreviews.authentication.k8s.io is forbidden: User '
    '"system:serviceaccount:default:reviewer" cannot create resource '
    '"tokenreviews" in API group "authentication.k8s.io" at the cluster scope')


def b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class State:
    def __init__(self, reviewer_token: str) -> None:
        self.reviewer_token = reviewer_token
        self.lock = threading.Condition()
        self.mode = "normal"
        self.hold = False
        self.reviews = 0
        self.held = 0
        self.release_generation = 0
        self.deleted_sas: set[tuple[str, str]] = set()
        self.deleted_pods: set[str] = set()


def review_status(state: State, token: str, audiences: list[str]) -> dict:
    """The status of a TokenReview of `token` for `audiences`."""
    invalid = {"user": {}, "error": "invalid bearer token"}
    parts = token.split(".")
    if len(parts) != 3:
        return invalid
    try:
        claims = json.loads(b64decode(parts[1]))
        signature = b64decode(parts[2]).decode()
    except (ValueError, UnicodeDecodeError):
        return invalid
    if signature != VALID_SIGNATURE or not isinstance(claims, dict):
        return invalid
    token_aud = claims.get("aud", [])
    if isinstance(token_aud, str):
        token_aud = [token_aud]
    if audiences and not set(audiences) & set(token_aud):
        return {"user": {}, "error": (
            "[invalid bearer token, token audiences "
            + json.dumps(token_aud) + " is invalid for the target audiences "
            + json.dumps(audiences) + "]")}
    if claims.get("exp", 0) <= time.time():
        return {"user": {}, "error":
                "[invalid bearer token, service account token has expired]"}
    sub = claims.get("sub", "")
    prefix = "system:serviceaccount:"
    if not sub.startswith(prefix) or sub.count(":") != 3:
        return invalid
    namespace, name = sub[len(prefix):].split(":")
    k8s = claims.get("kubernetes.io", {})
    with state.lock:
        if (namespace, name) in state.deleted_sas:
            return {"user": {}, "error": (
                f'[invalid bearer token, serviceaccounts "{name}" not found]')}
        pod = k8s.get("pod")
        if pod and pod.get("uid") in state.deleted_pods:
            return {"user": {}, "error": (
                "[invalid bearer token, service account token has been "
                "invalidated]")}
    extra = {"authentication.kubernetes.io/credential-id":
             [f"JTI={claims.get('jti', '')}"]}
    if pod:
        extra["authentication.kubernetes.io/pod-name"] = [pod.get("name", "")]
        extra["authentication.kubernetes.io/pod-uid"] = [pod.get("uid", "")]
    return {
        "authenticated": True,
        "user": {
            "username": sub,
            "uid": k8s.get("serviceaccount", {}).get("uid", ""),
            "groups": ["system:serviceaccounts",
                       f"system:serviceaccounts:{namespace}",
                       "system:authenticated"],
            "extra": extra,
        },
        "audiences": audiences or token_aud,
    }


class Handler(BaseHTTPRequestHandler):
    server: "Server"

    def log_message(self, fmt: str, *args) -> None:  # never log bodies
        pass

    def reply(self, code: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def body(self) -> dict:
        length = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self) -> None:
        state = self.server.state
        if self.path == "/_fake/reviews":
            with state.lock:
                self.reply(200, {"reviews": state.reviews,
                                 "held": state.held})
            return
        self.reply(404, {"kind": "Status", "code": 404})

    def do_POST(self) -> None:
        state = self.server.state
        if self.path.startswith("/_fake/"):
            self.control(state)
            return
        if self.path != REVIEW_PATH:
            self.reply(404, {"kind": "Status", "code": 404})
            return
        request = self.body()
        with state.lock:
            state.reviews += 1
            if state.hold:
                state.held += 1
                generation = state.release_generation
                state.lock.notify_all()
                state.lock.wait_for(
                    lambda: state.release_generation != generation, 30)
                state.held -= 1
            mode = state.mode
        if self.headers.get("Authorization") != (
                f"Bearer {state.reviewer_token}"):
            self.reply(401, {"kind": "Status", "apiVersion": "v1",
                             "status": "Failure", "message": "Unauthorized",
                             "reason": "Unauthorized", "code": 401})
            return
        if mode == "forbidden":
            self.reply(403, {"kind": "Status", "apiVersion": "v1",
                             "status": "Failure",
                             "message": FORBIDDEN_MESSAGE,
                             "reason": "Forbidden", "code": 403})
            return
        if mode == "unavailable":
            self.reply(503, {"kind": "Status", "code": 503})
            return
        if mode == "throttled":
            self.reply(429, {"kind": "Status", "code": 429},
                       {"Retry-After": "3"})
            return
        spec = request.get("spec", {})
        status = review_status(state, spec.get("token", ""),
                               spec.get("audiences", []))
        self.reply(201, {"kind": "TokenReview",
                         "apiVersion": "authentication.k8s.io/v1",
                         "metadata": {"creationTimestamp": None},
                         "spec": spec, "status": status})

    def control(self, state: State) -> None:
        body = self.body()
        with state.lock:
            if self.path == "/_fake/mode":
                state.mode = body.get("mode", "normal")
                state.hold = bool(body.get("hold", False))
            elif self.path == "/_fake/delete_sa":
                state.deleted_sas.add((body["namespace"], body["name"]))
            elif self.path == "/_fake/delete_pod":
                state.deleted_pods.add(body["uid"])
            elif self.path == "/_fake/release":
                state.hold = False
                state.release_generation += 1
                state.lock.notify_all()
            else:
                self.reply(404, {})
                return
        self.reply(200, {})


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, state: State) -> None:
        super().__init__(address, Handler)
        self.state = state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--reviewer-token", required=True)
    args = parser.parse_args(argv)
    server = Server((args.host, args.port), State(args.reviewer_token))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
