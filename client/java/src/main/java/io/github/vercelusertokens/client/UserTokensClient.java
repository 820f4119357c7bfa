package io.github.vercelusertokens.client;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.github.vercelusertokens.authentication.v1.CreateAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.CreateAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.DeleteAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.DeleteAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.EmailLoginRequest;
import io.github.vercelusertokens.authentication.v1.EmailLoginResponse;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenRequest;
import io.github.vercelusertokens.authentication.v1.GetAuthTokenResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRawResponse;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensRequest;
import io.github.vercelusertokens.authentication.v1.ListAuthTokensResponse;
import io.github.vercelusertokens.authentication.v1.UserTokensServiceGrpc;
import io.github.vercelusertokens.authentication.v1.UserTokensServiceGrpc.UserTokensServiceBlockingStub;
import io.github.vercelusertokens.authentication.v1.VerifyTokenRequest;
import io.github.vercelusertokens.authentication.v1.VerifyTokenResponse;
import com.google.rpc.ErrorInfo;
import io.grpc.ChannelCredentials;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A blocking client of the vercel-user-tokens service
 * ({@code vercel.authentication.v1.UserTokensService}).
 *
 * <pre>{@code
 * try (UserTokensClient client = UserTokensClient.builder("localhost:50051")
 *     .plaintext().token(System.getenv("VERCEL_TOKEN")).build()) {
 *   client.listAuthTokens(ListAuthTokensRequest.getDefaultInstance());
 * }
 * }</pre>
 *
 * <p>It follows client/SPEC.md. Every call carries the caller's Vercel token
 * (a fixed one, or the {@link Builder#tokenProvider(Supplier) provider}'s
 * current one), the workload token when {@link Builder#workloadTokenFile(Path)}
 * is set, and a deadline ({@link #DEFAULT_DEADLINE} unless set, retries
 * included), and fails with a {@link UserTokensException} subclass per gRPC
 * code. Retries are off unless {@link Builder#retry(RetryPolicy)}. Each method
 * also takes {@link CallOptions} (deadline, metadata, response metadata); a
 * call is cancelled by cancelling the {@code io.grpc.Context} it runs in.
 * {@link #async()} gives the same calls as {@code CompletableFuture}s.
 *
 * <p>Thread-safe. A client made by {@link Builder#build()} owns its channel
 * and shuts it down on {@link #close()}; one made by
 * {@link #withDeadline(Duration)} shares its parent's channel.
 */
public final class UserTokensClient implements AutoCloseable {
  /** The deadline of a call, retries included, unless the builder or the call sets another. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

  static final String CLIENT_DOMAIN = "vercel-user-tokens-client";
  private static final Metadata.Key<String> WORKLOAD_TOKEN =
      Metadata.Key.of("x-workload-token", Metadata.ASCII_STRING_MARSHALLER);

  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final UserTokensServiceBlockingStub stub;
  private final Duration deadline;
  private final RetryPolicy retry;
  private final Supplier<String> tokenProvider;
  private final Supplier<String> workloadToken;

  private UserTokensClient(ManagedChannel channel, boolean ownsChannel,
      UserTokensServiceBlockingStub stub, Duration deadline, RetryPolicy retry,
      Supplier<String> tokenProvider, Supplier<String> workloadToken) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.stub = stub;
    this.deadline = deadline;
    this.retry = retry;
    this.tokenProvider = tokenProvider;
    this.workloadToken = workloadToken;
  }

  /**
   * Starts a client of the service at {@code target}: {@code host:port}, or a
   * gRPC name such as {@code dns:///vercel-user-tokens.ns.svc.cluster.local:50051}.
   */
  public static Builder builder(String target) {
    return new Builder(target);
  }

  /** Options of a {@link UserTokensClient}; TLS with the system's roots unless set. */
  public static final class Builder {
    private final String target;
    private boolean plaintext;
    private File rootCertificates;
    private File clientCertificate;
    private File clientKey;
    private String serverNameOverride;
    private Supplier<String> tokenProvider;
    private Path workloadTokenFile;
    private Duration deadline = DEFAULT_DEADLINE;
    private RetryPolicy retry;
    private String loadBalancingPolicy;

    private Builder(String target) {
      this.target = target;
    }

    /** Talks plaintext (no TLS), as inside a cluster or to localhost. */
    public Builder plaintext() {
      plaintext = true;
      return this;
    }

    /** Trusts these PEM root certificates instead of the system's. */
    public Builder rootCertificates(File pem) {
      rootCertificates = pem;
      return this;
    }

    /**
     * Presents this PEM certificate chain and key (mutual TLS). The key is unencrypted PEM:
     * PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA ({@code BEGIN RSA PRIVATE KEY}, cert-manager's
     * default) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}).
     */
    public Builder clientCertificate(File certificateChain, File privateKey) {
      clientCertificate = certificateChain;
      clientKey = privateKey;
      return this;
    }

    /** Checks the server's certificate for this name instead of the target's host. */
    public Builder serverNameOverride(String name) {
      serverNameOverride = name;
      return this;
    }

    /**
     * Sends this Vercel token with every call; null sends none (the server's own is used, if
     * any).
     *
     * @throws IllegalArgumentException when the token is empty
     */
    public Builder token(String vercelToken) {
      if (vercelToken != null && vercelToken.isEmpty()) {
        throw new IllegalArgumentException("the Vercel token is empty");
      }
      tokenProvider = vercelToken == null ? null : () -> vercelToken;
      return this;
    }

    /**
     * Asks {@code provider} for the current Vercel token before every attempt of every call
     * (e.g. {@link TokenProviders#file(Path)}); an empty token sends no {@code authorization}.
     * When it throws, the call fails with {@link UnauthenticatedException}, reason
     * {@code CREDENTIALS_UNAVAILABLE}, before anything is sent. Must be thread-safe.
     */
    public Builder tokenProvider(Supplier<String> provider) {
      tokenProvider = provider;
      return this;
    }

    /**
     * Sends this file's contents (a projected ServiceAccount token, e.g.
     * {@code /var/run/secrets/tokens/vercel-user-tokens}) as metadata {@code x-workload-token}
     * on every call, read again as {@link TokenProviders#file(Path)} says.
     */
    public Builder workloadTokenFile(Path file) {
      workloadTokenFile = file;
      return this;
    }

    /** Deadline of each call, retries included (default 30 s). */
    public Builder defaultDeadline(Duration callDeadline) {
      if (callDeadline.isNegative() || callDeadline.isZero()) {
        throw new IllegalArgumentException("the deadline must be positive");
      }
      deadline = callDeadline;
      return this;
    }

    /** Retries as {@code policy} says (default: never). */
    public Builder retry(RetryPolicy policy) {
      retry = policy;
      return this;
    }

    /**
     * Spreads calls over the target's addresses with this policy, e.g.
     * {@code round_robin} for a headless Kubernetes Service.
     */
    public Builder loadBalancingPolicy(String policy) {
      loadBalancingPolicy = policy;
      return this;
    }

    /**
     * Opens the channel (lazily: nothing connects before the first call).
     *
     * @throws UncheckedIOException when a certificate or key cannot be read
     * @throws IllegalArgumentException when the client key is encrypted or none of PKCS#8, PKCS#1
     *     RSA and SEC1 EC PEM
     */
    public UserTokensClient build() {
      ManagedChannelBuilder<?> builder = Grpc.newChannelBuilder(target, credentials());
      if (serverNameOverride != null) {
        builder.overrideAuthority(serverNameOverride);
      }
      if (loadBalancingPolicy != null) {
        builder.defaultLoadBalancingPolicy(loadBalancingPolicy);
      }
      ManagedChannel channel = builder.build();
      return new UserTokensClient(channel, true, UserTokensServiceGrpc.newBlockingStub(channel),
          deadline, retry == null ? RetryPolicy.defaults().withMaxAttempts(1) : retry,
          tokenProvider,
          workloadTokenFile == null ? null : TokenProviders.file(workloadTokenFile));
    }

    private ChannelCredentials credentials() {
      if (plaintext) {
        return InsecureChannelCredentials.create();
      }
      try {
        TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
        if (rootCertificates != null) {
          tls.trustManager(rootCertificates);
        }
        if (clientCertificate != null) {
          // grpc-java reads only PKCS#8 keys.
          String key = new String(Files.readAllBytes(clientKey.toPath()), US_ASCII);
          try (InputStream chain = new FileInputStream(clientCertificate)) {
            tls.keyManager(chain, new ByteArrayInputStream(
                PemKeys.toPkcs8Pem(key).getBytes(US_ASCII)));
          }
        }
        return tls.build();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read a TLS certificate or key", e);
      }
    }
  }

  /** A client whose calls get {@code callDeadline}; it shares this client's channel. */
  public UserTokensClient withDeadline(Duration callDeadline) {
    return new UserTokensClient(channel, false, stub, callDeadline, retry, tokenProvider,
        workloadToken);
  }

  /** The channel, to make other stubs on it (e.g. the health service's). */
  public ManagedChannel channel() {
    return channel;
  }

  /**
   * The same calls, each returning a {@code CompletableFuture} on grpc-java's non-blocking
   * calls; cancelling the future cancels the call. It shares this client's channel, options and
   * deadline (and is closed with it).
   */
  public UserTokensAsyncClient async() {
    return new UserTokensAsyncClient(this);
  }

  /** GetAuthToken: one token's metadata. Retried under the retry policy. */
  public GetAuthTokenResponse getAuthToken(GetAuthTokenRequest request) {
    return getAuthToken(request, CallOptions.create());
  }

  /** GetAuthToken with per-call options. */
  public GetAuthTokenResponse getAuthToken(GetAuthTokenRequest request, CallOptions options) {
    return call(s -> s.getAuthToken(request), options, true);
  }

  /** ListAuthTokens: every token, all pages. Retried under the retry policy. */
  public ListAuthTokensResponse listAuthTokens(ListAuthTokensRequest request) {
    return listAuthTokens(request, CallOptions.create());
  }

  /** ListAuthTokens with per-call options. */
  public ListAuthTokensResponse listAuthTokens(ListAuthTokensRequest request,
      CallOptions options) {
    return call(s -> s.listAuthTokens(request), options, true);
  }

  /** ListAuthTokensRaw: one page, as Vercel sent it. Retried under the retry policy. */
  public ListAuthTokensRawResponse listAuthTokensRaw(ListAuthTokensRawRequest request) {
    return listAuthTokensRaw(request, CallOptions.create());
  }

  /** ListAuthTokensRaw with per-call options. */
  public ListAuthTokensRawResponse listAuthTokensRaw(ListAuthTokensRawRequest request,
      CallOptions options) {
    return call(s -> s.listAuthTokensRaw(request), options, true);
  }

  /**
   * Every page of ListAuthTokensRaw from {@code request}'s cursor on, each fetched when the
   * iteration reaches it (one call with {@code options}), following
   * {@code pagination.next_cursor} as {@code until} until a page has none (or repeats the one
   * sent). A failed call throws from {@code next()}.
   */
  public Iterable<ListAuthTokensRawResponse> listAuthTokensRawPages(
      ListAuthTokensRawRequest request, CallOptions options) {
    return () -> new Iterator<>() {
      private ListAuthTokensRawRequest next = request;

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public ListAuthTokensRawResponse next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        ListAuthTokensRawRequest sent = next;
        ListAuthTokensRawResponse page = listAuthTokensRaw(sent, options);
        String cursor = page.getPagination().getNextCursor();
        next = cursor.isEmpty() || cursor.equals(sent.getUntil()) ? null
            : sent.toBuilder().clearSince().setUntil(cursor).build();
        return page;
      }
    };
  }

  /** {@link #listAuthTokensRawPages(ListAuthTokensRawRequest, CallOptions)} with no options. */
  public Iterable<ListAuthTokensRawResponse> listAuthTokensRawPages(
      ListAuthTokensRawRequest request) {
    return listAuthTokensRawPages(request, CallOptions.create());
  }

  /**
   * CreateAuthToken: a new token and its secret. An empty {@code request_id} is filled with a
   * fresh UUID v4, the same on every retry, so that the service creates one token; the caller's
   * request is not changed. Retried under the retry policy.
   */
  public CreateAuthTokenResponse createAuthToken(CreateAuthTokenRequest request) {
    return createAuthToken(request, CallOptions.create());
  }

  /** CreateAuthToken with per-call options. */
  public CreateAuthTokenResponse createAuthToken(CreateAuthTokenRequest request,
      CallOptions options) {
    CreateAuthTokenRequest sent = request.getRequestId().isEmpty()
        ? request.toBuilder().setRequestId(UUID.randomUUID().toString()).build()
        : request;
    return call(s -> s.createAuthToken(sent), options, true);
  }

  /** DeleteAuthToken: revokes a token. Never retried. */
  public DeleteAuthTokenResponse deleteAuthToken(DeleteAuthTokenRequest request) {
    return deleteAuthToken(request, CallOptions.create());
  }

  /** DeleteAuthToken with per-call options. */
  public DeleteAuthTokenResponse deleteAuthToken(DeleteAuthTokenRequest request,
      CallOptions options) {
    return call(s -> s.deleteAuthToken(request), options, false);
  }

  /** EmailLogin: starts Vercel's email login. Never retried. */
  public EmailLoginResponse emailLogin(EmailLoginRequest request) {
    return emailLogin(request, CallOptions.create());
  }

  /** EmailLogin with per-call options. */
  public EmailLoginResponse emailLogin(EmailLoginRequest request, CallOptions options) {
    return call(s -> s.emailLogin(request), options, false);
  }

  /** VerifyToken: completes it. Never retried. */
  public VerifyTokenResponse verifyToken(VerifyTokenRequest request) {
    return verifyToken(request, CallOptions.create());
  }

  /** VerifyToken with per-call options. */
  public VerifyTokenResponse verifyToken(VerifyTokenRequest request, CallOptions options) {
    return call(s -> s.verifyToken(request), options, false);
  }

  // The headers of one attempt: credentials (asked afresh), workload token, the call's own.
  Metadata headers(CallOptions options) {
    Metadata headers = new Metadata();
    boolean callAuthorizes = options.metadata().keySet().stream()
        .anyMatch(k -> k.equalsIgnoreCase("authorization"));
    if (!callAuthorizes && tokenProvider != null) {
      String token = provide(tokenProvider);
      if (!token.isEmpty()) {
        headers.put(BearerTokenInterceptor.AUTHORIZATION, "Bearer " + token);
      }
    }
    if (workloadToken != null) {
      headers.put(WORKLOAD_TOKEN, provide(workloadToken));
    }
    for (Map.Entry<String, String> e : options.metadata().entrySet()) {
      headers.put(Metadata.Key.of(e.getKey().toLowerCase(java.util.Locale.ROOT),
          Metadata.ASCII_STRING_MARSHALLER), e.getValue());
    }
    return headers;
  }

  // A provider's value, or UNAUTHENTICATED / CREDENTIALS_UNAVAILABLE naming why.
  private static String provide(Supplier<String> provider) {
    try {
      String value = provider.get();
      return value == null ? "" : value;
    } catch (RuntimeException e) {
      com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
          .setCode(Status.Code.UNAUTHENTICATED.value())
          .setMessage("credentials unavailable: " + e.getMessage())
          .addDetails(com.google.protobuf.Any.pack(ErrorInfo.newBuilder()
              .setReason("CREDENTIALS_UNAVAILABLE").setDomain(CLIENT_DOMAIN).build()))
          .build();
      throw UserTokensException.from(StatusProto.toStatusRuntimeException(status));
    }
  }

  // One attempt; its response metadata goes to the exception and the caller's holder.
  private <T> T attempt(Function<UserTokensServiceBlockingStub, T> call, Deadline callDeadline,
      CallOptions options) {
    Metadata extra = headers(options);
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    try {
      return call.apply(stub.withDeadline(callDeadline).withInterceptors(
          MetadataUtils.newAttachHeadersInterceptor(extra),
          MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)));
    } catch (StatusRuntimeException e) {
      throw UserTokensException.from(e, headers.get());
    } finally {
      if (options.responseMetadata() != null) {
        options.responseMetadata().fill(headers.get(), trailers.get());
      }
    }
  }

  // The one deadline of a call starting now, all its attempts included.
  Deadline deadlineOf(CallOptions options) {
    Duration callTimeout = options.deadline() != null ? options.deadline() : deadline;
    return Deadline.after(callTimeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  RetryPolicy retryPolicy() {
    return retry;
  }

  private <T> T call(Function<UserTokensServiceBlockingStub, T> call, CallOptions options,
      boolean retryable) {
    Deadline callDeadline = deadlineOf(options);
    for (int attempt = 1; ; attempt++) {
      try {
        return attempt(call, callDeadline, options);
      } catch (UserTokensException error) {
        Duration wait = retryable ? retry.delayAfter(error, attempt) : null;
        if (wait == null || Context.current().isCancelled()
            || wait.toNanos() >= callDeadline.timeRemaining(TimeUnit.NANOSECONDS)) {
          throw error;
        }
        sleep(wait, error);
      }
    }
  }

  private static void sleep(Duration wait, UserTokensException error) {
    try {
      TimeUnit.NANOSECONDS.sleep(wait.toNanos());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw error;
    }
  }

  /**
   * Shuts the channel down, if this client owns it, waiting up to 5 s for calls in flight (an
   * interrupt ends the wait at once and keeps the thread's interrupt flag).
   */
  @Override
  public void close() {
    if (!ownsChannel) {
      return;
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException interrupted) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
