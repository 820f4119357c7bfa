#!/usr/bin/env python3
"""A fake of Vercel's user-token REST API, run as its own process by the tests.

It serves the seven user-token operations (as
shared/reference/vercel-user-tokens-api.md describes them, including "Today's
API": /v6 listing with opaque string cursors, team-less and project-scoped
create, the new token fields, 403s with invalidToken, missingToken and SAML
bodies, x-vercel-id on every response) from in-memory state, plus a control
API under /_fake/ that tests use to seed state, inject faults, hold requests
and inspect what the service under test sent.

Start:  python3 fake_vercel.py --port 0 [--host 127.0.0.1]
                               [--tls-cert FILE --tls-key FILE]
Once listening it prints one line "PORT <n>" to stdout; logs go to stderr.
SIGTERM or SIGINT stops it. Python 3.11 standard library only; Linux (held
requests watch the client socket with poll(POLLRDHUP)).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import json
import os
import re
import secrets
import select
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

DEFAULT_PAGE_SIZE = 20
MAX_LIST_LIMIT = 100
DEFAULT_WAIT_TIMEOUT_MS = 10_000
RATE_LIMIT = 100
RATE_LIMIT_WINDOW_S = 60
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
AUTHENTICATED_PREFIXES = ("/v5/user/tokens", "/v6/user/tokens",
                          "/v3/user/tokens")
CONTROL_PREFIX = "/_fake/"
TOKEN_TYPE = "oauth2-token"
DEFAULT_EMAIL_TOKEN_NAME = "email-login"
# Unknown fields the service must ignore: one on every success body, one on
# every AuthToken.
FUTURE_BODY_FIELD = {"vercelFutureField": {"x": [1, 2]}}
FUTURE_TOKEN_FIELD = {"futureTokenField": "ignored"}
CREATE_PLAIN_KEYS = frozenset({"name", "expiresAt", "projectId"})
CREATE_OAUTH_KEYS = frozenset(
    {"type", "name", "clientId", "installationId", "expiresAt"})
SECURITY_CODE_ADJECTIVES = (
    "Practical", "Brave", "Calm", "Eager", "Gentle", "Lucky", "Quiet", "Swift")
SECURITY_CODE_ANIMALS = (
    "Saola", "Otter", "Falcon", "Lynx", "Heron", "Panda", "Tapir", "Zebra")
# How many characters of a secret AuthToken.prefix and .suffix show.
SECRET_PREFIX_LENGTH = 6
SECRET_SUFFIX_LENGTH = 4

JsonObject = dict[str, Any]


def now_ms() -> int:
    """Returns the wall-clock time in milliseconds since the Unix epoch."""
    return time.time_ns() // 1_000_000


def is_number(value: Any) -> bool:
    """Tells whether a decoded JSON value is a number (booleans are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def as_integral(value: int | float) -> int | float:
    """Returns an integral float (1e12) as an int, as Vercel writes times."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def encode_cursor(created_at: int) -> str:
    """Returns the opaque string cursor /v6 sends for a createdAt."""
    return base64.urlsafe_b64encode(
        json.dumps({"createdAt": created_at}).encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Returns the createdAt of an encode_cursor() cursor, or raises 400."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        created_at = decoded["createdAt"]
    except (ValueError, TypeError, KeyError):
        raise bad_request("`until` and `since` must be cursors this "
                          "listing sent") from None
    if not isinstance(created_at, int) or isinstance(created_at, bool):
        raise bad_request("`until` and `since` must be cursors this "
                          "listing sent")
    return created_at


def new_vercel_id() -> str:
    """Returns a fresh request id shaped like Vercel's x-vercel-id."""
    return f"fra1::iad1::{secrets.token_hex(4)}-{now_ms()}-{secrets.token_hex(6)}"


def canonical_json(text: str) -> str:
    """Returns text re-encoded as sorted, compact JSON, or "" if not JSON."""
    try:
        parsed = json.loads(text)
    except ValueError:
        return ""
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"))


class ApiError(Exception):
    """An error answer: HTTP status plus a Vercel-style error body."""

    def __init__(self, status: int, code: str, message: str,
                 **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"code": code, "message": message, **extra}}


def bad_request(detail: str) -> ApiError:
    """Returns the 400 error Vercel sends for an invalid request."""
    return ApiError(400, "bad_request", f"Invalid request: {detail}")


# What users of old Vercel CLIs report from the legacy email login
# endpoints. The HTTP status and error code of that answer are not
# documented; the fake sends 400 `bad_request`, and the service recognises the
# message alone.
LEGACY_LOGIN_DISABLED_MESSAGE = (
    "The legacy authentication flow is disabled. Please upgrade the Vercel "
    "CLI to the latest version.")


def legacy_login_disabled() -> ApiError:
    """Returns today's answer of Vercel's legacy email login endpoints."""
    return ApiError(400, "bad_request", LEGACY_LOGIN_DISABLED_MESSAGE)


def token_not_found() -> ApiError:
    """Returns the 404 error for an unknown token id."""
    return ApiError(404, "not_found", "Token not found")


