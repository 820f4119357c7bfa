"use strict";
// Typed errors of the vercel-user-tokens client (client/SPEC.md, section 1):
// one class per gRPC code the service returns, each carrying the google.rpc
// details the service attached (ErrorInfo, RetryInfo, BadRequest), Vercel's
// request id and its x-ratelimit-* values.
var __createBinding = (this && this.__createBinding) || (Object.create ? (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    var desc = Object.getOwnPropertyDescriptor(m, k);
    if (!desc || ("get" in desc ? !m.__esModule : desc.writable || desc.configurable)) {
      desc = { enumerable: true, get: function() { return m[k]; } };
    }
    Object.defineProperty(o, k2, desc);
}) : (function(o, m, k, k2) {
    if (k2 === undefined) k2 = k;
    o[k2] = m[k];
}));
var __setModuleDefault = (this && this.__setModuleDefault) || (Object.create ? (function(o, v) {
    Object.defineProperty(o, "default", { enumerable: true, value: v });
}) : function(o, v) {
    o["default"] = v;
});
var __importStar = (this && this.__importStar) || (function () {
    var ownKeys = function(o) {
        ownKeys = Object.getOwnPropertyNames || function (o) {
            var ar = [];
            for (var k in o) if (Object.prototype.hasOwnProperty.call(o, k)) ar[ar.length] = k;
            return ar;
        };
        return ownKeys(o);
    };
    return function (mod) {
        if (mod && mod.__esModule) return mod;
        var result = {};
        if (mod != null) for (var k = ownKeys(mod), i = 0; i < k.length; i++) if (k[i] !== "default") __createBinding(result, mod, k[i]);
        __setModuleDefault(result, mod);
        return result;
    };
})();
Object.defineProperty(exports, "__esModule", { value: true });
exports.UnknownError = exports.UnimplementedError = exports.InternalError = exports.CancelledError = exports.DeadlineExceededError = exports.UnavailableError = exports.AlreadyExistsError = exports.FailedPreconditionError = exports.PermissionDeniedError = exports.UnauthenticatedError = exports.InvalidArgumentError = exports.NotFoundError = exports.RateLimitedError = exports.UserTokensError = exports.ResponseMetadata = void 0;
exports.errorDetails = errorDetails;
exports.errorClassFor = errorClassFor;
exports.toUserTokensError = toUserTokensError;
const grpc = __importStar(require("@grpc/grpc-js"));
const status_1 = require("./generated/google/rpc/status");
const error_details_1 = require("./generated/google/rpc/error_details");
const STATUS_DETAILS_KEY = "grpc-status-details-bin";
const TYPE_URL_PREFIX = "type.googleapis.com/";
/**
 * Decodes the google.rpc.Status a failed call carries in its
 * `grpc-status-details-bin` trailer. Without that trailer (e.g. a deadline
 * that expired in the client) only code, codeName and message are set.
 */
function errorDetails(error) {
    const details = {
        code: error.code,
        codeName: grpc.status[error.code] ?? String(error.code),
        message: error.details,
    };
    const raw = error.metadata?.get(STATUS_DETAILS_KEY)[0];
    if (raw === undefined || typeof raw === "string") {
        return details;
    }
    const status = status_1.Status.decode(raw);
    details.message = status.message;
    for (const any of status.details) {
        switch (any.typeUrl) {
            case TYPE_URL_PREFIX + "google.rpc.ErrorInfo":
                details.errorInfo = error_details_1.ErrorInfo.decode(any.value);
                break;
            case TYPE_URL_PREFIX + "google.rpc.RetryInfo":
                details.retryInfo = error_details_1.RetryInfo.decode(any.value);
                details.retryDelayMs =
                    (details.retryInfo.retryDelay?.seconds ?? 0) * 1000 +
                        Math.round((details.retryInfo.retryDelay?.nanos ?? 0) / 1e6);
                break;
            case TYPE_URL_PREFIX + "google.rpc.BadRequest":
                details.badRequest = error_details_1.BadRequest.decode(any.value);
                break;
        }
    }
    return details;
}
/**
 * What a call's response metadata says (client/SPEC.md, section 4). Pass one
 * as `responseMetadata` in a call's options; the call fills it in, on
 * success and on failure.
 */
