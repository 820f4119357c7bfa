// UserTokensClient: a promise API over the generated grpc-js client,
// following client/SPEC.md: TLS unless plaintext is asked for, the caller's
// credentials on every call, a default deadline, typed errors, per-call
// options (deadline, metadata, AbortSignal, response metadata), a pager,
// automatic request ids on create, and opt-in retries.

import { randomUUID } from "crypto";
import * as grpc from "@grpc/grpc-js";
import {
  CreateAuthTokenRequest,
  CreateAuthTokenResponse,
  DeepPartial,
  DeleteAuthTokenRequest,
  DeleteAuthTokenResponse,
  EmailLoginRequest,
  EmailLoginResponse,
  GetAuthTokenRequest,
  GetAuthTokenResponse,
  ListAuthTokensRawRequest,
  ListAuthTokensRawResponse,
  ListAuthTokensRequest,
  ListAuthTokensResponse,
  UserTokensServiceClient,
  VerifyTokenRequest,
  VerifyTokenResponse,
} from "./generated/vercel/authentication/v1/user_tokens";
import { credentialsUnavailable, TokenFile, TokenProvider } from "./credentials";
import {
  CancelledError,
  RateLimitedError,
  ResponseMetadata,
  toUserTokensError,
  UnavailableError,
  UserTokensError,
} from "./errors";

/** TLS settings; PEM contents, not file names. */
export interface TlsOptions {
  /** Root certificates to trust instead of Node's defaults. */
  rootCa?: Buffer;
  /** Client certificate chain, for mutual TLS (with clientKey). */
  clientCert?: Buffer;
  /** Client private key, for mutual TLS (with clientCert). */
  clientKey?: Buffer;
  /** The name the server's certificate must carry, when not the target's host. */
  serverNameOverride?: string;
}

/**
 * When get, list, list raw and create (whose requestId makes a repeat safe)
 * are tried again: after RESOURCE_EXHAUSTED or UNAVAILABLE, waiting the
 * server's RetryInfo delay, else a jittered backoff, never past the
 * deadline. Delete and the email login are never retried.
 */
export interface RetryOptions {
  /** Attempts per call, the first included (default 3). */
  maxAttempts?: number;
  /** The first wait without a RetryInfo, doubling after, jittered (default 200 ms). */
  initialBackoffMs?: number;
}

