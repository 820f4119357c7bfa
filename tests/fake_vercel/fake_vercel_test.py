#!/usr/bin/env python3
"""Tests for fake_vercel.py, run against a real fake_vercel.py process.

Run from the repository root with either of
    python3 -m unittest tests/fake_vercel/fake_vercel_test.py
    python3 tests/fake_vercel/fake_vercel_test.py
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import http.client
import json
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

FAKE_VERCEL = Path(__file__).resolve().with_name("fake_vercel.py")
TIMEOUT_S = 10
WAIT_MS = 5000
ALPHA_SECRET = "secret-alpha"
BETA_SECRET = "secret-beta"
FUTURE_BODY_FIELD = {"x": [1, 2]}
MISSING_TOKEN_ERROR = {"error": {
    "code": "forbidden",
    "message": "The request is missing an authentication token",
    "missingToken": True}}
BAD_TOKEN_ERROR = {"error": {"code": "forbidden", "message": "Not authorized",
                             "invalidToken": True}}
TOKEN_NOT_FOUND_ERROR = {"error": {"code": "not_found",
                                   "message": "Token not found"}}
PATH_NOT_FOUND_ERROR = {"error": {
    "code": "not_found", "message": "The requested path was not found"}}


class FakeProcess:
    """A fake_vercel.py subprocess listening on a port it chose."""

    def __init__(self, *extra_args: str) -> None:
        self._stderr = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [sys.executable, str(FAKE_VERCEL), "--port", "0", *extra_args],
            stdout=subprocess.PIPE, stderr=self._stderr, text=True)
        line = self.process.stdout.readline()
        match = re.fullmatch(r"PORT (\d+)\n", line)
        if not match:
            self.stop()
            raise RuntimeError(f"fake_vercel.py printed {line!r}, stderr:\n"
                               f"{self.stderr()}")
        self.port = int(match.group(1))

    def stderr(self) -> str:
        """Returns what the process logged so far."""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        """Signals the process and returns its exit code.

        Kills it (and re-raises) if it does not exit within TIMEOUT_S.
        """
        try:
            if self.process.poll() is None:
                self.process.send_signal(signum)
            return self.process.wait(TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        finally:
            self.process.stdout.close()
            self._stderr.close()


@dataclasses.dataclass
class Reply:
    """An HTTP answer: status, headers and raw body."""

    status: int
    headers: Any
    body: bytes

    def json(self) -> Any:
        """Returns the body decoded as JSON."""
        return json.loads(self.body)


class Client:
    """Talks to a fake through urllib, one connection per request."""

    def __init__(self, base_url: str,
                 tls: ssl.SSLContext | None = None) -> None:
        self.base_url = base_url
        # No proxy: the environment's proxy settings must not apply here.
        handlers: list[Any] = [urllib.request.ProxyHandler({})]
        if tls is not None:
            handlers.append(urllib.request.HTTPSHandler(context=tls))
        self._opener = urllib.request.build_opener(*handlers)

    def call(self, method: str, path: str, body: Any = None,
             token: str | None = None,
             headers: dict[str, str] | None = None) -> Reply:
        """Sends a request; body may be bytes, str or a JSON-able value."""
        all_headers = dict(headers or {})
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            all_headers.setdefault("Content-Type", "application/json")
        if isinstance(body, str):
            body = body.encode()
        request = urllib.request.Request(self.base_url + path, data=body,
                                         method=method, headers=all_headers)
        try:
            with self._opener.open(request, timeout=TIMEOUT_S) as response:
                return Reply(response.status, response.headers,
                             response.read())
        except urllib.error.HTTPError as error:
            with error:
                return Reply(error.code, error.headers, error.read())

    def control(self, method: str, path: str, body: Any = None,
                expect: int = 200) -> Any:
        """Calls a /_fake/ endpoint, checks the status, returns its JSON."""
        reply = self.call(method, "/_fake/" + path, body)
        if reply.status != expect:
            raise AssertionError(f"{method} /_fake/{path} answered "
                                 f"{reply.status}: {reply.body!r}")
        return reply.json()

    def wait(self, what: str, count: int) -> int:
        """Waits (on the fake's side) for a count; returns the count."""
        return self.control(
            "GET", f"{what}?count={count}&timeout_ms={WAIT_MS}")["count"]


def seed(name: str, secret: str, **extra: Any) -> dict[str, Any]:
    """Returns a /_fake/reset token entry."""
    return {"name": name, "bearerToken": secret, **extra}


class FakeVercelTestCase(unittest.TestCase):
    """Shares one fake process; resets it before every test."""

    fake: FakeProcess
    client: Client

    @classmethod
    def setUpClass(cls) -> None:
        cls.fake = FakeProcess()
        cls.addClassCleanup(cls.fake.stop)
        cls.client = Client(f"http://127.0.0.1:{cls.fake.port}")

    def setUp(self) -> None:
        self.seeded = self.reset(tokens=[
            seed("alpha", ALPHA_SECRET, teamId="team_x", id="id-alpha"),
            seed("beta", BETA_SECRET, id="id-beta"),
        ])

    def reset(self, **body: Any) -> list[dict[str, Any]]:
        """Resets the fake with the given body; returns the seeded tokens."""
        return self.client.control("POST", "reset", body)["tokens"]

    def call(self, method: str, path: str, body: Any = None,
             token: str | None = ALPHA_SECRET, **kwargs: Any) -> Reply:
        """Calls the fake's Vercel API, as alpha unless told otherwise."""
        return self.client.call(method, path, body, token=token, **kwargs)

    def recorded(self) -> list[dict[str, Any]]:
        """Returns what /_fake/requests reports."""
        return self.client.control("GET", "requests")["requests"]

    def add_fault(self, **fault: Any) -> None:
        """Registers a fault."""
        self.client.control("POST", "faults", fault)

    def connection(self) -> http.client.HTTPConnection:
        """Returns a keep-alive HTTP connection to the fake."""
        connection = http.client.HTTPConnection("127.0.0.1", self.fake.port,
                                                timeout=TIMEOUT_S)
        self.addCleanup(connection.close)
        return connection

    def abort_held_request(self, connection: socket.socket) -> None:
        """Sends a request on connection, waits until held, hangs up."""
        with connection:
            connection.sendall(b"GET /v5/user/tokens HTTP/1.1\r\n"
                               b"Host: fake\r\n"
                               b"Authorization: Bearer secret-alpha\r\n\r\n")
            self.assertEqual(self.client.wait("wait_held", 1), 1)

    def assert_token_shape(self, token: dict[str, Any]) -> None:
        """Checks the fields every AuthToken carries."""
        self.assertEqual(token["type"], "oauth2-token")
        self.assertEqual(token["futureTokenField"], "ignored")
        for key in ("id", "name", "origin", "scopes", "activeAt", "createdAt"):
            self.assertIn(key, token)


class AuthenticationTest(FakeVercelTestCase):
    """Bearer authentication on /v5 and /v3 token endpoints."""

    def test_missing_authorization_is_403_missing_token(self) -> None:
        for method, path in (("GET", "/v5/user/tokens"),
                             ("GET", "/v6/user/tokens"),
                             ("GET", "/v5/user/tokens/current"),
                             ("POST", "/v3/user/tokens?teamId=t"),
                             ("DELETE", "/v3/user/tokens/id-beta")):
            with self.subTest(path=path):
                reply = self.call(method, path, token=None)
                self.assertEqual(reply.status, 403)
                self.assertEqual(reply.json(), MISSING_TOKEN_ERROR)

    def test_non_bearer_authorization_counts_as_missing(self) -> None:
        reply = self.call("GET", "/v5/user/tokens", token=None,
                          headers={"Authorization": "Basic c2VjcmV0"})
        self.assertEqual(reply.status, 403)
        self.assertEqual(reply.json(), MISSING_TOKEN_ERROR)

    def test_unknown_secret_is_403_invalid_token(self) -> None:
        reply = self.call("GET", "/v5/user/tokens", token="no-such-secret")
        self.assertEqual(reply.status, 403)
        self.assertEqual(reply.json(), BAD_TOKEN_ERROR)

    def test_current_is_the_authenticating_token(self) -> None:
        for secret, token_id in ((ALPHA_SECRET, "id-alpha"),
                                 (BETA_SECRET, "id-beta")):
            with self.subTest(token_id=token_id):
                reply = self.call("GET", "/v5/user/tokens/current",
                                  token=secret)
                self.assertEqual(reply.status, 200)
                self.assertEqual(reply.json()["token"]["id"], token_id)
                self.assert_token_shape(reply.json()["token"])

    def test_use_updates_active_at(self) -> None:
        created_at = self.seeded[0]["createdAt"]
        self.assertEqual(self.seeded[0]["activeAt"], created_at)
        # Not synchronisation: activeAt is a wall-clock time, so let the
        # clock move past createdAt (at most a few ms) to make a change
        # visible.
        while time.time_ns() // 1_000_000 <= created_at:
            pass
        token = self.call("GET", "/v5/user/tokens/current").json()["token"]
        self.assertGreater(token["activeAt"], created_at)
        unused = self.call("GET", "/v5/user/tokens/id-beta").json()["token"]
        self.assertEqual(unused["activeAt"], unused["createdAt"])


class TokenEndpointsTest(FakeVercelTestCase):
    """Get, create and delete tokens."""

    def test_get_by_id_and_unknown_id(self) -> None:
        reply = self.call("GET", "/v5/user/tokens/id-beta")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["token"], self.seeded[1])
        reply = self.call("GET", "/v5/user/tokens/nope")
        self.assertEqual(reply.status, 404)
        self.assertEqual(reply.json(), TOKEN_NOT_FOUND_ERROR)

    def test_seeded_token_json(self) -> None:
        self.reset(tokens=[seed("s", "secret-1", teamId="team_y",
                                expiresAt=123, id="fixed")])
        token = self.call("GET", "/v5/user/tokens/fixed",
                          token="secret-1").json()["token"]
        self.assertEqual(token["name"], "s")
        self.assertEqual(token["origin"], "manual")
        self.assertEqual(token["expiresAt"], 123)
        self.assertEqual(token["scopes"], [{
            "type": "team", "teamId": "team_y", "origin": "manual",
            "createdAt": token["createdAt"], "expiresAt": 123}])

    def test_create_returns_a_secret_that_authenticates(self) -> None:
        reply = self.call("POST", "/v3/user/tokens?teamId=team_abc",
                          {"name": "ci", "expiresAt": 4102444800000})
        self.assertEqual(reply.status, 200)
        body = reply.json()
        token = body["token"]
        self.assert_token_shape(token)
        self.assertRegex(token["id"], r"^[0-9a-f]{64}$")
        self.assertEqual(token["name"], "ci")
        self.assertEqual(token["origin"], "manual")
        self.assertEqual(token["expiresAt"], 4102444800000)
        self.assertEqual(token["activeAt"], token["createdAt"])
        self.assertGreater(token["createdAt"], self.seeded[1]["createdAt"])
        self.assertEqual(token["scopes"], [{
            "type": "team", "teamId": "team_abc", "origin": "manual",
            "createdAt": token["createdAt"], "expiresAt": 4102444800000}])
        self.assertEqual(body["vercelFutureField"], FUTURE_BODY_FIELD)
        # The secret's ends, as Vercel shows them, never the secret.
        self.assertEqual(token["prefix"], body["bearerToken"][:6])
        self.assertEqual(token["suffix"], body["bearerToken"][-4:])
        current = self.call("GET", "/v5/user/tokens/current",
                            token=body["bearerToken"])
        self.assertEqual(current.status, 200)
        self.assertEqual(current.json()["token"]["id"], token["id"])

    def test_create_oauth2_body_without_expiry(self) -> None:
        reply = self.call("POST", "/v3/user/tokens?teamId=team_abc", {
            "type": "oauth2-token", "name": "app", "clientId": "cl_1",
            "installationId": "icfg_1"})
        self.assertEqual(reply.status, 200)
        token = reply.json()["token"]
        self.assertNotIn("expiresAt", token)
        self.assertNotIn("expiresAt", token["scopes"][0])
        self.assertEqual(token["name"], "app")

    def test_integral_float_expiry_is_written_as_an_integer(self) -> None:
        # Protobuf's JSON writer may send 4102444800000 as 4.1024448e+12.
        reply = self.call("POST", "/v3/user/tokens?teamId=t",
                          '{"name": "n", "expiresAt": 4.1024448e+12}')
        self.assertIn(b'"expiresAt": 4102444800000,', reply.body)
        seeded = self.reset(tokens=[seed("s", "secret-1", expiresAt=5.0)])
        self.assertIs(type(seeded[0]["expiresAt"]), int)

    def test_create_rejects_invalid_requests(self) -> None:
        cases = {
            "projectId without teamId": ("", {"name": "n",
                                              "projectId": "prj_1"}),
            "projectId not a string": ("?teamId=t", {"name": "n",
                                                     "projectId": 1}),
            "not JSON": ("?teamId=t", "{name"),
            "not an object": ("?teamId=t", ["name"]),
            "no name": ("?teamId=t", {"expiresAt": 1}),
            "name not a string": ("?teamId=t", {"name": 5}),
            "unknown key": ("?teamId=t", {"name": "n", "scopes": []}),
            "expiresAt not a number": ("?teamId=t",
                                       {"name": "n", "expiresAt": "1"}),
            "expiresAt a boolean": ("?teamId=t",
                                    {"name": "n", "expiresAt": True}),
            "wrong type": ("?teamId=t", {"type": "user", "name": "n"}),
            "clientId without type": ("?teamId=t",
                                      {"name": "n", "clientId": "c"}),
            "clientId not a string": ("?teamId=t", {
                "type": "oauth2-token", "name": "n", "clientId": 1}),
        }
        for case, (query, body) in cases.items():
            with self.subTest(case):
                reply = self.call("POST", "/v3/user/tokens" + query, body)
                self.assertEqual(reply.status, 400)
                error = reply.json()["error"]
                self.assertEqual(error["code"], "bad_request")
                self.assertTrue(error["message"].startswith(
                    "Invalid request: "), error["message"])
        listed = self.call("GET", "/v5/user/tokens").json()
        self.assertEqual(listed["pagination"]["count"], 2)

    def test_create_without_team_is_account_wide(self) -> None:
        reply = self.call("POST", "/v3/user/tokens", {"name": "cli"})
        self.assertEqual(reply.status, 200)
        token = reply.json()["token"]
        self.assertEqual(token["scopes"], [{
            "type": "user", "origin": "manual",
            "createdAt": token["createdAt"]}])
        self.assertNotIn("projectId", token)
        secret = reply.json()["bearerToken"]
        self.assertEqual(token["prefix"], secret[:6])
        self.assertEqual(token["suffix"], secret[-4:])

    def test_create_project_scoped(self) -> None:
        reply = self.call("POST", "/v3/user/tokens?teamId=team_1",
                          {"name": "deploy", "projectId": "prj_1"})
        self.assertEqual(reply.status, 200)
        token = reply.json()["token"]
        self.assertEqual(token["projectId"], "prj_1")
        self.assertEqual(token["scopes"][0]["teamId"], "team_1")

    def test_seeded_leak_project_and_sudo(self) -> None:
        seeded = self.reset(tokens=[
            seed("leaked", "vcp_leakedsecret", id="leaked",
                 leakedUrl="https://github.com/acme/app/blob/main/.env"),
            seed("sudo", "vcp_sudosecret", id="sudo",
                 sudo={"origin": "totp", "expiresAt": 1700000600000,
                       "verifiedAt": 1700000000000}),
            seed("proj", "vcp_projsecret", id="proj", teamId="team_1",
                 projectId="prj_9")])
        leaked = seeded[0]
        self.assertEqual(leaked["leakedUrl"],
                         "https://github.com/acme/app/blob/main/.env")
        self.assertEqual(leaked["leakedAt"], leaked["createdAt"] + 1)
        self.assertEqual(leaked["revokedAt"], leaked["createdAt"] + 2)
        self.assertEqual(leaked["prefix"], "vcp_le")
        self.assertEqual(leaked["suffix"], "cret")
        self.assertNotIn("leakedAt", seeded[1])
        self.assertEqual(seeded[1]["scopes"][0]["sudo"], {
            "origin": "totp", "expiresAt": 1700000600000,
            "verifiedAt": 1700000000000})
        self.assertEqual(seeded[2]["projectId"], "prj_9")

    def test_saml_enforcing_team_answers_403_saml(self) -> None:
        self.reset(saml_teams=["team_s"], tokens=[seed("a", ALPHA_SECRET)])
        reply = self.call("GET", "/v5/user/tokens?teamId=team_s")
        self.assertEqual(reply.status, 403)
        error = reply.json()["error"]
        self.assertEqual(error["code"], "forbidden")
        self.assertIs(error["saml"], True)
        self.assertEqual(error["teamId"], "team_s")
        self.assertEqual(error["scope"], "scope-team_s")
        self.assertIs(error["enforced"], True)
        self.assertEqual(self.call("GET", "/v5/user/tokens?teamId=other")
                         .status, 200)

    def test_delete_revokes_the_token(self) -> None:
        reply = self.call("DELETE", "/v3/user/tokens/id-beta")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json(), {
            "tokenId": "id-beta", "vercelFutureField": FUTURE_BODY_FIELD})
        revoked = self.call("GET", "/v5/user/tokens", token=BETA_SECRET)
        self.assertEqual(revoked.status, 403)
        self.assertEqual(revoked.json(), BAD_TOKEN_ERROR)
        gone = self.call("GET", "/v5/user/tokens/id-beta")
        self.assertEqual(gone.status, 404)
        again = self.call("DELETE", "/v3/user/tokens/id-beta")
        self.assertEqual(again.status, 404)
        self.assertEqual(again.json(), TOKEN_NOT_FOUND_ERROR)

    def test_delete_current_revokes_the_caller(self) -> None:
        reply = self.call("DELETE", "/v3/user/tokens/current",
                          token=BETA_SECRET)
        self.assertEqual(reply.json()["tokenId"], "id-beta")
        self.assertEqual(self.call("GET", "/v5/user/tokens/current",
                                   token=BETA_SECRET).status, 403)
        self.assertEqual(self.call("GET", "/v5/user/tokens/current").status,
                         200)


