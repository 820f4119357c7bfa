"use strict";
// Typed errors of the vercel-user-tokens client: one class per family of
// gRPC status codes, each carrying the google.rpc details the service
// attached (ErrorInfo, RetryInfo, BadRequest) and Vercel's x-ratelimit-*
// values.
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
exports.PermissionDeniedError = exports.UnauthenticatedError = exports.InvalidArgumentError = exports.NotFoundError = exports.RateLimitedError = exports.UserTokensError = void 0;
exports.errorDetails = errorDetails;
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
function rateLimit(...sources) {
    const value = (key) => {
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
        this.rateLimit = rateLimit(headers, error.metadata);
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
const FAMILIES = {
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
function toUserTokensError(error, headers) {
    const family = FAMILIES[error.code] ?? UserTokensError;
    return new family(error, headers);
}