/** How a UserTokensClient connects and calls. */
export interface ClientOptions {
  /**
   * The caller's Vercel token, sent with every call; without one the
   * server's own is used, if any.
   */
  token?: string;
  /** Instead of `token`: called before every attempt for the current token (e.g. tokenFile(path)). */
  tokenProvider?: TokenProvider;
  /**
   * A projected ServiceAccount token file, sent as `x-workload-token` on
   * every call and read again as the kubelet rotates it.
   */
  workloadTokenFile?: string;
  /** Plaintext instead of TLS; must be asked for, to localhost too. */
  plaintext?: boolean;
  /** The older name of `plaintext`. */
  insecure?: boolean;
  /** TLS settings (TLS with Node's default roots unless plaintext is set). */
  tls?: TlsOptions;
  /** Deadline of each call, retries included, in milliseconds (default DEFAULT_DEADLINE_MS). */
  deadlineMs?: number;
  /** Retries (default: none). `true` means the defaults. */
  retry?: RetryOptions | boolean;
  /** Load-balancing policy, e.g. "round_robin" behind a headless Kubernetes Service. */
  loadBalancingPolicy?: string;
  /** Further grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

/** Options of one call. */
export interface CallOptions {
  /** This call's deadline in milliseconds, instead of the client's. */
  deadlineMs?: number;
  /** Metadata sent after the client's own; an `authorization` here replaces the client's token. */
  metadata?: grpc.Metadata | Record<string, string>;
  /** Aborting it cancels the call, which rejects with CancelledError. */
  signal?: AbortSignal;
  /** Filled in with Vercel's request id and rate limit when the call returns, on success too. */
  responseMetadata?: ResponseMetadata;
}

/** A request whose fields K must be given; the others may be left out. */
export type Need<T, K extends keyof T> = DeepPartial<T> & { [P in K]: T[P] };

/** GetAuthToken's request: `tokenId` is required. */
export type GetAuthTokenInput = Need<GetAuthTokenRequest, "tokenId">;
/** CreateAuthToken's request: `name` is required. */
export type CreateAuthTokenInput = Need<CreateAuthTokenRequest, "name">;
/** DeleteAuthToken's request: `tokenId` is required. */
export type DeleteAuthTokenInput = Need<DeleteAuthTokenRequest, "tokenId">;
/** EmailLogin's request: `email` is required. */
export type EmailLoginInput = Need<EmailLoginRequest, "email">;
/** VerifyToken's request: `token` is required. */
export type VerifyTokenInput = Need<VerifyTokenRequest, "token">;

/** A response whose fields K the server always sets: they are not optional. */
export type WithRequired<T, K extends keyof T> = T & {
  [P in K]-?: NonNullable<T[P]>;
};

/** GetAuthToken's response; `token` is always set. */
export type GetAuthTokenResult = WithRequired<GetAuthTokenResponse, "token">;
/** CreateAuthToken's response; `token` is always set. */
export type CreateAuthTokenResult = WithRequired<CreateAuthTokenResponse, "token">;
/** ListAuthTokensRaw's response; `pagination` is always set. */
export type ListAuthTokensRawResult = WithRequired<ListAuthTokensRawResponse, "pagination">;

type Unary<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: Partial<grpc.CallOptions>,
  callback: (error: grpc.ServiceError | null, response: Res) => void,
) => grpc.ClientUnaryCall;

/** The deadline of a call, retries included, unless the client or the call says otherwise. */
export const DEFAULT_DEADLINE_MS = 30_000;

// Waits `ms`, or rejects with CancelledError when `signal` aborts first.
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

// The error of a call its AbortSignal cancelled before it was sent.
function cancelled(): CancelledError {
  const error = Object.assign(new Error("Cancelled by its AbortSignal"), {
    code: grpc.status.CANCELLED,
    details: "Cancelled by its AbortSignal",
    metadata: new grpc.Metadata(),
  });
  return new CancelledError(error);
}

// Returns `response`, typed with `field` present; throws if the server left
// it out after all.
function requireField<T, K extends keyof T>(
  response: T,
  field: K,
  rpc: string,
): WithRequired<T, K> {
  if (response[field] === undefined || response[field] === null) {
    throw new Error(`${rpc}: the server's response lacks ${String(field)}`);
  }
  return response as WithRequired<T, K>;
}

/**
 * A client of the vercel-user-tokens service. Every method returns a
 * promise of the response, or rejects with a UserTokensError subclass.
 *
 *     const client = new UserTokensClient("tokens.example.com:443",
 *       { token: process.env.VERCEL_TOKEN, retry: true });
 *     const { tokens } = await client.listAuthTokens();
 *     client.close();
 */
export class UserTokensClient {
  /** The generated grpc-js client, for anything this class does not cover. */
  readonly stub: UserTokensServiceClient;
  private readonly token?: string;
  private readonly tokenProvider?: TokenProvider;
  private readonly workloadToken?: TokenFile;
  private readonly deadlineMs: number;
  private readonly retry?: Required<RetryOptions>;