class ListTokensTest(FakeVercelTestCase):
    """Newest-first pagination of GET /v5/user/tokens."""

    def test_pages_of_two_follow_the_until_cursor(self) -> None:
        seeded = self.reset(page_size=2, tokens=[
            seed(f"t{i}", f"secret-{i}") for i in range(5)])
        created = [token["createdAt"] for token in seeded]
        self.assertEqual(created, sorted(set(created)))
        pages = []
        path = "/v5/user/tokens?teamId=team_x&slug=my-team"
        while True:
            body = self.call("GET", path, token="secret-0").json()
            pages.append(([t["name"] for t in body["tokens"]],
                          body["pagination"]))
            if body["pagination"]["next"] is None:
                break
            path = f"/v5/user/tokens?until={body['pagination']['next']}"
        self.assertEqual(pages, [
            (["t4", "t3"], {"count": 2, "next": created[3],
                            "prev": created[4]}),
            (["t2", "t1"], {"count": 2, "next": created[1],
                            "prev": created[2]}),
            (["t0"], {"count": 1, "next": None, "prev": created[0]}),
        ])
        empty = self.call("GET", f"/v5/user/tokens?until={created[0]}",
                          token="secret-0").json()
        self.assertEqual(empty["tokens"], [])
        self.assertEqual(empty["pagination"],
                         {"count": 0, "next": None, "prev": None})

    def test_default_page_size_is_20(self) -> None:
        self.reset(tokens=[seed(f"t{i}", f"secret-{i}") for i in range(21)])
        body = self.call("GET", "/v5/user/tokens", token="secret-0").json()
        self.assertEqual(len(body["tokens"]), 20)
        self.assertEqual(body["tokens"][0]["name"], "t20")
        rest = self.call(
            "GET", f"/v5/user/tokens?until={body['pagination']['next']}",
            token="secret-0").json()
        self.assertEqual([t["name"] for t in rest["tokens"]], ["t0"])

    def test_v5_limit_and_since(self) -> None:
        seeded = self.reset(tokens=[
            seed(f"t{i}", f"secret-{i}") for i in range(5)])
        created = [token["createdAt"] for token in seeded]
        body = self.call("GET", "/v5/user/tokens?limit=2",
                         token="secret-0").json()
        self.assertEqual([t["name"] for t in body["tokens"]], ["t4", "t3"])
        before = self.call("GET", f"/v5/user/tokens?limit=2&since={created[1]}",
                           token="secret-0").json()
        self.assertEqual([t["name"] for t in before["tokens"]], ["t3", "t2"])
        self.assertEqual(before["pagination"]["next"], created[2])
        self.assertEqual(before["pagination"]["prev"], created[3])

    def test_v6_pages_with_limit_and_string_cursors(self) -> None:
        self.reset(testing_token=True, tokens=[
            seed(f"t{i}", f"secret-{i}") for i in range(5)])
        names, cursors = [], []
        path = "/v6/user/tokens?limit=2"
        while True:
            body = self.call("GET", path, token="secret-0").json()
            self.assertNotIn("testingToken", body)
            names.append([t["name"] for t in body["tokens"]])
            cursor = body["pagination"]["next"]
            if cursor is None:
                break
            self.assertIsInstance(cursor, str)
            cursors.append(cursor)
            path = ("/v6/user/tokens?limit=2&until="
                    + urllib.parse.quote(cursor, safe=""))
        self.assertEqual(names, [["t4", "t3"], ["t2", "t1"], ["t0"]])
        self.assertIsInstance(body["pagination"]["prev"], str)
        self.assertEqual(len(set(cursors)), 2)

    def test_v6_default_limit_is_20_and_at_most_100(self) -> None:
        self.reset(tokens=[seed(f"t{i}", f"secret-{i}") for i in range(21)])
        body = self.call("GET", "/v6/user/tokens", token="secret-0").json()
        self.assertEqual(len(body["tokens"]), 20)
        for bad in ("0", "101", "x"):
            with self.subTest(limit=bad):
                reply = self.call("GET", f"/v6/user/tokens?limit={bad}",
                                  token="secret-0")
                self.assertEqual(reply.status, 400)

    def test_v6_refuses_cursors_it_did_not_send(self) -> None:
        for cursor in ("1700000000000", "not-base64!"):
            with self.subTest(cursor=cursor):
                reply = self.call("GET", f"/v6/user/tokens?until={cursor}")
                self.assertEqual(reply.status, 400)

    def test_invalid_until_is_400(self) -> None:
        reply = self.call("GET", "/v5/user/tokens?until=soon")
        self.assertEqual(reply.status, 400)
        self.assertEqual(reply.json()["error"]["code"], "bad_request")

    def test_testing_token_only_when_requested(self) -> None:
        body = self.call("GET", "/v5/user/tokens").json()
        self.assertNotIn("testingToken", body)
        self.reset(testing_token=True, tokens=[seed("a", ALPHA_SECRET)])
        body = self.call("GET", "/v5/user/tokens").json()
        self.assert_token_shape(body["testingToken"])
        self.assertNotIn(body["testingToken"]["id"],
                         [token["id"] for token in body["tokens"]])

    def test_unknown_fields_are_present(self) -> None:
        body = self.call("GET", "/v5/user/tokens").json()
        self.assertEqual(body["vercelFutureField"], FUTURE_BODY_FIELD)
        self.assertEqual(len(body["tokens"]), 2)
        for token in body["tokens"]:
            self.assertEqual(token["futureTokenField"], "ignored")
        error = self.call("GET", "/v5/user/tokens", token="bad").json()
        self.assertNotIn("vercelFutureField", error)


