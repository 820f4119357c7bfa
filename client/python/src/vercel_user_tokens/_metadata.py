"""What a call's response metadata says: Vercel's request id and its rate
limit (client/SPEC.md, section 4)."""

from __future__ import annotations

import dataclasses
from typing import Iterable, Optional, Tuple, Union

# gRPC metadata as grpc returns it: (key, value) pairs, binary values as bytes.
Metadata = Iterable[Tuple[str, Union[str, bytes]]]

_VERCEL_ID_KEY = "x-vercel-id"


def _first(metadata: Metadata, key: str) -> Optional[str]:
    for name, value in metadata:
        if name == key and isinstance(value, str):
            return value
    return None


def _integer(text: Optional[str]) -> Optional[int]:
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def vercel_request_id(metadata: Metadata) -> str:
    """The x-vercel-id value in `metadata`; "" when there is none."""
    return _first(metadata, _VERCEL_ID_KEY) or ""


@dataclasses.dataclass(frozen=True)
class RateLimit:
    """Vercel's rate limit as the service relays it; each None when absent.

    Attributes:
      limit: x-ratelimit-limit, the requests allowed per window.
      remaining: x-ratelimit-remaining, the requests left in this window.
      reset: x-ratelimit-reset, when the window ends (Unix seconds).
    """

    limit: Optional[int] = None
    remaining: Optional[int] = None
    reset: Optional[int] = None

    @classmethod
    def from_metadata(cls, metadata: Metadata) -> "RateLimit":
        pairs = tuple(metadata)
        return cls(_integer(_first(pairs, "x-ratelimit-limit")),
                   _integer(_first(pairs, "x-ratelimit-remaining")),
                   _integer(_first(pairs, "x-ratelimit-reset")))


@dataclasses.dataclass
class ResponseMetadata:
    """Filled in by a call given it as `response_metadata=`, on success and
    on failure:

        md = ResponseMetadata()
        client.list_auth_tokens(response_metadata=md)
        print(md.vercel_request_id, md.rate_limit.remaining)

    Attributes:
      vercel_request_id: Vercel's request id (x-vercel-id), what Vercel
        support asks for; "" when the call did not reach Vercel.
      rate_limit: Vercel's rate limit after the call.
    """

    vercel_request_id: str = ""
    rate_limit: RateLimit = dataclasses.field(default_factory=RateLimit)

    def fill(self, metadata: Metadata) -> None:
        """Sets the fields from a call's headers (and trailers)."""
        pairs = tuple(metadata)
        self.vercel_request_id = vercel_request_id(pairs)
        self.rate_limit = RateLimit.from_metadata(pairs)