# --------------------------------------------------------------------------
# Vercel state: tokens and pending email logins.
# --------------------------------------------------------------------------


@dataclasses.dataclass
class StoredToken:
    """One token: its AuthToken metadata plus the secret bearer."""

    id: str
    name: str
    origin: str
    scopes: list[JsonObject]
    created_at: int
    active_at: int
    secret: str
    expires_at: int | float | None = None
    project_id: str | None = None
    leaked_url: str | None = None

    def to_json(self) -> JsonObject:
        """Returns the AuthToken JSON object (never the whole secret)."""
        body: JsonObject = {
            "id": self.id,
            "name": self.name,
            "type": TOKEN_TYPE,
            "origin": self.origin,
            "scopes": [json.loads(json.dumps(scope)) for scope in self.scopes],
            "activeAt": self.active_at,
            "createdAt": self.created_at,
            "prefix": self.secret[:SECRET_PREFIX_LENGTH],
            "suffix": self.secret[-SECRET_SUFFIX_LENGTH:],
        }
        if self.expires_at is not None:
            body["expiresAt"] = self.expires_at
        if self.project_id is not None:
            body["projectId"] = self.project_id
        if self.leaked_url is not None:
            # Vercel's secret scanning found it in public and revoked it.
            body["leakedAt"] = self.created_at + 1
            body["leakedUrl"] = self.leaked_url
            body["revokedAt"] = self.created_at + 2
        body.update(FUTURE_TOKEN_FIELD)
        return body


@dataclasses.dataclass(frozen=True)
class TokenSpec:
    """What a new token needs besides the times the store assigns."""

    name: str
    origin: str
    team_id: str | None = None
    expires_at: int | float | None = None
    secret: str | None = None
    token_id: str | None = None
    project_id: str | None = None
    leaked_url: str | None = None
    sudo: JsonObject | None = None


@dataclasses.dataclass
class PendingLogin:
    """An email login waiting for the user to confirm it."""

    email: str
    token_name: str | None
    confirmed: bool = False


def new_secret() -> str:
    """Returns a fresh bearer secret shaped like Vercel's."""
    return "vcp_" + secrets.token_urlsafe(24)


def new_security_code() -> str:
    """Returns a two-word security code such as "Practical Saola"."""
    return (f"{secrets.choice(SECURITY_CODE_ADJECTIVES)} "
            f"{secrets.choice(SECURITY_CODE_ANIMALS)}")


