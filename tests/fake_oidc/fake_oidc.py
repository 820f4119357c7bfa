#!/usr/bin/env python3
"""A fake OpenID Connect issuer for the federation tests.

Serves, over HTTPS on loopback, a discovery document at
`/.well-known/openid-configuration` (its `issuer` is this server's own origin
unless the test says otherwise, its `jwks_uri` `<origin>/jwks`) and the key
set the test gave it at `/jwks`. The tests generate the keys and sign the
tokens themselves; this process never sees a private key.

Control (any method not listed answers 404):
  PUT  /_fake/jwks    body: the JWKS JSON to serve from now on
  PUT  /_fake/state   {"down": bool, "discovery_issuer": str|null}: while
                      down, discovery and JWKS answer 503
  GET  /_fake/counts  {"discovery": n, "jwks": n}: requests answered or
                      refused so far
  PUT  /_fake/actions {"request_token": str, "token": str}: what GitHub
                      Actions' token request endpoint answers (below)
  GET  /_fake/actions_audience  {"audience": str|null}: the audience the
                      last token request asked for

A stand-in for GitHub Actions' token request URL:
  GET  /_actions/token?...&audience=A  with `Authorization: bearer
                      <request_token>` answers {"value": token}; 401 with
                      any other authorization.

Prints `PORT <n>` once listening. Standard library only.
"""

import argparse
import http.server
import json
import ssl
import sys
import threading
import urllib.parse


class State:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jwks = b'{"keys":[]}'
        self.down = False
        self.discovery_issuer: str | None = None
        self.counts = {"discovery": 0, "jwks": 0}
        self.actions_request_token: str | None = None
        self.actions_token = ""
        self.actions_audience: str | None = None


def make_handler(state: State, origin_holder: list[str]):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args) -> None:
            sys.stderr.write("fake_oidc: " + (fmt % args) + "\n")

        def _send(self, status: int, body: bytes,
                  content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length)

        def do_GET(self) -> None:
            origin = origin_holder[0]
            if self.path == "/.well-known/openid-configuration":
                with state.lock:
                    state.counts["discovery"] += 1
                    if state.down:
                        return self._send(503, b'{"error":"down"}')
                    issuer = state.discovery_issuer or origin
                doc = {"issuer": issuer, "jwks_uri": origin + "/jwks",
                       "id_token_signing_alg_values_supported": ["RS256"]}
                return self._send(200, json.dumps(doc).encode())
            if self.path == "/jwks":
                with state.lock:
                    state.counts["jwks"] += 1
                    if state.down:
                        return self._send(503, b'{"error":"down"}')
                    body = state.jwks
                return self._send(200, body)
            if self.path.startswith("/_actions/token"):
                query = urllib.parse.parse_qs(
                    urllib.parse.urlsplit(self.path).query)
                scheme, _, credential = (
                    self.headers.get("Authorization") or "").partition(" ")
                with state.lock:
                    state.actions_audience = query.get("audience", [None])[0]
                    if (scheme.lower() != "bearer"
                            or state.actions_request_token is None
                            or credential != state.actions_request_token):
                        return self._send(401, b'{"message":"Bad token"}')
                    body = json.dumps({"count": 1,
                                       "value": state.actions_token})
                return self._send(200, body.encode())
            if self.path == "/_fake/actions_audience":
                with state.lock:
                    body = json.dumps({"audience": state.actions_audience})
                return self._send(200, body.encode())
            if self.path == "/_fake/counts":
                with state.lock:
                    body = json.dumps(state.counts).encode()
                return self._send(200, body)
            return self._send(404, b'{"error":"not found"}')

        def do_PUT(self) -> None:
            body = self._body()
            if self.path == "/_fake/jwks":
                json.loads(body)
                with state.lock:
                    state.jwks = body
                return self._send(200, b"{}")
            if self.path == "/_fake/state":
                update = json.loads(body)
                with state.lock:
                    state.down = bool(update.get("down", False))
                    state.discovery_issuer = update.get("discovery_issuer")
                return self._send(200, b"{}")
            if self.path == "/_fake/actions":
                update = json.loads(body)
                with state.lock:
                    state.actions_request_token = update["request_token"]
                    state.actions_token = update["token"]
                return self._send(200, b"{}")
            return self._send(404, b'{"error":"not found"}')

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls-cert", required=True)
    parser.add_argument("--tls-key", required=True)
    args = parser.parse_args()
    state = State()
    origin_holder = [""]
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", args.port), make_handler(state, origin_holder))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(args.tls_cert, args.tls_key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    port = server.server_address[1]
    origin_holder[0] = f"https://127.0.0.1:{port}"
    print(f"PORT {port}", flush=True)
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
