import * as grpc from "@grpc/grpc-js";
import { BadRequest, BadRequest_FieldViolation, ErrorInfo, RetryInfo } from "./generated/google/rpc/error_details";
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
export declare function errorDetails(error: grpc.ServiceError): ErrorDetails;
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
export declare class ResponseMetadata {
    /** Vercel's request id (`x-vercel-id`); "" when the call did not reach Vercel. */
    vercelRequestId: string;
    /** Vercel's rate limit after the call. */
    rateLimit: RateLimit;
    /** Sets the fields from a call's headers and trailers (the first holding a key wins). */
    fill(...sources: (grpc.Metadata | undefined)[]): void;
}
/**
 * A failed call of the service. The client throws the subclass of the
 * error's family (NotFoundError, RateLimitedError, UnavailableError, ...:
 * one per code the service returns), and this class for the other codes:
 * `catch (e) { if (e instanceof UserTokensError) ... }` handles them all.
 */
export declare class UserTokensError extends Error {
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
    constructor(error: grpc.ServiceError, headers?: grpc.Metadata);
    /** ErrorInfo's reason, e.g. "NOT_FOUND"; "" without an ErrorInfo. */
    get reason(): string;
    /** ErrorInfo's metadata, e.g. { http_status: "404" }. */
    get errorMetadata(): {
        [key: string]: string;
    };
    /** BadRequest's field violations; empty without a BadRequest. */
    get fieldViolations(): BadRequest_FieldViolation[];
}
/** RESOURCE_EXHAUSTED: Vercel limits the rate; `retryDelayMs` says how long to wait. */
export declare class RateLimitedError extends UserTokensError {
}
/** NOT_FOUND: the token (or login) does not exist. */
export declare class NotFoundError extends UserTokensError {
}
/** INVALID_ARGUMENT: the request was refused as it is; see `fieldViolations`. */
export declare class InvalidArgumentError extends UserTokensError {
}
/** UNAUTHENTICATED: no Vercel token, or one Vercel does not accept. */
export declare class UnauthenticatedError extends UserTokensError {
}
/** PERMISSION_DENIED: the token may not do this. */
export declare class PermissionDeniedError extends UserTokensError {
}
/** FAILED_PRECONDITION: the request cannot be served in the current state. */
export declare class FailedPreconditionError extends UserTokensError {
}
/** ALREADY_EXISTS: the resource exists already. */
export declare class AlreadyExistsError extends UserTokensError {
}
/** UNAVAILABLE: the service or Vercel could not be reached; retrying may help. */
export declare class UnavailableError extends UserTokensError {
}
/** DEADLINE_EXCEEDED: the call's deadline passed. */
export declare class DeadlineExceededError extends UserTokensError {
}
/** CANCELLED: the call was cancelled (its AbortSignal, or the server). */
export declare class CancelledError extends UserTokensError {
}
/** INTERNAL: the service or Vercel failed. */
export declare class InternalError extends UserTokensError {
}
/** UNIMPLEMENTED: the operation is not implemented. */
export declare class UnimplementedError extends UserTokensError {
}
/** UNKNOWN: Vercel answered with a status the service cannot place. */
export declare class UnknownError extends UserTokensError {
}
/** The error class of a gRPC code: its family, or UserTokensError. */
export declare function errorClassFor(code: grpc.status): typeof UserTokensError;
/**
 * Returns the UserTokensError subclass of `error`'s family; `headers` are
 * the call's response headers, when it had any.
 */
export declare function toUserTokensError(error: grpc.ServiceError, headers?: grpc.Metadata): UserTokensError;