class TokenStore:
    """Tokens and pending email logins. Every method is thread-safe.

    Methods return JSON copies, never the stored objects. createdAt values
    strictly increase so that newest-first pagination is deterministic.
    """

    def __init__(self, lock: threading.Condition) -> None:
        self._lock = lock
        self._tokens: dict[str, StoredToken] = {}
        self._ids_by_secret: dict[str, str] = {}
        self._logins: dict[str, PendingLogin] = {}
        self._last_created_ms = 0
        self._page_size = DEFAULT_PAGE_SIZE
        self._testing_token: StoredToken | None = None
        self._saml_teams: frozenset[str] = frozenset()
        self._legacy_login_disabled = False

    def reset(self, page_size: int, with_testing_token: bool,
              seeds: list[TokenSpec],
              saml_teams: frozenset[str] = frozenset(),
              legacy_login_disabled: bool = False) -> list[JsonObject]:
        """Forgets everything, then creates the seeds in order."""
        with self._lock:
            self._legacy_login_disabled = legacy_login_disabled
            self._tokens.clear()
            self._ids_by_secret.clear()
            self._logins.clear()
            self._page_size = page_size
            self._saml_teams = saml_teams
            self._testing_token = None
            if with_testing_token:
                self._testing_token = self._build(
                    TokenSpec(name="testing-token", origin="manual"))
            return [self._add(seed).to_json() for seed in seeds]

    def create(self, spec: TokenSpec) -> tuple[JsonObject, str]:
        """Creates a token; returns its AuthToken JSON and its secret."""
        with self._lock:
            token = self._add(spec)
            return token.to_json(), token.secret

    def authenticate(self, secret: str) -> str | None:
        """Returns the id of the token with that secret, marking it active."""
        with self._lock:
            token_id = self._ids_by_secret.get(secret)
            if token_id is None:
                return None
            token = self._tokens[token_id]
            token.active_at = max(now_ms(), token.created_at)
            return token_id

    def legacy_login_disabled(self) -> bool:
        """Tells whether email login answers as Vercel does for old CLIs."""
        with self._lock:
            return self._legacy_login_disabled

    def enforces_saml(self, team_id: str) -> bool:
        """Tells whether the team requires SAML (a 403 for any token)."""
        with self._lock:
            return team_id in self._saml_teams

    def get(self, token_id: str) -> JsonObject | None:
        """Returns the AuthToken JSON of a token, or None if unknown."""
        with self._lock:
            token = self._tokens.get(token_id)
            return token.to_json() if token else None

    def revoke(self, token_id: str) -> bool:
        """Deletes a token so its secret stops working; False if unknown."""
        with self._lock:
            token = self._tokens.pop(token_id, None)
            if token is None:
                return False
            del self._ids_by_secret[token.secret]
            return True

    def page(self, until: int | None, since: int | None = None,
             limit: int | None = None,
             cursor: Callable[[int], Any] = lambda created_at: created_at,
             with_testing_token: bool = True) -> JsonObject:
        """Returns one newest-first page of tokens.

        Without since: the newest `limit` (else page_size) tokens created
        before until. With since: the oldest such tokens created after since
        (the page before it), still listed newest first. next points past
        the page's oldest token when older ones exist, prev at its newest.
        `cursor` turns a createdAt into the cursor sent as next/prev.
        """
        with self._lock:
            size = limit or self._page_size
            newest_first = sorted(self._tokens.values(),
                                  key=lambda token: token.created_at,
                                  reverse=True)
            eligible = [token for token in newest_first
                        if (until is None or token.created_at < until)
                        and (since is None or token.created_at > since)]
            page = eligible[-size:] if since is not None else eligible[:size]
            older = [token for token in newest_first
                     if page and token.created_at < page[-1].created_at]
            body: JsonObject = {
                "tokens": [token.to_json() for token in page],
                "pagination": {
                    "count": len(page),
                    "next": cursor(page[-1].created_at) if older else None,
                    "prev": cursor(page[0].created_at) if page else None,
                },
            }
            if with_testing_token and self._testing_token is not None:
                body["testingToken"] = self._testing_token.to_json()
            return body

    def start_login(self, email: str,
                    token_name: str | None) -> tuple[str, str]:
        """Records a pending login; returns its verification token and code."""
        verification = secrets.token_urlsafe(24)
        with self._lock:
            self._logins[verification] = PendingLogin(email, token_name)
        return verification, new_security_code()

    def confirm(self, email: str) -> int:
        """Confirms every pending login of email; returns how many."""
        with self._lock:
            logins = [login for login in self._logins.values()
                      if login.email == email]
            for login in logins:
                login.confirmed = True
            return len(logins)

    def verify(self, verification: str, query_token_name: str | None,
               team_slug: str | None) -> JsonObject:
        """Turns a confirmed login into a new token (once)."""
        with self._lock:
            login = self._logins.get(verification)
            if login is None:
                raise ApiError(403, "forbidden", "Invalid verification token")
            if not login.confirmed:
                raise ApiError(400, "bad_request", "Confirmation incomplete")
            del self._logins[verification]
            name = (login.token_name or query_token_name
                    or DEFAULT_EMAIL_TOKEN_NAME)
            token = self._add(TokenSpec(name=name, origin="email"))
            body: JsonObject = {"token": token.secret, "email": login.email}
            if team_slug:
                body["teamId"] = "team_" + team_slug
            return body

    def _add(self, spec: TokenSpec) -> StoredToken:
        token = self._build(spec)
        self._tokens[token.id] = token
        self._ids_by_secret[token.secret] = token.id
        return token

    def _build(self, spec: TokenSpec) -> StoredToken:
        created = max(now_ms(), self._last_created_ms + 1)
        self._last_created_ms = created
        expires_at = (None if spec.expires_at is None
                      else as_integral(spec.expires_at))
        scope: JsonObject = ({"type": "team", "teamId": spec.team_id}
                             if spec.team_id else {"type": "user"})
        scope.update(origin=spec.origin, createdAt=created)
        if expires_at is not None:
            scope["expiresAt"] = expires_at
        if spec.sudo is not None and not spec.team_id:
            scope["sudo"] = dict(spec.sudo)
        return StoredToken(
            id=spec.token_id or secrets.token_hex(32),
            name=spec.name,
            origin=spec.origin,
            scopes=[scope],
            created_at=created,
            active_at=created,
            secret=spec.secret or new_secret(),
            expires_at=expires_at,
            project_id=spec.project_id,
            leaked_url=spec.leaked_url,
        )


# --------------------------------------------------------------------------
# Test harness state: recorded requests, faults, held requests.
# --------------------------------------------------------------------------


@dataclasses.dataclass
class Fault:
    """An injected misbehaviour for the requests it matches."""

    method: str | None = None
    path: str | None = None
    path_prefix: str | None = None
    times: int = 1
    status: int | None = None
    headers: dict[str, str] = dataclasses.field(default_factory=dict)
    body: str | None = None
    hold: bool = False
    delay_ms: int = 0
    close: bool = False
    cut_headers: bool = False

    def matches(self, method: str, path: str) -> bool:
        """Tells whether this fault applies to a request (times aside)."""
        return ((self.method is None or self.method.upper() == method)
                and (self.path is None or self.path == path)
                and (self.path_prefix is None
                     or path.startswith(self.path_prefix)))

    @property
    def replaces_answer(self) -> bool:
        """Tells whether the fault sends its own status/body."""
        return self.status is not None or self.body is not None

    def answer(self) -> tuple[int, bytes]:
        """Returns the status (200 if only a body was given) and raw body."""
        status = 200 if self.status is None else self.status
        return status, (self.body or "").encode()