class EmailLoginTest(FakeVercelTestCase):
    """POST /registration, /_fake/confirm and GET /registration/verify."""

    def register(self, email: str, **extra: Any) -> dict[str, Any]:
        reply = self.call("POST", "/registration", {"email": email, **extra},
                          token=None)
        self.assertEqual(reply.status, 200, reply.body)
        return reply.json()

    def verify(self, query: str) -> Reply:
        return self.call("GET", "/registration/verify?" + query, token=None)

    def test_full_flow(self) -> None:
        login = self.register("dev@example.com", tokenName="laptop")
        self.assertRegex(login["securityCode"], r"^[A-Z][a-z]+ [A-Z][a-z]+$")
        self.assertEqual(login["vercelFutureField"], FUTURE_BODY_FIELD)
        query = f"token={login['token']}&email=dev%40example.com"
        for _ in range(2):
            pending = self.verify(query)
            self.assertEqual(pending.status, 400)
            self.assertEqual(pending.json(), {"error": {
                "code": "bad_request", "message": "Confirmation incomplete"}})
        self.assertEqual(self.client.control(
            "POST", "confirm", {"email": "dev@example.com"}),
            {"confirmed": 1})
        done = self.verify(query)
        self.assertEqual(done.status, 200)
        body = done.json()
        self.assertEqual(body["email"], "dev@example.com")
        self.assertNotIn("teamId", body)
        token = self.call("GET", "/v5/user/tokens/current",
                          token=body["token"]).json()["token"]
        self.assertEqual(token["origin"], "email")
        self.assertEqual(token["name"], "laptop")
        consumed = self.verify(query)
        self.assertEqual(consumed.status, 403)
        self.assertEqual(consumed.json(), {"error": {
            "code": "forbidden", "message": "Invalid verification token"}})

    def test_name_from_query_or_default_and_team_id(self) -> None:
        for query, name in (("&tokenName=from-query&teamSlug=acme",
                             "from-query"),
                            ("&teamSlug=acme", "email-login")):
            with self.subTest(name=name):
                login = self.register("x@example.org")
                self.client.control("POST", "confirm",
                                    {"email": "x@example.org"})
                body = self.verify(f"token={login['token']}{query}").json()
                self.assertEqual(body["teamId"], "team_acme")
                token = self.call("GET", "/v5/user/tokens/current",
                                  token=body["token"]).json()["token"]
                self.assertEqual(token["name"], name)

    def test_unknown_verification_token_is_403(self) -> None:
        reply = self.verify("token=made-up")
        self.assertEqual(reply.status, 403)
        self.assertEqual(reply.json()["error"]["message"],
                         "Invalid verification token")

    def test_invalid_emails_are_400(self) -> None:
        for email in ("no-at.example.com", "a@b@example.com", "a@localhost",
                      ""):
            with self.subTest(email=email):
                reply = self.call("POST", "/registration", {"email": email},
                                  token=None)
                self.assertEqual(reply.status, 400)
                self.assertEqual(reply.json(), {"error": {
                    "code": "invalid_email", "message": "Invalid email"}})

    def test_authorization_is_recorded_but_ignored(self) -> None:
        reply = self.call("POST", "/registration", {"email": "a@b.io"},
                          token="not-a-real-secret")
        self.assertEqual(reply.status, 200)
        self.assertEqual(self.recorded()[-1]["headers"]["authorization"],
                         "Bearer not-a-real-secret")

    def test_confirm_without_pending_login_is_404(self) -> None:
        reply = self.client.call("POST", "/_fake/confirm",
                                 {"email": "nobody@example.com"})
        self.assertEqual(reply.status, 404)


