// Typed errors of the vercel-user-tokens client (client/SPEC.md, section 1):
// one class per gRPC code the service returns, each carrying the google.rpc
// details the service attached (ErrorInfo, RetryInfo, BadRequest), Vercel's
// request id and its x-ratelimit-* values.

import * as grpc from "@grpc/grpc-js";
import { Status } from "./generated/google/rpc/status";
import {
  BadRequest,
  BadRequest_FieldViolation,
  ErrorInfo,
  RetryInfo,
} from "./generated/google/rpc/error_details";

const STATUS_DETAILS_KEY = "grpc-status-details-bin";
const TYPE_URL_PREFIX = "type.googleapis.com/";

/** What a failed call carries, decoded from its google.rpc.Status. */
export interface ErrorDetails {
  /** The gRPC status code, e.g. 5 (grpc.status.NOT_FOUND). */
  code: grpc.status;
  /** The code's name, e.g. "NOT_FOUND". */
  codeName: string;
  /** The status message, e.g. "Vercel API error 404 (not_found): ...". */
  message: string;
  /** Why the call failed: reason, domain and metadata. */
  errorInfo?: ErrorInfo;
  /** How long to wait before retrying, when waiting helps. */
  retryInfo?: RetryInfo;
  /** Which request fields were invalid (INVALID_ARGUMENT only). */
  badRequest?: BadRequest;
  /** retryInfo's delay in milliseconds; undefined without a RetryInfo. */
  retryDelayMs?: number;
}

/**
 * Decodes the google.rpc.Status a failed call carries in its
 * `grpc-status-details-bin` trailer. Without that trailer (e.g. a deadline
 * that expired in the client) only code, codeName and message are set.
 */
export function errorDetails(error: grpc.ServiceError): ErrorDetails {
  const details: ErrorDetails = {
    code: error.code,
    codeName: grpc.status[error.code] ?? String(error.code),
    message: error.details,
  };
  const raw = error.metadata?.get(STATUS_DETAILS_KEY)[0];
  if (raw === undefined || typeof raw === "string") {
    return details;
  }
  const status = Status.decode(raw);
  details.message = status.message;
  for (const any of status.details) {
    switch (any.typeUrl) {
      case TYPE_URL_PREFIX + "google.rpc.ErrorInfo":
        details.errorInfo = ErrorInfo.decode(any.value);
        break;
      case TYPE_URL_PREFIX + "google.rpc.RetryInfo":
        details.retryInfo = RetryInfo.decode(any.value);
        details.retryDelayMs =
          (details.retryInfo.retryDelay?.seconds ?? 0) * 1000 +
          Math.round((details.retryInfo.retryDelay?.nanos ?? 0) / 1e6);
        break;
      case TYPE_URL_PREFIX + "google.rpc.BadRequest":
        details.badRequest = BadRequest.decode(any.value);
        break;
    }
  }
  return details;
}

/** Vercel's rate limit as the service relays it; undefined when not sent. */
export interface RateLimit {
  /** `x-ratelimit-limit`: requests allowed per window. */
  limit?: number;
  /** `x-ratelimit-remaining`: requests left in this window. */
  remaining?: number;
  /** `x-ratelimit-reset`: when the window ends, in Unix seconds. */
  reset?: number;
}

/**
 * What a call's response metadata says (client/SPEC.md, section 4). Pass one
 * as `responseMetadata` in a call's options; the call fills it in, on
 * success and on failure.
 */
export class ResponseMetadata {
  /** Vercel's request id (`x-vercel-id`); "" when the call did not reach Vercel. */
  vercelRequestId = "";
  /** Vercel's rate limit after the call. */
  rateLimit: RateLimit = {};

  /** Sets the fields from a call's headers and trailers (the first holding a key wins). */
  fill(...sources: (grpc.Metadata | undefined)[]): void {
    const value = (key: string): string | undefined => {
      for (const metadata of sources) {
        const found = metadata?.get(key)[0];
        if (found !== undefined) {
          return String(found);
        }
      }
      return undefined;
    };
    const integer = (key: string): number | undefined => {
      const text = value(key);
      return text !== undefined && /^-?\d+$/.test(text) ? Number(text) : undefined;
    };
    this.vercelRequestId = value("x-vercel-id") ?? "";
    this.rateLimit = {
      limit: integer("x-ratelimit-limit"),
      remaining: integer("x-ratelimit-remaining"),
      reset: integer("x-ratelimit-reset"),
    };
  }
}

/**
 * A failed call of the service. The client throws the subclass of the
 * error's family (NotFoundError, RateLimitedError, UnavailableError, ...:
 * one per code the service returns), and this class for the other codes:
 * `catch (e) { if (e instanceof UserTokensError) ... }` handles them all.
 */