def watch_held_connection(connection: socket.socket, wake_fd: int,
                          timeout_ms: int | None = None) -> bool:
    """Blocks until released or timeout_ms have passed (True), or until the
    client hangs up (False). None waits for a release only.

    poll() reports POLLRDHUP once the client has closed its end, even when
    unread bytes are pending, so this works for TLS too and never spins.
    """
    poller = select.poll()
    poller.register(connection.fileno(), select.POLLRDHUP)
    poller.register(wake_fd, select.POLLIN)
    ready = dict(poller.poll(timeout_ms))
    return connection.fileno() not in ready


class Harness:
    """Recorded requests, faults and held requests. Thread-safe.

    Shares the store's Condition; notifies it whenever a count that a
    /_fake/wait* endpoint waits on changes.
    """

    def __init__(self, condition: threading.Condition) -> None:
        self._condition = condition
        self._records: list[JsonObject] = []
        self._faults: list[Fault] = []
        self._held_wakers: list[int] = []
        self._aborted = 0

    def reset(self) -> None:
        """Releases held requests and forgets records, faults and counts."""
        with self._condition:
            self.release_all()
            self._records.clear()
            self._faults.clear()
            self._aborted = 0
            self._condition.notify_all()

    def record(self, entry: JsonObject) -> int:
        """Appends a request record; returns the rate-limit remaining."""
        with self._condition:
            self._records.append(entry)
            self._condition.notify_all()
            return max(0, RATE_LIMIT - len(self._records))

    def snapshot(self) -> list[JsonObject]:
        """Returns a deep copy of the records, oldest first."""
        with self._condition:
            return json.loads(json.dumps(self._records))

    def add_fault(self, fault: Fault) -> int:
        """Appends a fault; returns how many faults are registered."""
        with self._condition:
            self._faults.append(fault)
            return len(self._faults)

    def take_fault(self, method: str, path: str) -> Fault | None:
        """Returns the first matching fault with times left, using one."""
        with self._condition:
            for fault in self._faults:
                if fault.times > 0 and fault.matches(method, path):
                    fault.times -= 1
                    return fault
            return None

    def hold(self, entry: JsonObject, connection: socket.socket,
             timeout_ms: int | None = None) -> bool:
        """Holds a request until released or timeout_ms have passed (True),
        or aborted (False). None holds it until released."""
        wake_read, wake_write = os.pipe()
        with self._condition:
            self._held_wakers.append(wake_write)
            self._condition.notify_all()
        released = False
        try:
            released = watch_held_connection(connection, wake_read,
                                             timeout_ms)
        finally:
            with self._condition:
                if wake_write in self._held_wakers:
                    self._held_wakers.remove(wake_write)
                if not released:
                    entry["aborted"] = True
                    self._aborted += 1
                self._condition.notify_all()
            os.close(wake_read)
            os.close(wake_write)
        return released

    def release_all(self) -> int:
        """Releases every held request; returns how many."""
        with self._condition:
            for wake_write in self._held_wakers:
                os.write(wake_write, b"!")
            released = len(self._held_wakers)
            self._held_wakers.clear()
            self._condition.notify_all()
            return released

    def recorded_count(self) -> int:
        """Returns how many requests were recorded since the last reset."""
        with self._condition:
            return len(self._records)

    def held_count(self) -> int:
        """Returns how many requests are being held right now."""
        with self._condition:
            return len(self._held_wakers)

    def aborted_count(self) -> int:
        """Returns how many held requests their clients abandoned."""
        with self._condition:
            return self._aborted

    def wait_until(self, measure: Callable[[], int], count: int,
                   timeout_s: float) -> tuple[bool, int]:
        """Waits until measure() >= count; returns (reached, measure())."""
        with self._condition:
            reached = self._condition.wait_for(
                lambda: measure() >= count, timeout_s)
            return reached, measure()