class HttpBehaviourTest(FakeVercelTestCase):
    """Routing, headers and connection handling."""

    def test_unknown_paths_and_methods_are_404(self) -> None:
        for method, path in (("GET", "/v7/user/tokens"), ("GET", "/"),
                             ("PUT", "/v5/user/tokens"),
                             ("GET", "/v3/user/tokens")):
            with self.subTest(method=method, path=path):
                reply = self.call(method, path)
                self.assertEqual(reply.status, 404)
                self.assertEqual(reply.json(), PATH_NOT_FOUND_ERROR)

    def test_rate_limit_headers_on_every_vercel_response(self) -> None:
        statuses = []
        for expected_remaining, token in ((99, ALPHA_SECRET), (98, None),
                                          (97, ALPHA_SECRET)):
            before = int(time.time())
            reply = self.call("GET", "/v5/user/tokens", token=token)
            statuses.append(reply.status)
            self.assertEqual(reply.headers["X-RateLimit-Limit"], "100")
            self.assertEqual(reply.headers["X-RateLimit-Remaining"],
                             str(expected_remaining))
            reset = int(reply.headers["X-RateLimit-Reset"])
            self.assertGreaterEqual(reset, before + 60)
            self.assertLessEqual(reset, int(time.time()) + 60)
            self.assertEqual(reply.headers["Content-Type"],
                             "application/json; charset=utf-8")
            self.recorded()  # Control calls do not count.
        self.assertEqual(statuses, [200, 403, 200])

    def test_every_vercel_response_has_an_x_vercel_id(self) -> None:
        self.add_fault(status=503, body="")
        ids = []
        for token in (ALPHA_SECRET, None, ALPHA_SECRET):
            reply = self.call("GET", "/v5/user/tokens", token=token)
            ids.append(reply.headers["X-Vercel-Id"])
        self.assertEqual(len(set(ids)), 3)
        self.assertEqual([entry["vercel_id"] for entry in self.recorded()],
                         ids)

    def test_rate_limit_remaining_floors_at_zero(self) -> None:
        connection = self.connection()
        remaining = []
        for _ in range(101):
            connection.request("GET", "/nowhere")
            response = connection.getresponse()
            response.read()
            remaining.append(response.getheader("X-RateLimit-Remaining"))
        self.assertEqual(remaining[98:], ["1", "0", "0"])

    def test_keep_alive_and_content_length(self) -> None:
        connection = self.connection()
        local_ports = set()
        for path in ("/v5/user/tokens", "/nowhere", "/_fake/requests"):
            connection.request("GET", path,
                               headers={"Authorization": "Bearer "
                                        + ALPHA_SECRET})
            response = connection.getresponse()
            body = response.read()
            local_ports.add(connection.sock.getsockname()[1])
            self.assertEqual(response.version, 11)
            self.assertEqual(response.getheader("Content-Length"),
                             str(len(body)))
        self.assertEqual(len(local_ports), 1)

    def test_head_answer_has_no_body(self) -> None:
        with socket.create_connection(("127.0.0.1", self.fake.port),
                                      TIMEOUT_S) as connection:
            connection.sendall(b"HEAD /nowhere HTTP/1.1\r\nHost: f\r\n\r\n"
                               b"GET /nowhere HTTP/1.1\r\nHost: f\r\n"
                               b"Connection: close\r\n\r\n")
            received = b"".join(iter(lambda: connection.recv(65536), b""))
        head_answer, after_head = received.split(b"\r\n\r\n", 1)
        self.assertTrue(head_answer.startswith(b"HTTP/1.1 404 "))
        self.assertIn(b"\r\nContent-Length: 79", head_answer)
        self.assertTrue(after_head.startswith(b"HTTP/1.1 404 "), after_head)
        self.assertTrue(after_head.endswith(
            json.dumps(PATH_NOT_FOUND_ERROR).encode()))

    def test_chunked_request_body(self) -> None:
        connection = self.connection()
        connection.request("POST", "/v3/user/tokens?teamId=t",
                           body=iter([b'{"name":', b' "chunky"}']),
                           headers={"Authorization": "Bearer " + ALPHA_SECRET},
                           encode_chunked=True)
        response = connection.getresponse()
        self.assertEqual(json.loads(response.read())["token"]["name"],
                         "chunky")
        connection.request("GET", "/v5/user/tokens",
                           headers={"Authorization": "Bearer " + ALPHA_SECRET})
        self.assertEqual(connection.getresponse().status, 200)