  /**
   * `target` is `host:port`, or a gRPC name such as
   * `dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051`.
   */
  constructor(target: string, options: ClientOptions = {}) {
    const plaintext = options.plaintext ?? options.insecure ?? false;
    if (plaintext && options.tls) {
      throw new Error("tls and plaintext exclude each other");
    }
    if (options.token !== undefined && options.tokenProvider) {
      throw new Error("token and tokenProvider exclude each other");
    }
    const channelOptions: grpc.ChannelOptions = { ...options.channelOptions };
    if (options.tls?.serverNameOverride) {
      channelOptions["grpc.ssl_target_name_override"] = options.tls.serverNameOverride;
      channelOptions["grpc.default_authority"] = options.tls.serverNameOverride;
    }
    if (options.loadBalancingPolicy) {
      channelOptions["grpc.service_config"] = JSON.stringify({
        loadBalancingConfig: [{ [options.loadBalancingPolicy]: {} }],
      });
    }
    const credentials = plaintext
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(
          options.tls?.rootCa ?? null,
          options.tls?.clientKey ?? null,
          options.tls?.clientCert ?? null,
        );
    this.stub = new UserTokensServiceClient(target, credentials, channelOptions);
    this.token = options.token;
    this.tokenProvider = options.tokenProvider;
    if (options.workloadTokenFile) {
      this.workloadToken = new TokenFile(options.workloadTokenFile);
    }
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (options.retry) {
      const retry = options.retry === true ? {} : options.retry;
      this.retry = {
        maxAttempts: retry.maxAttempts ?? 3,
        initialBackoffMs: retry.initialBackoffMs ?? 200,
      };
    }
  }

  /** GetAuthToken: one token's metadata. Retried when retry is on. */
  async getAuthToken(
    request: GetAuthTokenInput,
    options?: CallOptions,
  ): Promise<GetAuthTokenResult> {
    const response = await this.call(
      this.stub.getAuthToken, GetAuthTokenRequest.fromPartial(request), options, true);
    return requireField(response, "token", "GetAuthToken");
  }

  /** ListAuthTokens: every token, all pages. Retried when retry is on. */
  listAuthTokens(
    request: DeepPartial<ListAuthTokensRequest> = {},
    options?: CallOptions,
  ): Promise<ListAuthTokensResponse> {
    return this.call(
      this.stub.listAuthTokens, ListAuthTokensRequest.fromPartial(request), options, true);
  }

  /** ListAuthTokensRaw: one page as Vercel sent it. Retried when retry is on. */
  async listAuthTokensRaw(
    request: DeepPartial<ListAuthTokensRawRequest> = {},
    options?: CallOptions,
  ): Promise<ListAuthTokensRawResult> {
    const response = await this.call(
      this.stub.listAuthTokensRaw, ListAuthTokensRawRequest.fromPartial(request), options, true);
    return requireField(response, "pagination", "ListAuthTokensRaw");
  }

  /**
   * Yields page after page from the request's cursor, following each page's
   * `pagination.nextCursor` as the next `until`, up to the last page. Each
   * page is one call with `options` (its own deadline, the same signal).
   *
   *     for await (const page of client.listAuthTokensRawPages({ limit: 50 })) { ... }
   */
  async *listAuthTokensRawPages(
    request: DeepPartial<ListAuthTokensRawRequest> = {},
    options?: CallOptions,
  ): AsyncGenerator<ListAuthTokensRawResult, void, undefined> {
    let next: ListAuthTokensRawRequest | undefined = ListAuthTokensRawRequest.fromPartial(request);
    while (next) {
      const page = await this.listAuthTokensRaw(next, options);
      yield page;
      const cursor = page.pagination.nextCursor;
      next = cursor && cursor !== next.until ? { ...next, until: cursor, since: "" } : undefined;
    }
  }

  /**
   * CreateAuthToken: a new token and its secret (`bearerToken`). Without a
   * `requestId` the call gets a fresh UUID v4 one, which the client's retries
   * repeat, so a retry never makes a second token.
   */
  async createAuthToken(
    request: CreateAuthTokenInput,
    options?: CallOptions,
  ): Promise<CreateAuthTokenResult> {
    const message = CreateAuthTokenRequest.fromPartial(request);
    if (!message.requestId) {
      message.requestId = randomUUID();
    }
    const response = await this.call(this.stub.createAuthToken, message, options, true);
    return requireField(response, "token", "CreateAuthToken");
  }

  /** DeleteAuthToken: revokes a token. Never retried. */
  deleteAuthToken(
    request: DeleteAuthTokenInput,
    options?: CallOptions,
  ): Promise<DeleteAuthTokenResponse> {
    return this.call(this.stub.deleteAuthToken, DeleteAuthTokenRequest.fromPartial(request), options);
  }