# --------------------------------------------------------------------------
# Requests and the Vercel API.
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IncomingRequest:
    """One HTTP request as received: raw path and query, decoded headers."""

    method: str
    path: str
    raw_query: str
    headers: dict[str, str]
    body: bytes

    @property
    def query(self) -> dict[str, str]:
        """Returns the decoded query parameters (the last value wins)."""
        return dict(urllib.parse.parse_qsl(self.raw_query,
                                           keep_blank_values=True))

    @property
    def text(self) -> str:
        """Returns the body as text (invalid UTF-8 replaced)."""
        return self.body.decode("utf-8", errors="replace")

    def json_object(self) -> JsonObject:
        """Returns the body as a JSON object, or raises a 400 ApiError."""
        try:
            parsed = json.loads(self.text)
        except ValueError:
            raise bad_request("the body is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise bad_request("the body must be a JSON object")
        return parsed

    def to_record(self) -> JsonObject:
        """Returns the entry /_fake/requests reports for this request."""
        return {
            "method": self.method,
            "path": self.path,
            "raw_query": self.raw_query,
            "query": self.query,
            "headers": dict(self.headers),
            "body": self.text,
            "body_json": canonical_json(self.text),
            "aborted": False,
            "received_ms": now_ms(),
            # The x-vercel-id the answer carries (unless a fault replaces it).
            "vercel_id": new_vercel_id(),
        }


def validate_create_body(body: JsonObject) -> None:
    """Raises a 400 ApiError unless body is a valid create-token body."""
    allowed = CREATE_OAUTH_KEYS if "type" in body else CREATE_PLAIN_KEYS
    unexpected = sorted(set(body) - allowed)
    if unexpected:
        raise bad_request(f"unexpected property `{unexpected[0]}`")
    if "type" in body and body["type"] != TOKEN_TYPE:
        raise bad_request(f"`type` must be \"{TOKEN_TYPE}\"")
    if not isinstance(body.get("name"), str):
        raise bad_request("`name` is required and must be a string")
    if "expiresAt" in body and not is_number(body["expiresAt"]):
        raise bad_request("`expiresAt` must be a number")
    for key in ("clientId", "installationId", "projectId"):
        if key in body and not isinstance(body[key], str):
            raise bad_request(f"`{key}` must be a string")


def is_valid_email(email: str) -> bool:
    """Tells whether email has exactly one "@" and a "." in its domain."""
    local_and_domain = email.split("@")
    return len(local_and_domain) == 2 and "." in local_and_domain[1]


VercelHandler = Callable[..., JsonObject]


class VercelApi:
    """Routes Vercel requests to handlers that use the token store."""

    def __init__(self, store: TokenStore) -> None:
        self._store = store
        self._routes: list[tuple[str, re.Pattern[str], VercelHandler]] = [
            ("GET", re.compile(r"/v5/user/tokens"), self._list_tokens),
            ("GET", re.compile(r"/v6/user/tokens"), self._list_tokens_v6),
            ("GET", re.compile(r"/v5/user/tokens/(?P<token_id>[^/]+)"),
             self._get_token),
            ("POST", re.compile(r"/v3/user/tokens"), self._create_token),
            ("DELETE", re.compile(r"/v3/user/tokens/(?P<token_id>[^/]+)"),
             self._delete_token),
            ("POST", re.compile(r"/registration"), self._email_login),
            ("GET", re.compile(r"/registration/verify"), self._verify_login),
        ]

    def respond(self, request: IncomingRequest) -> tuple[int, JsonObject]:
        """Returns the status and JSON body Vercel would answer with."""
        try:
            caller = None
            if request.path.startswith(AUTHENTICATED_PREFIXES):
                caller = self._authenticate(request)
                self._enforce_saml(request)
            handler, params = self._route(request)
            body = handler(request, caller, **params)
        except ApiError as error:
            return error.status, error.body
        return 200, {**body, **FUTURE_BODY_FIELD}

    def _route(self, request: IncomingRequest
               ) -> tuple[VercelHandler, dict[str, str]]:
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if method == request.method and match:
                params = {name: urllib.parse.unquote(value)
                          for name, value in match.groupdict().items()}
                return handler, params
        raise ApiError(404, "not_found", "The requested path was not found")

    def _authenticate(self, request: IncomingRequest) -> str:
        scheme, _, secret = request.headers.get(
            "authorization", "").partition(" ")
        secret = secret.strip()
        if scheme.lower() != "bearer" or not secret:
            raise ApiError(403, "forbidden",
                           "The request is missing an authentication token",
                           missingToken=True)
        token_id = self._store.authenticate(secret)
        if token_id is None:
            raise ApiError(403, "forbidden", "Not authorized",
                           invalidToken=True)
        return token_id

    def _enforce_saml(self, request: IncomingRequest) -> None:
        team_id = request.query.get("teamId")
        if team_id and self._store.enforces_saml(team_id):
            raise ApiError(403, "forbidden",
                           "You must re-authenticate with SAML to access "
                           "this team", saml=True, teamId=team_id,
                           scope=f"scope-{team_id}", enforced=True)

    @staticmethod
    def _limit(query: dict[str, str]) -> int | None:
        text = query.get("limit")
        if text is None:
            return None
        if not text.isdigit() or not 1 <= int(text) <= MAX_LIST_LIMIT:
            raise bad_request(f"`limit` must be 1 to {MAX_LIST_LIMIT}")
        return int(text)

    def _list_tokens(self, request: IncomingRequest,
                     caller: str) -> JsonObject:
        """The seed's /v5 listing: numeric (millisecond) cursors."""
        cursors = {}
        for key in ("until", "since"):
            text = request.query.get(key)
            if text is not None:
                try:
                    cursors[key] = int(text)
                except ValueError:
                    raise bad_request(f"`{key}` must be a number") from None
        return self._store.page(cursors.get("until"), cursors.get("since"),
                                self._limit(request.query))

    def _list_tokens_v6(self, request: IncomingRequest,
                        caller: str) -> JsonObject:
        """Today's /v6 listing: opaque string cursors, no testingToken."""
        query = request.query
        until = query.get("until")
        since = query.get("since")
        return self._store.page(
            None if until is None else decode_cursor(until),
            None if since is None else decode_cursor(since),
            self._limit(query), cursor=encode_cursor,
            with_testing_token=False)

    def _get_token(self, request: IncomingRequest, caller: str,
                   token_id: str) -> JsonObject:
        token = self._store.get(caller if token_id == "current" else token_id)
        if token is None:
            raise token_not_found()
        return {"token": token}

    def _create_token(self, request: IncomingRequest,
                      caller: str) -> JsonObject:
        team_id = request.query.get("teamId") or None
        body = request.json_object()
        validate_create_body(body)
        if "projectId" in body and team_id is None:
            raise bad_request("a project-scoped token needs `teamId`")
        token, secret = self._store.create(TokenSpec(
            name=body["name"], origin="manual", team_id=team_id,
            expires_at=body.get("expiresAt"),
            project_id=body.get("projectId")))
        return {"token": token, "bearerToken": secret}

    def _delete_token(self, request: IncomingRequest, caller: str,
                      token_id: str) -> JsonObject:
        target = caller if token_id == "current" else token_id
        if not self._store.revoke(target):
            raise token_not_found()
        return {"tokenId": target}

    def _email_login(self, request: IncomingRequest,
                     caller: None) -> JsonObject:
        if self._store.legacy_login_disabled():
            raise legacy_login_disabled()
        body = request.json_object()
        email = body.get("email")
        token_name = body.get("tokenName")
        if not isinstance(email, str) or not is_valid_email(email):
            raise ApiError(400, "invalid_email", "Invalid email")
        if token_name is not None and not isinstance(token_name, str):
            raise bad_request("`tokenName` must be a string")
        verification, code = self._store.start_login(email, token_name)
        return {"token": verification, "securityCode": code}

    def _verify_login(self, request: IncomingRequest,
                      caller: None) -> JsonObject:
        if self._store.legacy_login_disabled():
            raise legacy_login_disabled()
        query = request.query
        return self._store.verify(query.get("token", ""),
                                  query.get("tokenName") or None,
                                  query.get("teamSlug") or None)


# --------------------------------------------------------------------------
# The control API under /_fake/.
# --------------------------------------------------------------------------


def require_keys(body: JsonObject, allowed: set[str], what: str) -> None:
    """Raises a 400 ApiError if body has a key outside allowed."""
    unexpected = sorted(set(body) - allowed)
    if unexpected:
        raise bad_request(f"unknown {what} key `{unexpected[0]}`")


def typed(body: JsonObject, key: str, kind: type | tuple[type, ...],
          default: Any = None) -> Any:
    """Returns body[key] if of the given kind, default if absent, else 400.

    Booleans are never accepted where an int is expected.
    """
    if key not in body:
        return default
    value = body[key]
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if ((isinstance(value, bool) and bool not in kinds)
            or not isinstance(value, kinds)):
        raise bad_request(f"`{key}` has the wrong type")
    return value


def parse_seed(seed: Any) -> TokenSpec:
    """Turns one /_fake/reset token entry into a TokenSpec."""
    if not isinstance(seed, dict):
        raise bad_request("each seeded token must be an object")
    require_keys(seed, {"name", "bearerToken", "teamId", "expiresAt", "id",
                        "projectId", "leakedUrl", "sudo"}, "token")
    return TokenSpec(
        name=typed(seed, "name", str, "seed"),
        origin="manual",
        team_id=typed(seed, "teamId", str),
        expires_at=typed(seed, "expiresAt", (int, float)),
        secret=typed(seed, "bearerToken", str),
        token_id=typed(seed, "id", str),
        project_id=typed(seed, "projectId", str),
        leaked_url=typed(seed, "leakedUrl", str),
        sudo=typed(seed, "sudo", dict),
    )


def parse_fault(body: JsonObject) -> Fault:
    """Turns a /_fake/faults body into a Fault."""
    require_keys(body, {field.name for field in dataclasses.fields(Fault)},
                 "fault")
    headers = typed(body, "headers", dict, {})
    if not all(isinstance(value, str) for value in headers.values()):
        raise bad_request("header values must be strings")
    fault = Fault(
        method=typed(body, "method", str),
        path=typed(body, "path", str),
        path_prefix=typed(body, "path_prefix", str),
        times=typed(body, "times", int, 1),
        status=typed(body, "status", int),
        headers=headers,
        body=typed(body, "body", str),
        hold=typed(body, "hold", bool, False),
        delay_ms=typed(body, "delay_ms", int, 0),
        close=typed(body, "close", bool, False),
        cut_headers=typed(body, "cut_headers", bool, False),
    )
    if fault.times < 1:
        raise bad_request("`times` must be at least 1")
    if fault.delay_ms < 0:
        raise bad_request("`delay_ms` must not be negative")
    if fault.hold and fault.delay_ms:
        raise bad_request("`hold` and `delay_ms` exclude each other")
    if fault.status is not None and not 100 <= fault.status <= 599:
        raise bad_request("`status` must be an HTTP status code")
    return fault


def query_int(query: dict[str, str], key: str, default: int) -> int:
    """Returns a non-negative integer query parameter, or raises 400."""
    text = query.get(key)
    if text is None:
        return default
    if not text.isdigit():
        raise bad_request(f"`{key}` must be a non-negative integer")
    return int(text)


ControlHandler = Callable[[IncomingRequest], tuple[int, JsonObject]]


class ControlApi:
    """The /_fake/ endpoints tests use to drive and inspect the fake."""

    def __init__(self, condition: threading.Condition, store: TokenStore,
                 harness: Harness) -> None:
        self._condition = condition
        self._store = store
        self._harness = harness
        self._routes: dict[tuple[str, str], ControlHandler] = {
            ("POST", "reset"): self._reset,
            ("POST", "faults"): self._add_fault,
            ("POST", "release"): self._release,
            ("POST", "confirm"): self._confirm,
            ("GET", "requests"): self._requests,
            ("GET", "wait"): self._waiter(harness.recorded_count),
            ("GET", "wait_held"): self._waiter(harness.held_count),
            ("GET", "wait_aborted"): self._waiter(harness.aborted_count),
        }

    def respond(self, request: IncomingRequest) -> tuple[int, JsonObject]:
        """Returns the status and JSON body for a control request."""
        name = request.path.removeprefix(CONTROL_PREFIX)
        handler = self._routes.get((request.method, name))
        try:
            if handler is None:
                raise ApiError(404, "not_found",
                               f"No control endpoint {request.method} "
                               f"{request.path}")
            return handler(request)
        except ApiError as error:
            return error.status, error.body

    @staticmethod
    def _optional_object(request: IncomingRequest) -> JsonObject:
        return request.json_object() if request.body.strip() else {}

    def _reset(self, request: IncomingRequest) -> tuple[int, JsonObject]:
        body = self._optional_object(request)
        require_keys(body, {"page_size", "testing_token", "tokens",
                            "saml_teams", "legacy_login_disabled"}, "reset")
        page_size = typed(body, "page_size", int, DEFAULT_PAGE_SIZE)
        if page_size < 1:
            raise bad_request("`page_size` must be at least 1")
        testing_token = typed(body, "testing_token", bool, False)
        seeds = [parse_seed(seed) for seed in typed(body, "tokens", list, [])]
        saml_teams = typed(body, "saml_teams", list, [])
        if not all(isinstance(team, str) for team in saml_teams):
            raise bad_request("`saml_teams` must be a list of team ids")
        legacy = typed(body, "legacy_login_disabled", bool, False)
        for attribute in ("secret", "token_id"):
            values = [getattr(seed, attribute) for seed in seeds
                      if getattr(seed, attribute) is not None]
            if len(values) != len(set(values)):
                raise bad_request("seeded ids and bearerTokens must be unique")
        with self._condition:
            self._harness.reset()
            tokens = self._store.reset(page_size, testing_token, seeds,
                                       frozenset(saml_teams), legacy)
        return 200, {"tokens": tokens}

    def _add_fault(self, request: IncomingRequest) -> tuple[int, JsonObject]:
        count = self._harness.add_fault(parse_fault(request.json_object()))
        return 200, {"faults": count}

    def _release(self, request: IncomingRequest) -> tuple[int, JsonObject]:
        return 200, {"released": self._harness.release_all()}

    def _confirm(self, request: IncomingRequest) -> tuple[int, JsonObject]:
        email = typed(request.json_object(), "email", str)
        if email is None:
            raise bad_request("`email` is required")
        confirmed = self._store.confirm(email)
        if confirmed == 0:
            raise ApiError(404, "not_found", "No pending login for that email")
        return 200, {"confirmed": confirmed}

    def _requests(self, request: IncomingRequest) -> tuple[int, JsonObject]:
        return 200, {"requests": self._harness.snapshot()}

    def _waiter(self, measure: Callable[[], int]) -> ControlHandler:
        def wait(request: IncomingRequest) -> tuple[int, JsonObject]:
            count = query_int(request.query, "count", 1)
            timeout_ms = query_int(request.query, "timeout_ms",
                                   DEFAULT_WAIT_TIMEOUT_MS)
            reached, current = self._harness.wait_until(
                measure, count, timeout_ms / 1000)
            if reached:
                return 200, {"count": current}
            error = ApiError(408, "timeout",
                             f"Waited {timeout_ms} ms for {count}, "
                             f"have {current}")
            return 408, {**error.body, "count": current}
        return wait


# --------------------------------------------------------------------------
# HTTP plumbing.
# --------------------------------------------------------------------------


def merge_headers(base: dict[str, str],
                  overrides: dict[str, str]) -> dict[str, str]:
    """Returns base with overrides applied, names compared case-blind."""
    merged = {name: value for name, value in base.items()
              if name.lower() not in {key.lower() for key in overrides}}
    merged.update(overrides)
    return merged


def vercel_headers(remaining: int, vercel_id: str) -> dict[str, str]:
    """Returns the headers every Vercel response carries."""
    return {
        "Content-Type": JSON_CONTENT_TYPE,
        "X-Vercel-Id": vercel_id,
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(time.time()) + RATE_LIMIT_WINDOW_S),
    }


