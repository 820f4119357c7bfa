"use strict";
// Tokens that can change while a client lives: a credential provider, a
// token file read again when it changes, and the workload token file
// (client/SPEC.md, sections 6 and 7).
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
exports.TokenFile = exports.CLIENT_DOMAIN = exports.REREAD_INTERVAL_MS = void 0;
exports.credentialsUnavailable = credentialsUnavailable;
exports.tokenFile = tokenFile;
const fs = __importStar(require("fs"));
const grpc = __importStar(require("@grpc/grpc-js"));
const errors_1 = require("./errors");
const error_details_1 = require("./generated/google/rpc/error_details");
const status_1 = require("./generated/google/rpc/status");
/** A token file is read again at least this often, changed or not. */
exports.REREAD_INTERVAL_MS = 60000;
/** The ErrorInfo domain of errors the client makes itself, before sending anything. */
exports.CLIENT_DOMAIN = "vercel-user-tokens-client";
/**
 * The error of a call whose credentials could not be had: UNAUTHENTICATED,
 * reason CREDENTIALS_UNAVAILABLE. Its message never holds a token.
 */
function credentialsUnavailable(message) {
    const info = error_details_1.ErrorInfo.fromPartial({ reason: "CREDENTIALS_UNAVAILABLE", domain: exports.CLIENT_DOMAIN });
    const status = status_1.Status.fromPartial({
        code: grpc.status.UNAUTHENTICATED,
        message,
        details: [
            {
                typeUrl: "type.googleapis.com/google.rpc.ErrorInfo",
                value: Buffer.from(error_details_1.ErrorInfo.encode(info).finish()),
            },
        ],
    });
    const metadata = new grpc.Metadata();
    metadata.set("grpc-status-details-bin", Buffer.from(status_1.Status.encode(status).finish()));
    const error = Object.assign(new Error(message), {
        code: grpc.status.UNAUTHENTICATED,
        details: message,
        metadata,
    });
    return new errors_1.UnauthenticatedError(error);
}
/**
 * A token kept in a file that something else rewrites: a projected
 * ServiceAccount token the kubelet rotates, or a Vercel token a secret
 * manager renews. `read()` returns the file's contents, surrounding
 * whitespace trimmed, reading the file again when it changed (another inode,
 * size or modification time, following symlinks, as the kubelet swaps
 * `..data`) and at least every REREAD_INTERVAL_MS. When a read fails or
 * finds the file empty, the last good value is kept; without one, read()
 * throws an UnauthenticatedError (reason CREDENTIALS_UNAVAILABLE) naming the
 * file but never its contents.
 */
class TokenFile {
    /** `clock` returns the time in milliseconds (tests pass their own). */
    constructor(path, clock = Date.now) {
        this.path = path;
        this.clock = clock;
        this.value = "";
        this.identity = "";
        this.readAt = 0;
    }
    read() {
        let identity = "";
        try {
            const stat = fs.statSync(this.path);
            identity = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
        }
        catch {
            identity = "";
        }
        const stale = this.clock() - this.readAt >= exports.REREAD_INTERVAL_MS;
        if (identity && (identity !== this.identity || stale || !this.value)) {
            try {
                const value = fs.readFileSync(this.path, "utf8").trim();
                if (value) {
                    this.value = value;
                    this.identity = identity;
                    this.readAt = this.clock();
                }
            }
            catch {
                // Keep the last good value.
            }
        }
        if (!this.value) {
            throw credentialsUnavailable(`cannot read a token from ${this.path}`);
        }
        return this.value;
    }
}
exports.TokenFile = TokenFile;
/** A TokenProvider reading the caller's Vercel token from `path` (see TokenFile). */
function tokenFile(path) {
    const file = new TokenFile(path);
    return () => file.read();
}
