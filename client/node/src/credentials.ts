// Tokens that can change while a client lives: a credential provider, a
// token file read again when it changes, and the workload token file
// (client/SPEC.md, sections 6 and 7).

import * as fs from "fs";
import * as grpc from "@grpc/grpc-js";
import { UnauthenticatedError } from "./errors";
import { ErrorInfo } from "./generated/google/rpc/error_details";
import { Status } from "./generated/google/rpc/status";

/** Returns the caller's current Vercel token ("" for none); called before every attempt. */
export type TokenProvider = () => string | Promise<string>;

/** A token file is read again at least this often, changed or not. */
export const REREAD_INTERVAL_MS = 60_000;

/** The ErrorInfo domain of errors the client makes itself, before sending anything. */
export const CLIENT_DOMAIN = "vercel-user-tokens-client";

/**
 * The error of a call whose credentials could not be had: UNAUTHENTICATED,
 * reason CREDENTIALS_UNAVAILABLE. Its message never holds a token.
 */
export function credentialsUnavailable(message: string): UnauthenticatedError {
  const info = ErrorInfo.fromPartial({ reason: "CREDENTIALS_UNAVAILABLE", domain: CLIENT_DOMAIN });
  const status = Status.fromPartial({
    code: grpc.status.UNAUTHENTICATED,
    message,
    details: [
      {
        typeUrl: "type.googleapis.com/google.rpc.ErrorInfo",
        value: Buffer.from(ErrorInfo.encode(info).finish()),
      },
    ],
  });
  const metadata = new grpc.Metadata();
  metadata.set("grpc-status-details-bin", Buffer.from(Status.encode(status).finish()));
  const error = Object.assign(new Error(message), {
    code: grpc.status.UNAUTHENTICATED,
    details: message,
    metadata,
  });
  return new UnauthenticatedError(error);
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
export class TokenFile {
  private value = "";
  private identity = "";
  private readAt = 0;

  /** `clock` returns the time in milliseconds (tests pass their own). */
  constructor(
    readonly path: string,
    private readonly clock: () => number = Date.now,
  ) {}

  read(): string {
    let identity = "";
    try {
      const stat = fs.statSync(this.path);
      identity = `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      identity = "";
    }
    const stale = this.clock() - this.readAt >= REREAD_INTERVAL_MS;
    if (identity && (identity !== this.identity || stale || !this.value)) {
      try {
        const value = fs.readFileSync(this.path, "utf8").trim();
        if (value) {
          this.value = value;
          this.identity = identity;
          this.readAt = this.clock();
        }
      } catch {
        // Keep the last good value.
      }
    }
    if (!this.value) {
      throw credentialsUnavailable(`cannot read a token from ${this.path}`);
    }
    return this.value;
  }
}

/** A TokenProvider reading the caller's Vercel token from `path` (see TokenFile). */
export function tokenFile(path: string): TokenProvider {
  const file = new TokenFile(path);
  return () => file.read();
}