class FakeVercelHandler(BaseHTTPRequestHandler):
    """Reads one request, answers it through the control or Vercel API."""

    protocol_version = "HTTP/1.1"
    # Buffer each response into one write (the base class flushes after
    # every request) and send it at once: otherwise Nagle's algorithm and
    # delayed ACKs add ~40 ms to every answer on a keep-alive connection.
    wbufsize = -1
    disable_nagle_algorithm = True
    server: FakeVercelServer

    def handle_any(self) -> None:
        """Handles a request of any method."""
        body = self._read_body()
        if body is None:
            return
        path, _, raw_query = self.path.partition("?")
        request = IncomingRequest(
            method=self.command,
            path=path,
            raw_query=raw_query,
            headers=self._lowercased_headers(),
            body=body,
        )
        if path.startswith(CONTROL_PREFIX):
            status, payload = self.server.control_api.respond(request)
            self._send(status, {"Content-Type": JSON_CONTENT_TYPE},
                       json.dumps(payload).encode())
        else:
            self._serve_vercel(request)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any
    do_HEAD = do_OPTIONS = handle_any

    def _serve_vercel(self, request: IncomingRequest) -> None:
        harness = self.server.harness
        entry = request.to_record()
        remaining = harness.record(entry)
        fault = harness.take_fault(request.method, request.path)
        if fault and fault.hold and not harness.hold(entry, self.connection):
            self.close_connection = True
            return
        if (fault and fault.delay_ms
                and not harness.hold(entry, self.connection, fault.delay_ms)):
            self.close_connection = True
            return
        if fault and fault.close:
            self.close_connection = True
            return
        if fault and fault.cut_headers:
            # A status line and part of the headers, then the connection
            # closes: the response never completes.
            self.wfile.write(b"HTTP/1.1 200 OK\r\n"
                             b"Content-Type: application/json\r\n"
                             b"Content-Len")
            self.wfile.flush()
            self.close_connection = True
            return
        if fault and fault.replaces_answer:
            status, body = fault.answer()
        else:
            status, payload = self.server.vercel_api.respond(request)
            body = json.dumps(payload).encode()
        headers = vercel_headers(remaining, entry["vercel_id"])
        if fault:
            headers = merge_headers(headers, fault.headers)
        self._send(status, headers, body)

    def _lowercased_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = (f"{headers[key]}, {value}" if key in headers
                            else value)
        return headers

    def _read_body(self) -> bytes | None:
        """Returns the request body, or None after answering a bad one."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked_body()
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.send_error(400, "Bad Content-Length")
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _read_chunked_body(self) -> bytes:
        chunks = []
        while size := int(self.rfile.readline().split(b";")[0], 16):
            chunks.append(self.rfile.read(size))
            self.rfile.readline()
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        return b"".join(chunks)

    def _send(self, status: int, headers: dict[str, str],
              body: bytes) -> None:
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "content-length":
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class FakeVercelServer(ThreadingHTTPServer):
    """The HTTP(S) server plus the state its handler threads share."""

    daemon_threads = True
    # socketserver's default backlog of 5 drops the SYNs of a burst of new
    # connections, which then wait for TCP's retransmission (1 s, 3 s, ...).
    request_queue_size = 128
    # Exit without joining handler threads: held requests and idle
    # keep-alive connections would block server_close() forever.
    block_on_close = False

    def __init__(self, address: tuple[str, int],
                 tls_context: ssl.SSLContext | None = None) -> None:
        super().__init__(address, FakeVercelHandler)
        condition = threading.Condition()
        self.store = TokenStore(condition)
        self.harness = Harness(condition)
        self.vercel_api = VercelApi(self.store)
        self.control_api = ControlApi(condition, self.store, self.harness)
        if tls_context is not None:
            # The handshake runs in the handler thread, not in accept().
            self.socket = tls_context.wrap_socket(
                self.socket, server_side=True, do_handshake_on_connect=False)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """Completes the TLS handshake (if any), then serves the client."""
        if isinstance(request, ssl.SSLSocket):
            try:
                request.do_handshake()
            except (ssl.SSLError, OSError) as error:
                sys.stderr.write(f"TLS handshake with {client_address} "
                                 f"failed: {error}\n")
                return
        super().finish_request(request, client_address)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parses the command line."""
    parser = argparse.ArgumentParser(
        description="Fake Vercel user-token API for tests.")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0,
                        help="port to listen on; 0 picks a free one")
    parser.add_argument("--tls-cert", help="PEM certificate: serve HTTPS")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    return args


def tls_context(cert: str | None, key: str | None) -> ssl.SSLContext | None:
    """Returns a server TLS context for cert/key, or None for plain HTTP."""
    if cert is None:
        return None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def main(argv: list[str] | None = None) -> int:
    """Runs the fake until SIGTERM or SIGINT."""
    args = parse_args(argv)
    server = FakeVercelServer((args.host, args.port),
                              tls_context(args.tls_cert, args.tls_key))

    def stop(signum: int, frame: Any) -> None:
        # Runs in the main thread, interrupting serve_forever() at once.
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"PORT {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
