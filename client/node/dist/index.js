"use strict";
// The public surface of @vercel-user-tokens/client: the generated
// UserTokensService client and messages, the google.rpc error-detail
// messages the service attaches to failed calls, and two helpers: one that
// builds the bearer metadata, one that decodes a failed call's details.
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
var __exportStar = (this && this.__exportStar) || function(m, exports) {
    for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p);
};
Object.defineProperty(exports, "__esModule", { value: true });
exports.grpc = exports.Any = exports.Duration = exports.RetryInfo = exports.ErrorInfo = exports.BadRequest_FieldViolation = exports.BadRequest = exports.Status = void 0;
exports.bearerMetadata = bearerMetadata;
exports.errorDetails = errorDetails;
const grpc = __importStar(require("@grpc/grpc-js"));
exports.grpc = grpc;
const status_1 = require("./generated/google/rpc/status");
const error_details_1 = require("./generated/google/rpc/error_details");
__exportStar(require("./generated/vercel/authentication/v1/user_tokens"), exports);
var status_2 = require("./generated/google/rpc/status");
Object.defineProperty(exports, "Status", { enumerable: true, get: function () { return status_2.Status; } });
var error_details_2 = require("./generated/google/rpc/error_details");
Object.defineProperty(exports, "BadRequest", { enumerable: true, get: function () { return error_details_2.BadRequest; } });
Object.defineProperty(exports, "BadRequest_FieldViolation", { enumerable: true, get: function () { return error_details_2.BadRequest_FieldViolation; } });
Object.defineProperty(exports, "ErrorInfo", { enumerable: true, get: function () { return error_details_2.ErrorInfo; } });
Object.defineProperty(exports, "RetryInfo", { enumerable: true, get: function () { return error_details_2.RetryInfo; } });
var duration_1 = require("./generated/google/protobuf/duration");
Object.defineProperty(exports, "Duration", { enumerable: true, get: function () { return duration_1.Duration; } });
var any_1 = require("./generated/google/protobuf/any");
Object.defineProperty(exports, "Any", { enumerable: true, get: function () { return any_1.Any; } });
const STATUS_DETAILS_KEY = "grpc-status-details-bin";
const TYPE_URL_PREFIX = "type.googleapis.com/";
/** Returns call metadata that authenticates a call with a Vercel token. */
function bearerMetadata(token) {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    return metadata;
}
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
    details.message = status.message ?? details.message;
    for (const any of status.details ?? []) {
        const value = any.value ?? new Uint8Array();
        switch (any.typeUrl) {
            case TYPE_URL_PREFIX + "google.rpc.ErrorInfo":
                details.errorInfo = error_details_1.ErrorInfo.decode(value);
                break;
            case TYPE_URL_PREFIX + "google.rpc.RetryInfo":
                details.retryInfo = error_details_1.RetryInfo.decode(value);
                details.retryDelayMs =
                    (details.retryInfo.retryDelay?.seconds ?? 0) * 1000 +
                        Math.round((details.retryInfo.retryDelay?.nanos ?? 0) / 1e6);
                break;
            case TYPE_URL_PREFIX + "google.rpc.BadRequest":
                details.badRequest = error_details_1.BadRequest.decode(value);
                break;
        }
    }
    return details;
}