export class UserTokensError extends Error {
  /** The gRPC status code, e.g. grpc.status.NOT_FOUND. */
  readonly code: grpc.status;
  /** The code's name, e.g. "NOT_FOUND". */
  readonly codeName: string;
  /** The status message. */
  readonly statusMessage: string;
  /** The decoded ErrorInfo, when the service sent one. */
  readonly errorInfo?: ErrorInfo;
  /** The decoded RetryInfo, when waiting helps. */
  readonly retryInfo?: RetryInfo;
  /** The decoded BadRequest, for bad input. */
  readonly badRequest?: BadRequest;
  /** The RetryInfo's delay in milliseconds; undefined without one. */
  readonly retryDelayMs?: number;
  /** Vercel's x-ratelimit-* values, when it sent them. */
  readonly rateLimit: RateLimit;
  /**
   * Vercel's request id (`x-vercel-id`, else ErrorInfo metadata
   * `vercel_request_id`), what Vercel support asks for; "" when the call did
   * not reach Vercel.
   */
  readonly vercelRequestId: string;
  /** The grpc-js error this one decodes. */
  readonly serviceError: grpc.ServiceError;

  constructor(error: grpc.ServiceError, headers?: grpc.Metadata) {
    const details = errorDetails(error);
    super(`${details.codeName}: ${details.message}`);
    this.name = new.target.name;
    this.code = details.code;
    this.codeName = details.codeName;
    this.statusMessage = details.message;
    this.errorInfo = details.errorInfo;
    this.retryInfo = details.retryInfo;
    this.badRequest = details.badRequest;
    this.retryDelayMs = details.retryDelayMs;
    // The service sends these as response headers; a trailers-only
    // response carries them in the trailers.
    const returned = new ResponseMetadata();
    returned.fill(headers, error.metadata);
    this.rateLimit = returned.rateLimit;
    this.vercelRequestId =
      returned.vercelRequestId || (details.errorInfo?.metadata?.vercel_request_id ?? "");
    this.serviceError = error;
  }

  /** ErrorInfo's reason, e.g. "NOT_FOUND"; "" without an ErrorInfo. */
  get reason(): string {
    return this.errorInfo?.reason ?? "";
  }

  /** ErrorInfo's metadata, e.g. { http_status: "404" }. */
  get errorMetadata(): { [key: string]: string } {
    return this.errorInfo?.metadata ?? {};
  }

  /** BadRequest's field violations; empty without a BadRequest. */
  get fieldViolations(): BadRequest_FieldViolation[] {
    return this.badRequest?.fieldViolations ?? [];
  }
}

/** RESOURCE_EXHAUSTED: Vercel limits the rate; `retryDelayMs` says how long to wait. */
export class RateLimitedError extends UserTokensError {}
/** NOT_FOUND: the token (or login) does not exist. */
export class NotFoundError extends UserTokensError {}
/** INVALID_ARGUMENT: the request was refused as it is; see `fieldViolations`. */
export class InvalidArgumentError extends UserTokensError {}
/** UNAUTHENTICATED: no Vercel token, or one Vercel does not accept. */
export class UnauthenticatedError extends UserTokensError {}
/** PERMISSION_DENIED: the token may not do this. */
export class PermissionDeniedError extends UserTokensError {}
/** FAILED_PRECONDITION: the request cannot be served in the current state. */
export class FailedPreconditionError extends UserTokensError {}
/** ALREADY_EXISTS: the resource exists already. */
export class AlreadyExistsError extends UserTokensError {}
/** UNAVAILABLE: the service or Vercel could not be reached; retrying may help. */
export class UnavailableError extends UserTokensError {}
/** DEADLINE_EXCEEDED: the call's deadline passed. */
export class DeadlineExceededError extends UserTokensError {}
/** CANCELLED: the call was cancelled (its AbortSignal, or the server). */
export class CancelledError extends UserTokensError {}
/** INTERNAL: the service or Vercel failed. */
export class InternalError extends UserTokensError {}
/** UNIMPLEMENTED: the operation is not implemented. */
export class UnimplementedError extends UserTokensError {}
/** UNKNOWN: Vercel answered with a status the service cannot place. */
export class UnknownError extends UserTokensError {}

const FAMILIES: Partial<Record<grpc.status, typeof UserTokensError>> = {
  [grpc.status.RESOURCE_EXHAUSTED]: RateLimitedError,
  [grpc.status.NOT_FOUND]: NotFoundError,
  [grpc.status.INVALID_ARGUMENT]: InvalidArgumentError,
  [grpc.status.UNAUTHENTICATED]: UnauthenticatedError,
  [grpc.status.PERMISSION_DENIED]: PermissionDeniedError,
  [grpc.status.FAILED_PRECONDITION]: FailedPreconditionError,
  [grpc.status.ALREADY_EXISTS]: AlreadyExistsError,
  [grpc.status.UNAVAILABLE]: UnavailableError,
  [grpc.status.DEADLINE_EXCEEDED]: DeadlineExceededError,
  [grpc.status.CANCELLED]: CancelledError,
  [grpc.status.INTERNAL]: InternalError,
  [grpc.status.UNIMPLEMENTED]: UnimplementedError,
  [grpc.status.UNKNOWN]: UnknownError,
};

/** The error class of a gRPC code: its family, or UserTokensError. */
export function errorClassFor(code: grpc.status): typeof UserTokensError {
  return FAMILIES[code] ?? UserTokensError;
}

/**
 * Returns the UserTokensError subclass of `error`'s family; `headers` are
 * the call's response headers, when it had any.
 */
export function toUserTokensError(
  error: grpc.ServiceError,
  headers?: grpc.Metadata,
): UserTokensError {
  const family = errorClassFor(error.code);
  return new family(error, headers);
}