class RecordedRequestsTest(FakeVercelTestCase):
    """GET /_fake/requests and /_fake/wait."""

    def test_record_fields(self) -> None:
        self.call("POST", "/v3/user/tokens?teamId=t%20x&x=1&x=2",
                  '{ "name": "n",\n "expiresAt": 5 }',
                  headers={"Content-Type": "application/json",
                           "X-Custom-Header": "yes"})
        self.call("GET", "/v5/user/tokens/a%2Fb")
        self.call("POST", "/registration", "not json", token=None)
        records = self.recorded()
        self.assertEqual(len(records), 3)
        create, get, register = records
        self.assertEqual(create["method"], "POST")
        self.assertEqual(create["path"], "/v3/user/tokens")
        self.assertEqual(create["raw_query"], "teamId=t%20x&x=1&x=2")
        self.assertEqual(create["query"], {"teamId": "t x", "x": "2"})
        self.assertEqual(create["headers"]["authorization"],
                         "Bearer " + ALPHA_SECRET)
        self.assertEqual(create["headers"]["x-custom-header"], "yes")
        self.assertTrue(all(name == name.lower()
                            for name in create["headers"]))
        self.assertEqual(create["body"], '{ "name": "n",\n "expiresAt": 5 }')
        self.assertEqual(create["body_json"], '{"expiresAt":5,"name":"n"}')
        self.assertIs(create["aborted"], False)
        self.assertEqual(get["path"], "/v5/user/tokens/a%2Fb")
        self.assertEqual((get["raw_query"], get["query"]), ("", {}))
        self.assertEqual((get["body"], get["body_json"]), ("", ""))
        self.assertEqual((register["body"], register["body_json"]),
                         ("not json", ""))

    def test_control_requests_are_not_recorded(self) -> None:
        self.client.control("POST", "release")
        self.client.control("GET", "wait?count=0")
        self.assertEqual(self.recorded(), [])

    def test_wait_returns_once_enough_requests_arrived(self) -> None:
        with concurrent.futures.ThreadPoolExecutor() as pool:
            waiter = pool.submit(self.client.wait, "wait", 2)
            self.call("GET", "/v5/user/tokens")
            self.call("GET", "/v5/user/tokens")
            self.assertEqual(waiter.result(TIMEOUT_S), 2)

    def test_waits_time_out_with_408(self) -> None:
        for endpoint in ("wait", "wait_held", "wait_aborted"):
            with self.subTest(endpoint=endpoint):
                body = self.client.control(
                    "GET", f"{endpoint}?count=1&timeout_ms=20", expect=408)
                self.assertEqual(body["count"], 0)

    def test_reset_clears_state(self) -> None:
        self.call("POST", "/registration", {"email": "a@b.io"}, token=None)
        self.add_fault(path="/v5/user/tokens", status=500)
        reseeded = self.reset(tokens=[seed("only", ALPHA_SECRET)])
        self.assertEqual([token["name"] for token in reseeded], ["only"])
        self.assertEqual(self.recorded(), [])
        listed = self.call("GET", "/v5/user/tokens")
        self.assertEqual(listed.status, 200)
        self.assertEqual([t["name"] for t in listed.json()["tokens"]],
                         ["only"])
        self.assertEqual(self.call("GET", "/v5/user/tokens/current",
                                   token=BETA_SECRET).status, 403)
        self.assertEqual(self.client.call(
            "POST", "/_fake/confirm", {"email": "a@b.io"}).status, 404)

    def test_invalid_control_bodies_are_400(self) -> None:
        for path, body in (("reset", {"page_size": 0}),
                           ("reset", {"tokens": [{"secret": "x"}]}),
                           ("reset", {"tokens": [seed("a", "s"),
                                                 seed("b", "s")]}),
                           ("faults", {"status": "429"}),
                           ("faults", {"times": 0}),
                           ("faults", {"stauts": 429}),
                           ("confirm", {})):
            with self.subTest(path=path, body=body):
                self.client.control("POST", path, body, expect=400)


