"""client/python's side of the scenario list (client/SPEC.md, section 9):
`python3 python_scenarios.py NAME` runs scenario NAME against the server at
$VUT_ADDRESS and prints one JSON line per case; sdk_scenario_checks.py sets
the fake up and asserts the lines. Type-checked with mypy --strict.
"""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import sys
import time
import urllib.request
from concurrent import futures
from typing import Any, Awaitable, Callable, Optional

import grpc

from vercel.authentication.v1 import user_tokens_pb2 as pb
import vercel_user_tokens as vut
from vercel_user_tokens import aio

ADDRESS = os.environ["VUT_ADDRESS"]
TOKEN = os.environ["VERCEL_TOKEN"]
MISSING_ID = "0" * 64


def emit(case: str, **fields: Any) -> None:
    print(json.dumps({"case": case, **fields}), flush=True)


def error_line(case: str, error: vut.ServiceError, **extra: Any) -> None:
    delay = error.retry_delay
    emit(case, family=type(error).__name__, code=error.code.name,
         reason=error.reason, domain=error.domain,
         http_status=error.http_status,
         retry_delay_ms=(None if delay is None
                         else round(delay.total_seconds() * 1000)),
         field_violations=[v.field for v in error.field_violations],
         vercel_request_id=error.vercel_request_id,
         rate_limit_remaining=error.rate_limit.remaining, **extra)


def expect_error(case: str, call: Callable[[], object]) -> None:
    started = time.monotonic()
    try:
        call()
    except vut.ServiceError as error:
        error_line(case, error,
                   elapsed_ms=round((time.monotonic() - started) * 1000))
        return
    raise AssertionError(f"{case}: no error")


def client(**kwargs: Any) -> vut.Client:
    return vut.Client(ADDRESS, plaintext=True, **kwargs)


def get(token_id: str) -> pb.GetAuthTokenRequest:
    return pb.GetAuthTokenRequest(token_id=token_id)


def errors() -> None:
    with client(token=TOKEN, deadline=5) as c, client(deadline=5) as anonymous:
        expect_error("not_found", lambda: c.get_auth_token(get(MISSING_ID)))
        expect_error("invalid_argument", lambda: c.get_auth_token(get("../x")))
        expect_error("unauthenticated",
                     lambda: anonymous.get_auth_token(get("current")))
        for case, token_id in (
                ("permission_denied", "forbidden"), ("rate_limited", "limited"),
                ("unavailable", "unavailable"), ("internal", "internal"),
                ("unimplemented", "unimplemented"),
                ("deadline_exceeded", "timeout"),
                ("failed_precondition", "teapot"),
                ("already_exists", "conflict")):
            expect_error(case, lambda: c.get_auth_token(get(token_id)))
    emit("families", families={
        str(code.value[0]): vut.errors.for_code(code).__name__
        for code in grpc.StatusCode if code != grpc.StatusCode.OK})


def tls_default() -> None:
    with vut.Client(ADDRESS, token=TOKEN, deadline=5) as default:
        expect_error("tls_default", default.list_auth_tokens)
    with client(token=TOKEN) as c:
        emit("plaintext", tokens=len(c.list_auth_tokens().tokens))
    emit("default_deadline", seconds=vut.DEFAULT_DEADLINE)


def retries() -> None:
    with client(token=TOKEN, deadline=5) as off:
        expect_error("retries_off", off.list_auth_tokens)
    with client(token=TOKEN, deadline=5, retry=vut.RetryPolicy()) as on:
        started = time.monotonic()
        listed = on.list_auth_tokens()
        emit("retries_on", tokens=len(listed.tokens),
             elapsed_ms=round((time.monotonic() - started) * 1000))
        expect_error("retry_beyond_deadline",
                     lambda: on.get_auth_token(get("limited")))


def wait_held() -> None:
    """Returns once the fake holds a request, after the one the per-call
    deadline abandoned was given up."""
    for what in ("wait_aborted", "wait_held"):
        url = f"{os.environ['VUT_FAKE_URL']}/_fake/{what}?count=1"
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()


async def cancelled() -> None:
    async with aio.Client(ADDRESS, token=TOKEN, plaintext=True) as c:
        task = asyncio.ensure_future(c.get_auth_token(get("held")))
        await asyncio.get_running_loop().run_in_executor(None, wait_held)
        task.cancel()
        try:
            await task
        except asyncio.CancelledError as error:
            emit("cancelled", family=type(error).__name__)


def per_call() -> None:
    with client() as anonymous:
        listed = anonymous.list_auth_tokens(
            metadata=[("authorization", f"Bearer {TOKEN}")])
        emit("per_call_metadata", tokens=len(listed.tokens))
    with client(token=TOKEN) as c:
        expect_error("per_call_deadline",
                     lambda: c.get_auth_token(get("held"), timeout=1))
    asyncio.run(cancelled())


