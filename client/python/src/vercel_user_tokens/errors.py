"""Typed errors of the vercel-user-tokens service.

Every failed call raises a ServiceError subclass chosen by its gRPC code
(NotFound, InvalidArgument, RateLimited, ...). Each carries what the server
sent: the message, the decoded google.rpc ErrorInfo, RetryInfo and BadRequest
details, Vercel's request id and its x-ratelimit-* metadata
(client/SPEC.md, section 1).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any, Mapping, Optional, Sequence

import grpc
# googleapis-common-protos ships no typings.
from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-untyped]

from ._metadata import Metadata, RateLimit, vercel_request_id

_STATUS_DETAILS_KEY = "grpc-status-details-bin"
# The ErrorInfo domain of errors the client raises before sending anything.
CLIENT_DOMAIN = "vercel-user-tokens-client"


@dataclasses.dataclass(frozen=True)
class FieldViolation:
    """One bad request field: its path (e.g. "token_id") and what is wrong."""

    field: str
    description: str


class ServiceError(Exception):
    """A call that failed. Subclasses name the family (see `for_code`).

    Attributes:
      code: the gRPC status code.
      message: the status message (never holds a secret).
      reason, domain, metadata: the ErrorInfo (empty when none was sent),
        e.g. reason "NOT_FOUND", domain "api.vercel.com", metadata
        {"http_status": "404", "vercel_code": "not_found"}.
      retry_delay: RetryInfo's delay, or None when the server sent none.
      field_violations: BadRequest's field violations.
      vercel_request_id: Vercel's request id (the x-vercel-id metadata,
        else ErrorInfo metadata "vercel_request_id"); "" when the call did
        not reach Vercel.
      rate_limit: Vercel's x-ratelimit-limit/remaining/reset metadata.
    """

    def __init__(self, code: grpc.StatusCode, message: str, *,
                 reason: str = "", domain: str = "",
                 metadata: Optional[Mapping[str, str]] = None,
                 retry_delay: Optional[datetime.timedelta] = None,
                 field_violations: Sequence[FieldViolation] = (),
                 vercel_request_id: str = "",
                 rate_limit: Optional[RateLimit] = None) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.reason = reason
        self.domain = domain
        self.metadata: dict[str, str] = dict(metadata or {})
        self.retry_delay = retry_delay
        self.field_violations = list(field_violations)
        self.vercel_request_id = (vercel_request_id
                                  or self.metadata.get("vercel_request_id", ""))
        self.rate_limit = rate_limit or RateLimit()

    @property
    def http_status(self) -> Optional[int]:
        """Vercel's HTTP status, for errors that came from Vercel."""
        value = self.metadata.get("http_status")
        return int(value) if value and value.isdigit() else None


class InvalidArgument(ServiceError):
    """The request was invalid; `field_violations` names the fields."""


class FailedPrecondition(ServiceError):
    """The request cannot be served in the current state."""


class Unauthenticated(ServiceError):
    """No, a malformed, or an invalid Vercel token."""


class PermissionDenied(ServiceError):
    """The token may not do this."""


class NotFound(ServiceError):
    """The token (or another resource) does not exist."""


class AlreadyExists(ServiceError):
    """The resource exists already."""


class RateLimited(ServiceError):
    """Vercel's rate limit (RESOURCE_EXHAUSTED): wait `retry_delay`."""


class Unavailable(ServiceError):
    """The service or Vercel could not be reached; retrying may help."""


class DeadlineExceeded(ServiceError):
    """The call's deadline passed."""


class Cancelled(ServiceError):
    """The call was cancelled."""


class Internal(ServiceError):
    """The service or Vercel failed."""


class Unimplemented(ServiceError):
    """The operation is not implemented."""


class Unknown(ServiceError):
    """Vercel answered with a status the service cannot place
    (reason UPSTREAM_UNEXPECTED_STATUS)."""


_BY_CODE: dict[grpc.StatusCode, type[ServiceError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.RESOURCE_EXHAUSTED: RateLimited,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
    grpc.StatusCode.DEADLINE_EXCEEDED: DeadlineExceeded,
    grpc.StatusCode.CANCELLED: Cancelled,
    grpc.StatusCode.INTERNAL: Internal,
    grpc.StatusCode.UNIMPLEMENTED: Unimplemented,
    grpc.StatusCode.UNKNOWN: Unknown,
}


def for_code(code: grpc.StatusCode) -> type[ServiceError]:
    """Returns the error class of a gRPC code (ServiceError for the rest)."""
    return _BY_CODE.get(code, ServiceError)


def from_rpc_error(error: grpc.RpcError) -> ServiceError:
    """Decodes a failed call (a grpc.Call that is also an RpcError) into its
    typed error. Details that do not parse are left out."""
    call: grpc.Call = error  # type: ignore[assignment]
    return from_status(call.code(), call.details() or "",
                       tuple(call.initial_metadata() or ()),
                       tuple(call.trailing_metadata() or ()))


def from_status(code: grpc.StatusCode, message: str, headers: Metadata,
                trailers: Metadata) -> ServiceError:
    """Decodes a failed call's status, headers and trailers into its typed
    error (for grpc.aio calls, whose errors are not grpc.Call)."""
    # Vercel's request id and rate-limit metadata come as headers, or as
    # trailers in a trailers-only response.
    returned = tuple(headers) + tuple(trailers)
    kwargs: dict[str, Any] = {"rate_limit": RateLimit.from_metadata(returned),
                              "vercel_request_id": vercel_request_id(returned)}
    violations: list[FieldViolation] = []
    for key, value in trailers:
        if key != _STATUS_DETAILS_KEY or not isinstance(value, bytes):
            continue
        status = status_pb2.Status()
        status.ParseFromString(value)
        for detail in status.details:
            if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                info = error_details_pb2.ErrorInfo()
                detail.Unpack(info)
                kwargs.update(reason=info.reason, domain=info.domain,
                              metadata=dict(info.metadata))
            elif detail.Is(error_details_pb2.RetryInfo.DESCRIPTOR):
                retry = error_details_pb2.RetryInfo()
                detail.Unpack(retry)
                kwargs["retry_delay"] = retry.retry_delay.ToTimedelta()
            elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
                bad_request = error_details_pb2.BadRequest()
                detail.Unpack(bad_request)
                violations.extend(
                    FieldViolation(v.field, v.description)
                    for v in bad_request.field_violations)
    return for_code(code)(code, message, field_violations=violations,
                          **kwargs)
