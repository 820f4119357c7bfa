// UserTokensClient: a promise API over the generated grpc-js client, with
// the caller's Vercel token on every call, a default deadline, typed errors
// and an opt-in retry of the read-only calls.

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
import { toUserTokensError, UserTokensError } from "./errors";

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

/** When the read-only calls (get, list, list raw) are tried again. */
export interface RetryOptions {
  /** Attempts per call, the first included (default 3). */
  maxAttempts?: number;
  /** The first wait on UNAVAILABLE without a RetryInfo, doubling after (default 100 ms). */
  initialBackoffMs?: number;
}

/** How a UserTokensClient connects and calls. */
export interface ClientOptions {
  /**
   * The caller's Vercel token, sent with every call; without one the
   * server's own is used, if any.
   */
  token?: string;
  /** Plaintext instead of TLS, as inside a cluster or to localhost. */
  insecure?: boolean;
  /** TLS settings (TLS with Node's default roots when neither this nor insecure is set). */
  tls?: TlsOptions;
  /** Deadline of each call, retries included, in milliseconds (default 30 000). */
  deadlineMs?: number;
  /** Retry the read-only calls (default: never). `true` means the defaults. */
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
}

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

const DEFAULT_DEADLINE_MS = 30_000;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
 *     const client = new UserTokensClient("localhost:50051",
 *       { insecure: true, token: process.env.VERCEL_TOKEN, retry: true });
 *     const { tokens } = await client.listAuthTokens();
 *     client.close();
 */
export class UserTokensClient {
  /** The generated grpc-js client, for anything this class does not cover. */
  readonly stub: UserTokensServiceClient;
  private readonly metadata: grpc.Metadata;
  private readonly deadlineMs: number;
  private readonly retry?: Required<RetryOptions>;

  /**
   * `target` is `host:port`, or a gRPC name such as
   * `dns:///vercel-user-tokens-headless.ns.svc.cluster.local:50051`.
   */
  constructor(target: string, options: ClientOptions = {}) {
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
    const credentials = options.insecure
      ? grpc.credentials.createInsecure()
      : grpc.credentials.createSsl(
          options.tls?.rootCa ?? null,
          options.tls?.clientKey ?? null,
          options.tls?.clientCert ?? null,
        );
    this.stub = new UserTokensServiceClient(target, credentials, channelOptions);
    this.metadata = options.token ? bearerMetadata(options.token) : new grpc.Metadata();
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    if (options.retry) {
      const retry = options.retry === true ? {} : options.retry;
      this.retry = {
        maxAttempts: retry.maxAttempts ?? 3,
        initialBackoffMs: retry.initialBackoffMs ?? 100,
      };
    }
  }

  /** GetAuthToken: one token's metadata. Retried when retry is on. */
  async getAuthToken(
    request: DeepPartial<GetAuthTokenRequest>,
    options?: CallOptions,
  ): Promise<GetAuthTokenResult> {
    const response = await this.read(
      this.stub.getAuthToken, GetAuthTokenRequest.fromPartial(request), options);
    return requireField(response, "token", "GetAuthToken");
  }

  /** ListAuthTokens: every token, all pages. Retried when retry is on. */
  listAuthTokens(
    request: DeepPartial<ListAuthTokensRequest> = {},
    options?: CallOptions,
  ): Promise<ListAuthTokensResponse> {
    return this.read(this.stub.listAuthTokens, ListAuthTokensRequest.fromPartial(request), options);
  }

  /** ListAuthTokensRaw: one page as Vercel sent it. Retried when retry is on. */
  async listAuthTokensRaw(
    request: DeepPartial<ListAuthTokensRawRequest> = {},
    options?: CallOptions,
  ): Promise<ListAuthTokensRawResult> {
    const response = await this.read(
      this.stub.listAuthTokensRaw, ListAuthTokensRawRequest.fromPartial(request), options);
    return requireField(response, "pagination", "ListAuthTokensRaw");
  }

  /** CreateAuthToken: a new token and its secret (`bearerToken`). Never retried. */
  async createAuthToken(
    request: DeepPartial<CreateAuthTokenRequest>,
    options?: CallOptions,
  ): Promise<CreateAuthTokenResult> {
    const response = await this.once(
      this.stub.createAuthToken,
      CreateAuthTokenRequest.fromPartial(request),
      this.deadline(options),
    );
    return requireField(response, "token", "CreateAuthToken");
  }

  /** DeleteAuthToken: revokes a token. Never retried. */
  deleteAuthToken(
    request: DeepPartial<DeleteAuthTokenRequest>,
    options?: CallOptions,
  ): Promise<DeleteAuthTokenResponse> {
    return this.once(
      this.stub.deleteAuthToken,
      DeleteAuthTokenRequest.fromPartial(request),
      this.deadline(options),
    );
  }

  /** EmailLogin: starts Vercel's email login. Never retried. */
  emailLogin(
    request: DeepPartial<EmailLoginRequest>,
    options?: CallOptions,
  ): Promise<EmailLoginResponse> {
    return this.once(
      this.stub.emailLogin,
      EmailLoginRequest.fromPartial(request),
      this.deadline(options),
    );
  }

  /** VerifyToken: completes the email login. Never retried. */
  verifyToken(
    request: DeepPartial<VerifyTokenRequest>,
    options?: CallOptions,
  ): Promise<VerifyTokenResponse> {
    return this.once(
      this.stub.verifyToken,
      VerifyTokenRequest.fromPartial(request),
      this.deadline(options),
    );
  }

  /** Closes the channel; calls in flight fail. */
  close(): void {
    this.stub.close();
  }

  private deadline(options?: CallOptions): number {
    return Date.now() + (options?.deadlineMs ?? this.deadlineMs);
  }

  // One attempt; rejects with the typed error, which also reads the
  // response headers (where the service puts x-ratelimit-*).
  private once<Req, Res>(method: Unary<Req, Res>, request: Req, deadline: number): Promise<Res> {
    return new Promise((resolve, reject) => {
      let headers: grpc.Metadata | undefined;
      const done = (error: grpc.ServiceError | null, response: Res) => {
        if (error) {
          reject(toUserTokensError(error, headers));
        } else {
          resolve(response);
        }
      };
      const call = method.call(this.stub, request, this.metadata, { deadline }, done);
      call.on("metadata", (metadata: grpc.Metadata) => {
        headers = metadata;
      });
    });
  }

  private async read<Req, Res>(
    method: Unary<Req, Res>,
    request: Req,
    options?: CallOptions,
  ): Promise<Res> {
    const deadline = this.deadline(options);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(method, request, deadline);
      } catch (error) {
        const wait = error instanceof UserTokensError ? this.delayAfter(error, attempt) : undefined;
        if (wait === undefined || Date.now() + wait >= deadline) {
          throw error;
        }
        await sleep(wait);
      }
    }
  }

  // How long to wait before attempt + 1, or undefined when not retried.
  private delayAfter(error: UserTokensError, attempt: number): number | undefined {
    if (!this.retry || attempt >= this.retry.maxAttempts) {
      return undefined;
    }
    switch (error.code) {
      case grpc.status.RESOURCE_EXHAUSTED:
        return error.retryDelayMs;
      case grpc.status.UNAVAILABLE:
        return error.retryDelayMs ?? this.retry.initialBackoffMs * 2 ** (attempt - 1);
      default:
        return undefined;
    }
  }
}

/** Returns call metadata that authenticates a call with a Vercel token. */
export function bearerMetadata(token: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set("authorization", `Bearer ${token}`);
  return metadata;
}