class FaultTest(FakeVercelTestCase):
    """POST /_fake/faults, /_fake/release and the wait_* endpoints."""

    def test_fault_answers_times_then_normal_service_resumes(self) -> None:
        self.add_fault(path="/v5/user/tokens", times=2, status=429,
                       headers={"Retry-After": "3"},
                       body="slow down, not JSON")
        replies = [self.call("GET", "/v5/user/tokens") for _ in range(3)]
        self.assertEqual([reply.status for reply in replies],
                         [429, 429, 200])
        for reply in replies[:2]:
            self.assertEqual(reply.body, b"slow down, not JSON")
            self.assertEqual(reply.headers["Retry-After"], "3")
            self.assertEqual(reply.headers["X-RateLimit-Limit"], "100")
        self.assertIsNone(replies[2].headers["Retry-After"])
        self.assertEqual(len(self.recorded()), 3)

    def test_fault_headers_override_standard_ones(self) -> None:
        self.add_fault(status=429, headers={"x-ratelimit-remaining": "0"})
        reply = self.call("GET", "/v5/user/tokens")
        self.assertEqual(reply.headers.get_all("X-RateLimit-Remaining"),
                         ["0"])
        self.assertEqual(reply.body, b"")

    def test_fault_matches_method_path_and_prefix(self) -> None:
        self.add_fault(method="post", path="/v3/user/tokens", status=500,
                       times=5)
        self.add_fault(path_prefix="/registration/", status=503, times=5)
        self.assertEqual(self.call("GET", "/v5/user/tokens").status, 200)
        self.assertEqual(self.call("POST", "/v3/user/tokens?teamId=t",
                                   {"name": "n"}).status, 500)
        self.assertEqual(self.call("POST", "/registration",
                                   {"email": "a@b.io"}).status, 200)
        self.assertEqual(self.call("GET", "/registration/verify?token=x",
                                   token=None).status, 503)

    def test_first_matching_fault_wins(self) -> None:
        self.add_fault(path="/v5/user/tokens", status=502)
        self.add_fault(path="/v5/user/tokens", status=504)
        statuses = [self.call("GET", "/v5/user/tokens").status
                    for _ in range(3)]
        self.assertEqual(statuses, [502, 504, 200])

    def test_body_only_fault_answers_200(self) -> None:
        self.add_fault(body="{truncated")
        reply = self.call("GET", "/v5/user/tokens")
        self.assertEqual((reply.status, reply.body), (200, b"{truncated"))

    def test_close_drops_the_connection(self) -> None:
        self.add_fault(close=True)
        connection = self.connection()
        connection.request("GET", "/v5/user/tokens")
        with self.assertRaises(http.client.RemoteDisconnected):
            connection.getresponse()
        self.assertEqual(self.call("GET", "/v5/user/tokens").status, 200)
        self.assertEqual(len(self.recorded()), 2)

    def test_cut_headers_ends_the_connection_inside_the_headers(self) -> None:
        self.add_fault(cut_headers=True)
        with socket.create_connection(("127.0.0.1", self.fake.port),
                                      timeout=TIMEOUT_S) as raw:
            raw.sendall(b"GET /v5/user/tokens HTTP/1.1\r\n"
                        b"Host: fake\r\n\r\n")
            received = b""
            while chunk := raw.recv(4096):
                received += chunk
        self.assertTrue(received.startswith(b"HTTP/1.1 200 OK\r\n"))
        self.assertNotIn(b"\r\n\r\n", received)
        self.assertEqual(self.call("GET", "/v5/user/tokens").status, 200)

    def test_hold_then_release_answers_normally(self) -> None:
        self.add_fault(path="/v5/user/tokens/current", hold=True)
        with concurrent.futures.ThreadPoolExecutor() as pool:
            held = pool.submit(self.call, "GET", "/v5/user/tokens/current")
            self.assertEqual(self.client.wait("wait_held", 1), 1)
            self.assertFalse(held.done())
            self.assertEqual(self.client.control("POST", "release"),
                             {"released": 1})
            reply = held.result(TIMEOUT_S)
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["token"]["id"], "id-alpha")
        self.assertIs(self.recorded()[0]["aborted"], False)

    def test_hold_with_status_answers_with_the_fault(self) -> None:
        self.add_fault(hold=True, status=503, body='{"error":{}}',
                       times=2)
        with concurrent.futures.ThreadPoolExecutor() as pool:
            held = [pool.submit(self.call, "GET", "/v5/user/tokens")
                    for _ in range(2)]
            self.assertEqual(self.client.wait("wait_held", 2), 2)
            self.assertEqual(self.client.control("POST", "release"),
                             {"released": 2})
            replies = [future.result(TIMEOUT_S) for future in held]
        self.assertEqual([(r.status, r.body) for r in replies],
                         [(503, b'{"error":{}}')] * 2)

    def test_delay_answers_normally_after_the_delay(self) -> None:
        self.add_fault(path="/v5/user/tokens/current", delay_ms=300)
        started = time.monotonic()
        reply = self.call("GET", "/v5/user/tokens/current")
        took = time.monotonic() - started
        self.assertEqual(reply.json()["token"]["id"], "id-alpha")
        self.assertGreaterEqual(took, 0.3)
        [record] = self.recorded()
        self.assertIs(record["aborted"], False)
        self.assertLessEqual(record["received_ms"], time.time() * 1000)

    def test_release_ends_a_delay_early(self) -> None:
        self.add_fault(delay_ms=600_000)
        with concurrent.futures.ThreadPoolExecutor() as pool:
            delayed = pool.submit(self.call, "GET", "/v5/user/tokens/current")
            self.assertEqual(self.client.wait("wait_held", 1), 1)
            self.assertEqual(self.client.control("POST", "release"),
                             {"released": 1})
            self.assertEqual(delayed.result(TIMEOUT_S).status, 200)

    def test_delay_and_hold_exclude_each_other(self) -> None:
        self.client.control("POST", "faults", {"hold": True, "delay_ms": 5},
                            expect=400)

    def test_reset_releases_held_requests(self) -> None:
        self.add_fault(hold=True)
        with concurrent.futures.ThreadPoolExecutor() as pool:
            held = pool.submit(self.call, "GET", "/v5/user/tokens/current")
            self.assertEqual(self.client.wait("wait_held", 1), 1)
            self.reset(tokens=[seed("after-reset", ALPHA_SECRET)])
            reply = held.result(TIMEOUT_S)
        self.assertEqual(reply.json()["token"]["name"], "after-reset")

    def test_client_abort_of_a_held_request_is_detected(self) -> None:
        self.add_fault(hold=True)
        self.abort_held_request(socket.create_connection(
            ("127.0.0.1", self.fake.port), TIMEOUT_S))
        self.assertEqual(self.client.wait("wait_aborted", 1), 1)
        self.assertEqual(self.client.control("POST", "release"),
                         {"released": 0})
        [record] = self.recorded()
        self.assertIs(record["aborted"], True)


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """Writes a self-signed certificate for 127.0.0.1; returns cert, key."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec",
         "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=TIMEOUT_S)
    return cert, key


class TlsTest(FakeVercelTestCase):
    """The same fake behind --tls-cert/--tls-key."""

    @classmethod
    def setUpClass(cls) -> None:
        directory = tempfile.TemporaryDirectory()
        cls.addClassCleanup(directory.cleanup)
        cert, key = make_certificate(Path(directory.name))
        cls.fake = FakeProcess("--tls-cert", str(cert), "--tls-key", str(key))
        cls.addClassCleanup(cls.fake.stop)
        cls.tls = ssl.create_default_context(cafile=str(cert))
        cls.client = Client(f"https://127.0.0.1:{cls.fake.port}", cls.tls)

    def test_serves_https(self) -> None:
        reply = self.call("GET", "/v5/user/tokens/current")
        self.assertEqual(reply.status, 200)
        self.assertEqual(reply.json()["token"]["id"], "id-alpha")
        self.assertEqual(self.call("GET", "/v5/user/tokens",
                                   token=None).json(), MISSING_TOKEN_ERROR)

    def test_client_abort_of_a_held_request_is_detected(self) -> None:
        self.add_fault(hold=True)
        raw = socket.create_connection(("127.0.0.1", self.fake.port),
                                       TIMEOUT_S)
        self.abort_held_request(
            self.tls.wrap_socket(raw, server_hostname="127.0.0.1"))
        self.assertEqual(self.client.wait("wait_aborted", 1), 1)
        self.assertIs(self.recorded()[0]["aborted"], True)


class ProcessTest(unittest.TestCase):
    """Start-up and signal handling of the process itself."""

    def test_exits_cleanly_on_sigterm_and_sigint(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=signum.name):
                fake = FakeProcess()
                self.addCleanup(fake.stop)
                client = Client(f"http://127.0.0.1:{fake.port}")
                client.control("POST", "faults", {"hold": True})
                with concurrent.futures.ThreadPoolExecutor() as pool:
                    held = pool.submit(client.call, "GET", "/v5/user/tokens")
                    self.assertEqual(client.wait("wait_held", 1), 1)
                    self.assertEqual(fake.stop(signum), 0)
                    with self.assertRaises(OSError):
                        held.result(TIMEOUT_S)

    def test_rejects_half_a_tls_configuration(self) -> None:
        result = subprocess.run(
            [sys.executable, str(FAKE_VERCEL), "--tls-cert", "cert.pem"],
            capture_output=True, text=True, timeout=TIMEOUT_S)
        self.assertEqual(result.returncode, 2)
        self.assertIn("--tls-cert and --tls-key go together", result.stderr)


if __name__ == "__main__":
    unittest.main()
