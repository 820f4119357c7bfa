"""A typed program over client/python: it drives the client layer into each
error family and prints, one JSON line per case, what it caught.

python_example_test.py type-checks it with `mypy --strict` and runs it
against the real server (VUT_ADDRESS, VERCEL_TOKEN), after injecting a 403
on GET /v5/user/tokens/forbidden and a 429 (Retry-After: 30) on the list.
"""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Callable

from vercel.authentication.v1 import user_tokens_pb2 as pb
import vercel_user_tokens as vut


def caught(case: str, call: Callable[[], object]) -> None:
    """Prints what `call` raised."""
    try:
        call()
    except vut.ServiceError as error:
        delay = error.retry_delay
        print(json.dumps({
            "case": case,
            "type": type(error).__name__,
            "code": error.code.name,
            "reason": error.reason,
            "domain": error.domain,
            "http_status": error.http_status,
            "metadata": error.metadata,
            "retry_delay_s": None if delay is None else delay.total_seconds(),
            "field_violations": [[v.field, v.description]
                                 for v in error.field_violations],
            "rate_limit": dataclasses.asdict(error.rate_limit),
        }))
        return
    raise AssertionError(f"{case}: no error")


def main() -> None:
    address = os.environ["VUT_ADDRESS"]
    with vut.Client(address, token=os.environ["VERCEL_TOKEN"], deadline=5,
                    retry=vut.RetryPolicy(), plaintext=True) as client, \
            vut.Client(address, deadline=5, plaintext=True) as anonymous:
        caught("not_found", lambda: client.get_auth_token(
            pb.GetAuthTokenRequest(token_id="0" * 64)))
        caught("invalid_argument", lambda: client.get_auth_token(
            pb.GetAuthTokenRequest(token_id="../x")))
        caught("unauthenticated", lambda: anonymous.get_auth_token(
            pb.GetAuthTokenRequest(token_id="current")))
        caught("permission_denied", lambda: client.get_auth_token(
            pb.GetAuthTokenRequest(token_id="forbidden")))
        # RetryInfo says 30 s, past the 5 s deadline: raised at once.
        caught("rate_limited", client.list_auth_tokens)


if __name__ == "__main__":
    main()