def success_metadata() -> None:
    with client(token=TOKEN) as c:
        md = vut.ResponseMetadata()
        c.list_auth_tokens(response_metadata=md)
        emit("success_metadata", vercel_request_id=md.vercel_request_id,
             rate_limit_remaining=md.rate_limit.remaining,
             rate_limit_reset=md.rate_limit.reset)


def pager() -> None:
    with client(token=TOKEN) as c:
        pages = [[token.name for token in page.tokens] for page in
                 c.list_auth_tokens_raw_pages(pb.ListAuthTokensRawRequest(limit=2))]
        emit("pager", pages=pages)


def request_id() -> None:
    with client(token=TOKEN, retry=vut.RetryPolicy()) as c:
        request = pb.CreateAuthTokenRequest(name="request-id-auto")
        created = c.create_auth_token(request)
        c.create_auth_token(pb.CreateAuthTokenRequest(
            name="request-id-own", request_id=os.environ["OWN_REQUEST_ID"]))
        emit("request_id", token_id=created.token.id,
             request_id_after=request.request_id)


def replace_file(path: pathlib.Path, text: str) -> None:
    """Replaces `path` the way the kubelet and secret managers do: a new
    file renamed over the old one."""
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(text)
    os.replace(fresh, path)


def credential_provider() -> None:
    current = [TOKEN]
    token_file = pathlib.Path(os.environ["TOKEN_FILE"])
    with client(token_provider=lambda: current[0]) as by_provider, \
            client(token_provider=vut.token_file(str(token_file))) as by_file:
        seed_id = by_provider.get_auth_token(get("current")).token.id
        created = by_provider.create_auth_token(
            pb.CreateAuthTokenRequest(name="provider"))
        file_ids = [by_file.get_auth_token(get("current")).token.id]
        replace_file(token_file, created.bearer_token + "\n")
        file_ids.append(by_file.get_auth_token(get("current")).token.id)
        current[0] = created.bearer_token
        provider_ids = [seed_id,
                        by_provider.get_auth_token(get("current")).token.id]
        emit("credential_provider", seed_id=seed_id,
             created_id=created.token.id, provider_ids=provider_ids,
             file_ids=file_ids)
    missing = str(token_file.with_name("missing"))
    with client(token_provider=vut.token_file(missing)) as unreadable:
        expect_error("credentials_unavailable",
                     lambda: unreadable.get_auth_token(get("unsent")))


def echo_workload_token(request: pb.GetAuthTokenRequest,
                        context: grpc.ServicerContext
                        ) -> pb.GetAuthTokenResponse:
    """GetAuthToken of a test server: the x-workload-token it received,
    as the token's name."""
    received = dict(context.invocation_metadata())
    name = received.get("x-workload-token", "")
    return pb.GetAuthTokenResponse(token=pb.AuthToken(
        id=request.token_id, name=name if isinstance(name, str) else ""))


def workload_token() -> None:
    path = pathlib.Path(os.environ["WORK_DIR"]) / "workload-token"
    path.write_text("workload-one\n")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "vercel.authentication.v1.UserTokensService",
        {"GetAuthToken": grpc.unary_unary_rpc_method_handler(
            echo_workload_token,
            request_deserializer=pb.GetAuthTokenRequest.FromString,
            response_serializer=pb.GetAuthTokenResponse.SerializeToString)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with vut.Client(f"127.0.0.1:{port}", plaintext=True,
                        workload_token_file=str(path)) as c:
            seen = [c.get_auth_token(get("current")).token.name
                    for _ in range(2)]
            replace_file(path, "workload-two\n")
            seen.append(c.get_auth_token(get("current")).token.name)
        emit("workload_token", seen=seen)
    finally:
        server.stop(None)


async def asyncio_client() -> None:
    async with aio.Client(ADDRESS, token=TOKEN, plaintext=True) as c:
        listed = await c.list_auth_tokens()
        pages = [page async for page in c.list_auth_tokens_raw_pages()]
        try:
            await c.get_auth_token(get(MISSING_ID))
        except vut.NotFound as error:
            emit("asyncio", tokens=len(listed.tokens), pages=len(pages),
                 not_found=error.vercel_request_id != "")


SCENARIOS: dict[str, Callable[[], Optional[Awaitable[None]]]] = {
    "errors": errors, "tls_default": tls_default, "retries": retries,
    "per_call": per_call, "success_metadata": success_metadata,
    "pager": pager, "request_id": request_id,
    "credential_provider": credential_provider,
    "workload_token": workload_token,
    "asyncio": lambda: asyncio.run(asyncio_client()),
}

if __name__ == "__main__":
    SCENARIOS[sys.argv[1]]()
