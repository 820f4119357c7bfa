"""Lists, creates, gets and deletes a Vercel user token through the
vercel-user-tokens service, then shows what a caller gets for a token that
does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).

    VUT_ADDRESS=localhost:50051 VUT_PLAINTEXT=1 VERCEL_TOKEN=... \\
      VERCEL_TEAM_ID=team_... python3 example.py

Reads are retried when the server says how long to wait (RetryInfo), within
the 10 s deadline. Exits 1, with the error's details on stderr, when a step
that should work fails. Needs the package: pip install ./client/python.
"""

from __future__ import annotations

import os
import sys
from typing import Callable

from vercel.authentication.v1 import user_tokens_pb2 as pb
from vercel_user_tokens import Client, RetryPolicy, ServiceError


def describe(error: ServiceError, print_line: Callable[[str], None]) -> None:
    """Prints what a failed call carries: its status and decoded details."""
    print_line(f"  code: {error.code.name} ({error.code.value[0]})")
    print_line(f"  message: {error.message}")
    if error.reason:
        print_line(f"  error_info: reason={error.reason} domain={error.domain}")
        for key in sorted(error.metadata):
            print_line(f"  error_info.metadata: {key}={error.metadata[key]}")
    if error.retry_delay is None:
        print_line("  retry_info: none")
    else:
        print_line(
            f"  retry_info: retry after {error.retry_delay.total_seconds():g}s")
    for violation in error.field_violations:
        print_line(f"  bad_request: {violation.field}: {violation.description}")


def show_failure(what: str, call: Callable[[], object]) -> None:
    """Runs a call that is expected to fail and prints its error on stdout."""
    try:
        call()
    except ServiceError as error:
        print(f"{what} failed:")
        describe(error, print)
        return
    raise RuntimeError(f"{what} unexpectedly succeeded")


def main() -> int:
    team_id = os.environ["VERCEL_TEAM_ID"]
    # TLS is the default; VUT_PLAINTEXT=1 asks for plaintext, as to a
    # server inside the cluster or `make demo`.
    with Client(os.environ["VUT_ADDRESS"], token=os.environ["VERCEL_TOKEN"],
                plaintext=os.environ.get("VUT_PLAINTEXT") == "1",
                deadline=10, retry=RetryPolicy()) as client:
        step = "ListAuthTokens"
        try:
            listed = client.list_auth_tokens()
            names = ", ".join(token.name for token in listed.tokens)
            print(f"listed {len(listed.tokens)} token(s): {names}")

            step = "CreateAuthToken"
            created = client.create_auth_token(
                pb.CreateAuthTokenRequest(team_id=team_id,
                                          name="example-python"))
            token_id = created.token.id
            # created.bearer_token is the new token's secret: Vercel returns
            # it only this once, so store it safely (never log it).
            print(f"created token {token_id} named {created.token.name}")

            step = "GetAuthToken"
            got = client.get_auth_token(pb.GetAuthTokenRequest(token_id=token_id))
            print(f"got token {got.token.id} named {got.token.name}, "
                  f"prefix {got.token.prefix}")

            step = "DeleteAuthToken"
            deleted = client.delete_auth_token(
                pb.DeleteAuthTokenRequest(token_id=token_id))
            print(f"deleted token {deleted.token_id}")

            show_failure("getting the deleted token", lambda: client.get_auth_token(
                pb.GetAuthTokenRequest(token_id=token_id)))
            show_failure('getting token id "../x"', lambda: client.get_auth_token(
                pb.GetAuthTokenRequest(token_id="../x")))
        except ServiceError as error:
            print(f"{step} failed:", file=sys.stderr)
            describe(error, lambda line: print(line, file=sys.stderr))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