class ResponseMetadata {
    constructor() {
        /** Vercel's request id (`x-vercel-id`); "" when the call did not reach Vercel. */
        this.vercelRequestId = "";
        /** Vercel's rate limit after the call. */
        this.rateLimit = {};
    }
    /** Sets the fields from a call's headers and trailers (the first holding a key wins). */
    fill(...sources) {
        const value = (key) => {
            for (const metadata of sources) {
                const found = metadata?.get(key)[0];
                if (found !== undefined) {
                    return String(found);
                }
            }
            return undefined;
        };
        const integer = (key) => {
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
exports.ResponseMetadata = ResponseMetadata;
/**
 * A failed call of the service. The client throws the subclass of the
 * error's family (NotFoundError, RateLimitedError, UnavailableError, ...:
 * one per code the service returns), and this class for the other codes:
 * `catch (e) { if (e instanceof UserTokensError) ... }` handles them all.
 */
class UserTokensError extends Error {
    constructor(error, headers) {
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
    get reason() {
        return this.errorInfo?.reason ?? "";
    }
    /** ErrorInfo's metadata, e.g. { http_status: "404" }. */
    get errorMetadata() {
        return this.errorInfo?.metadata ?? {};
    }
    /** BadRequest's field violations; empty without a BadRequest. */
    get fieldViolations() {
        return this.badRequest?.fieldViolations ?? [];
    }
}
exports.UserTokensError = UserTokensError;
/** RESOURCE_EXHAUSTED: Vercel limits the rate; `retryDelayMs` says how long to wait. */
class RateLimitedError extends UserTokensError {
}
exports.RateLimitedError = RateLimitedError;
/** NOT_FOUND: the token (or login) does not exist. */
class NotFoundError extends UserTokensError {
}
exports.NotFoundError = NotFoundError;
/** INVALID_ARGUMENT: the request was refused as it is; see `fieldViolations`. */
class InvalidArgumentError extends UserTokensError {
}
exports.InvalidArgumentError = InvalidArgumentError;
/** UNAUTHENTICATED: no Vercel token, or one Vercel does not accept. */
class UnauthenticatedError extends UserTokensError {
}
exports.UnauthenticatedError = UnauthenticatedError;
/** PERMISSION_DENIED: the token may not do this. */
class PermissionDeniedError extends UserTokensError {
}
exports.PermissionDeniedError = PermissionDeniedError;
/** FAILED_PRECONDITION: the request cannot be served in the current state. */
class FailedPreconditionError extends UserTokensError {
}
exports.FailedPreconditionError = FailedPreconditionError;
/** ALREADY_EXISTS: the resource exists already. */
class AlreadyExistsError extends UserTokensError {
}
exports.AlreadyExistsError = AlreadyExistsError;
/** UNAVAILABLE: the service or Vercel could not be reached; retrying may help. */
class UnavailableError extends UserTokensError {
}
exports.UnavailableError = UnavailableError;
/** DEADLINE_EXCEEDED: the call's deadline passed. */
class DeadlineExceededError extends UserTokensError {
}
exports.DeadlineExceededError = DeadlineExceededError;
/** CANCELLED: the call was cancelled (its AbortSignal, or the server). */
class CancelledError extends UserTokensError {
}
exports.CancelledError = CancelledError;
/** INTERNAL: the service or Vercel failed. */
class InternalError extends UserTokensError {
}
exports.InternalError = InternalError;
/** UNIMPLEMENTED: the operation is not implemented. */
class UnimplementedError extends UserTokensError {
}
exports.UnimplementedError = UnimplementedError;
/** UNKNOWN: Vercel answered with a status the service cannot place. */
class UnknownError extends UserTokensError {
}
exports.UnknownError = UnknownError;
const FAMILIES = {
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
function errorClassFor(code) {
    return FAMILIES[code] ?? UserTokensError;
}
/**
 * Returns the UserTokensError subclass of `error`'s family; `headers` are
 * the call's response headers, when it had any.
 */
function toUserTokensError(error, headers) {
    const family = errorClassFor(error.code);
    return new family(error, headers);
}
