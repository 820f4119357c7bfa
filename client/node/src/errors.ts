// Typed errors of the vercel-user-tokens client: one class per family of
// gRPC status codes, each carrying the google.rpc details the service
// attached (ErrorInfo, RetryInfo, BadRequest) and Vercel's x-ratelimit-*
// values.

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

/** Vercel's rate-limit headers as the service passes them on. */
export interface RateLimit {
  /** `x-ratelimit-limit`: requests allowed per window. */
  limit?: string;
  /** `x-ratelimit-remaining`: requests left in this window. */
  remaining?: string;
  /** `x-ratelimit-reset`: when the window ends, in Unix seconds. */
  reset?: string;
}

function rateLimit(...sources: (grpc.Metadata | undefined)[]): RateLimit {
  const value = (key: string): string | undefined => {
    for (const metadata of sources) {
      const found = metadata?.get(key)[0];
      if (found !== undefined) {
        return String(found);
      }
    }
    return undefined;
  };
  return {
    limit: value("x-ratelimit-limit"),
    remaining: value("x-ratelimit-remaining"),
    reset: value("x-ratelimit-reset"),
  };
}

/**
 * A failed call of the service. The client throws the subclass of the
 * error's family (RateLimitedError, NotFoundError, InvalidArgumentError,
 * UnauthenticatedError, PermissionDeniedError), and this class for the
 * other codes: `catch (e) { if (e instanceof UserTokensError) ... }`
 * handles them all.
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
    this.rateLimit = rateLimit(headers, error.metadata);
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

const FAMILIES: Partial<Record<grpc.status, typeof UserTokensError>> = {
  [grpc.status.RESOURCE_EXHAUSTED]: RateLimitedError,
  [grpc.status.NOT_FOUND]: NotFoundError,
  [grpc.status.INVALID_ARGUMENT]: InvalidArgumentError,
  [grpc.status.UNAUTHENTICATED]: UnauthenticatedError,
  [grpc.status.PERMISSION_DENIED]: PermissionDeniedError,
};

/**
 * Returns the UserTokensError subclass of `error`'s family; `headers` are
 * the call's response headers, when it had any.
 */
export function toUserTokensError(
  error: grpc.ServiceError,
  headers?: grpc.Metadata,
): UserTokensError {
  const family = FAMILIES[error.code] ?? UserTokensError;
  return new family(error, headers);
}
