"""Lists, creates, gets and deletes a Vercel user token through the
vercel-user-tokens service, then shows what a caller gets for a token that
does not exist (NOT_FOUND) and for a malformed id (INVALID_ARGUMENT).

    VUT_ADDRESS=localhost:50051 VERCEL_TOKEN=... VERCEL_TEAM_ID=team_... \\
      python3 example.py

Exits 1, with the error's details on stderr, when a step that should work
fails. Needs the package (client/python) and its runtime, grpcio and
protobuf (on Debian: python3-grpcio, python3-protobuf).
"""

from __future__ import annotations

import os
import sys
from typing import Callable

import grpc
from google.rpc import error_details_pb2, status_pb2
from vercel.authentication.v1 import user_tokens_pb2 as pb
from vercel.authentication.v1 import user_tokens_pb2_grpc

DEADLINE_S = 10


def status_details(error: grpc.RpcError) -> status_pb2.Status:
    """Returns the google.rpc.Status the server put in the
    `grpc-status-details-bin` trailer (empty when there is none)."""
    status = status_pb2.Status()
    for key, value in error.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            status.ParseFromString(value)
    return status


def describe(error: grpc.RpcError, print_line: Callable[[str], None]) -> None:
    """Prints what a failed call carries: its status and google.rpc details."""
    print_line(f"  code: {error.code().name} ({error.code().value[0]})")
    print_line(f"  message: {error.details()}")
    info = error_details_pb2.ErrorInfo()
    retry = None
    violations = []
    for detail in status_details(error).details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
            print_line(f"  error_info: reason={info.reason} "
                       f"domain={info.domain}")
            for key in sorted(info.metadata):
                print_line(f"  error_info.metadata: {key}={info.metadata[key]}")
        elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
            retry = error_details_pb2.RetryInfo()
            detail.Unpack(retry)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
            violations.extend(bad_request.field_violations)
    if retry is None:
        print_line("  retry_info: none")
    else:
        seconds = retry.retry_delay.ToTimedelta().total_seconds()
        print_line(f"  retry_info: retry after {seconds:g}s")
    for violation in violations:
        print_line(f"  bad_request: {violation.field}: {violation.description}")


def show_failure(what: str, call: Callable[[], object]) -> None:
    """Runs a call that is expected to fail and prints its error on stdout."""
    try:
        call()
    except grpc.RpcError as error:
        print(f"{what} failed:")
        describe(error, print)
        return
    raise RuntimeError(f"{what} unexpectedly succeeded")


def main() -> int:
    # The caller's Vercel token goes as `authorization: Bearer <token>`.
    auth = (("authorization", f"Bearer {os.environ['VERCEL_TOKEN']}"),)
    team_id = os.environ["VERCEL_TEAM_ID"]
    # Plaintext, as inside a cluster; behind TLS use
    # grpc.secure_channel(address, grpc.ssl_channel_credentials()) instead.
    with grpc.insecure_channel(os.environ["VUT_ADDRESS"]) as channel:
        stub = user_tokens_pb2_grpc.UserTokensServiceStub(channel)
        step = "ListAuthTokens"
        try:
            listed = stub.ListAuthTokens(pb.ListAuthTokensRequest(),
                                         metadata=auth, timeout=DEADLINE_S)
            names = ", ".join(token.name for token in listed.tokens)
            print(f"listed {len(listed.tokens)} token(s): {names}")

            step = "CreateAuthToken"
            created = stub.CreateAuthToken(
                pb.CreateAuthTokenRequest(team_id=team_id,
                                          name="example-python"),
                metadata=auth, timeout=DEADLINE_S)
            token_id = created.token.id
            # created.bearer_token is the new token's secret: Vercel returns
            # it only this once, so store it safely (never log it).
            print(f"created token {token_id} named {created.token.name}")

            step = "GetAuthToken"
            got = stub.GetAuthToken(pb.GetAuthTokenRequest(token_id=token_id),
                                    metadata=auth, timeout=DEADLINE_S)
            print(f"got token {got.token.id} named {got.token.name}")

            step = "DeleteAuthToken"
            deleted = stub.DeleteAuthToken(
                pb.DeleteAuthTokenRequest(token_id=token_id),
                metadata=auth, timeout=DEADLINE_S)
            print(f"deleted token {deleted.token_id}")

            show_failure("getting the deleted token", lambda: stub.GetAuthToken(
                pb.GetAuthTokenRequest(token_id=token_id), metadata=auth,
                timeout=DEADLINE_S))
            show_failure('getting token id "../x"', lambda: stub.GetAuthToken(
                pb.GetAuthTokenRequest(token_id="../x"), metadata=auth,
                timeout=DEADLINE_S))
        except grpc.RpcError as error:
            print(f"{step} failed:", file=sys.stderr)
            describe(error, lambda line: print(line, file=sys.stderr))
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