  /** EmailLogin: starts Vercel's email login. Never retried. */
  emailLogin(request: EmailLoginInput, options?: CallOptions): Promise<EmailLoginResponse> {
    return this.call(this.stub.emailLogin, EmailLoginRequest.fromPartial(request), options);
  }

  /** VerifyToken: completes the email login. Never retried. */
  verifyToken(request: VerifyTokenInput, options?: CallOptions): Promise<VerifyTokenResponse> {
    return this.call(this.stub.verifyToken, VerifyTokenRequest.fromPartial(request), options);
  }

  /** Closes the channel; calls in flight fail. */
  close(): void {
    this.stub.close();
  }

  // The metadata of one attempt: the caller's token and the workload token,
  // read now, then the call's own (whose authorization wins).
  private async metadata(options?: CallOptions): Promise<grpc.Metadata> {
    const perCall =
      options?.metadata instanceof grpc.Metadata
        ? options.metadata
        : Object.entries(options?.metadata ?? {}).reduce((m, [key, value]) => {
            m.add(key, value);
            return m;
          }, new grpc.Metadata());
    let token = this.token;
    if (this.tokenProvider) {
      try {
        token = await this.tokenProvider();
      } catch (error) {
        if (error instanceof UserTokensError) {
          throw error;
        }
        throw credentialsUnavailable(`the token provider failed: ${(error as Error).name}`);
      }
    }
    const metadata = new grpc.Metadata();
    if (token && perCall.get("authorization").length === 0) {
      metadata.set("authorization", `Bearer ${token}`);
    }
    if (this.workloadToken) {
      metadata.set("x-workload-token", this.workloadToken.read());
    }
    metadata.merge(perCall);
    return metadata;
  }

  // One attempt; rejects with the typed error, which also reads the
  // response headers (where the service puts x-ratelimit-*).
  private once<Req, Res>(
    method: Unary<Req, Res>,
    request: Req,
    metadata: grpc.Metadata,
    deadline: number,
    options?: CallOptions,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      let headers: grpc.Metadata | undefined;
      const signal = options?.signal;
      const onAbort = () => call.cancel();
      const done = (error: grpc.ServiceError | null, response: Res) => {
        signal?.removeEventListener("abort", onAbort);
        options?.responseMetadata?.fill(headers, error?.metadata);
        if (error) {
          reject(toUserTokensError(error, headers));
        } else {
          resolve(response);
        }
      };
      const call = method.call(this.stub, request, metadata, { deadline }, done);
      call.on("metadata", (received: grpc.Metadata) => {
        headers = received;
      });
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  private async call<Req, Res>(
    method: Unary<Req, Res>,
    request: Req,
    options?: CallOptions,
    retryable = false,
  ): Promise<Res> {
    const deadline = Date.now() + (options?.deadlineMs ?? this.deadlineMs);
    for (let attempt = 1; ; attempt++) {
      if (options?.signal?.aborted) {
        throw cancelled();
      }
      try {
        return await this.once(method, request, await this.metadata(options), deadline, options);
      } catch (error) {
        const wait =
          retryable && error instanceof UserTokensError ? this.delayAfter(error, attempt) : undefined;
        if (wait === undefined || Date.now() + wait >= deadline) {
          throw error;
        }
        await sleep(wait, options?.signal);
      }
    }
  }

  // How long to wait before attempt + 1, or undefined when not retried.
  private delayAfter(error: UserTokensError, attempt: number): number | undefined {
    if (!this.retry || attempt >= this.retry.maxAttempts) {
      return undefined;
    }
    if (!(error instanceof RateLimitedError || error instanceof UnavailableError)) {
      return undefined;
    }
    return (
      error.retryDelayMs ??
      this.retry.initialBackoffMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2)
    );
  }
}

/** Returns call metadata that authenticates a call with a Vercel token. */
export function bearerMetadata(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}
