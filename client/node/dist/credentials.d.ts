import { UnauthenticatedError } from "./errors";
/** Returns the caller's current Vercel token ("" for none); called before every attempt. */
export type TokenProvider = () => string | Promise<string>;
/** A token file is read again at least this often, changed or not. */
export declare const REREAD_INTERVAL_MS = 60000;
/** The ErrorInfo domain of errors the client makes itself, before sending anything. */
export declare const CLIENT_DOMAIN = "vercel-user-tokens-client";
/**
 * The error of a call whose credentials could not be had: UNAUTHENTICATED,
 * reason CREDENTIALS_UNAVAILABLE. Its message never holds a token.
 */
export declare function credentialsUnavailable(message: string): UnauthenticatedError;
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
export declare class TokenFile {
    readonly path: string;
    private readonly clock;
    private value;
    private identity;
    private readAt;
    /** `clock` returns the time in milliseconds (tests pass their own). */
    constructor(path: string, clock?: () => number);
    read(): string;
}
/** A TokenProvider reading the caller's Vercel token from `path` (see TokenFile). */
export declare function tokenFile(path: string): TokenProvider;
