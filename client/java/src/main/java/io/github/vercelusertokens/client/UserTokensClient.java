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
import io.grpc.ChannelCredentials;
import io.grpc.Deadline;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

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
 * <p>Every call carries the caller's Vercel token (when one is set) and a
 * deadline (the default deadline, 30 s unless set), and fails with a
 * {@link UserTokensException} subclass. With a {@link RetryPolicy}, the
 * read-only calls are retried as it says, within that deadline.
 *
 * <p>Thread-safe. A client made by {@link Builder#build()} owns its channel
 * and shuts it down on {@link #close()}; one made by
 * {@link #withDeadline(Duration)} shares its parent's channel.
 */
public final class UserTokensClient implements AutoCloseable {
  private final ManagedChannel channel;
  private final boolean ownsChannel;
  private final UserTokensServiceBlockingStub stub;
  private final Duration deadline;
  private final RetryPolicy retry;

  private UserTokensClient(ManagedChannel channel, boolean ownsChannel,
      UserTokensServiceBlockingStub stub, Duration deadline, RetryPolicy retry) {
    this.channel = channel;
    this.ownsChannel = ownsChannel;
    this.stub = stub;
    this.deadline = deadline;
    this.retry = retry;
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
    private String token;
    private Duration deadline = Duration.ofSeconds(30);
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

    /** Sends this Vercel token with every call; without one the server's own is used, if any. */
    public Builder token(String vercelToken) {
      token = vercelToken;
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

    /** Retries the read-only calls as {@code policy} says (default: never). */
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
      UserTokensServiceBlockingStub stub = UserTokensServiceGrpc.newBlockingStub(channel);
      if (token != null) {
        stub = stub.withInterceptors(new BearerTokenInterceptor(token));
      }
      return new UserTokensClient(channel, true, stub, deadline,
          retry == null ? RetryPolicy.defaults().withMaxAttempts(1) : retry);
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
    return new UserTokensClient(channel, false, stub, callDeadline, retry);
  }

  /** The channel, to make other stubs on it (e.g. the health service's). */
  public ManagedChannel channel() {
    return channel;
  }

  /** GetAuthToken: one token's metadata. Retried under the retry policy. */
  public GetAuthTokenResponse getAuthToken(GetAuthTokenRequest request) {
    return read(s -> s.getAuthToken(request));
  }

  /** ListAuthTokens: every token, all pages. Retried under the retry policy. */
  public ListAuthTokensResponse listAuthTokens(ListAuthTokensRequest request) {
    return read(s -> s.listAuthTokens(request));
  }

  /** ListAuthTokensRaw: one page, as Vercel sent it. Retried under the retry policy. */
  public ListAuthTokensRawResponse listAuthTokensRaw(ListAuthTokensRawRequest request) {
    return read(s -> s.listAuthTokensRaw(request));
  }

  /** CreateAuthToken: a new token and its secret. Never retried. */
  public CreateAuthTokenResponse createAuthToken(CreateAuthTokenRequest request) {
    return once(s -> s.createAuthToken(request));
  }

  /** DeleteAuthToken: revokes a token. Never retried. */
  public DeleteAuthTokenResponse deleteAuthToken(DeleteAuthTokenRequest request) {
    return once(s -> s.deleteAuthToken(request));
  }

  /** EmailLogin: starts Vercel's email login. Never retried. */
  public EmailLoginResponse emailLogin(EmailLoginRequest request) {
    return once(s -> s.emailLogin(request));
  }

  /** VerifyToken: completes it. Never retried. */
  public VerifyTokenResponse verifyToken(VerifyTokenRequest request) {
    return once(s -> s.verifyToken(request));
  }

  private <T> T once(Function<UserTokensServiceBlockingStub, T> call) {
    return attempt(call, newDeadline());
  }

  // One call; its response headers are kept for the exception it may throw.
  private <T> T attempt(Function<UserTokensServiceBlockingStub, T> call, Deadline callDeadline) {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    try {
      return call.apply(stub.withDeadline(callDeadline)
          .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers)));
    } catch (StatusRuntimeException e) {
      throw UserTokensException.from(e, headers.get());
    }
  }

  private <T> T read(Function<UserTokensServiceBlockingStub, T> call) {
    Deadline callDeadline = newDeadline();
    for (int attempt = 1; ; attempt++) {
      try {
        return attempt(call, callDeadline);
      } catch (UserTokensException error) {
        Duration wait = retry.delayAfter(error, attempt);
        if (wait == null || wait.toNanos() >= callDeadline.timeRemaining(TimeUnit.NANOSECONDS)) {
          throw error;
        }
        sleep(wait, error);
      }
    }
  }

  private Deadline newDeadline() {
    return Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS);
  }

  private static void sleep(Duration wait, UserTokensException error) {
    try {
      TimeUnit.NANOSECONDS.sleep(wait.toNanos());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      throw error;
    }
  }

  /** Shuts the channel down, if this client owns it, waiting up to 5 s for calls in flight. */
  @Override
  public void close() throws InterruptedException {
    if (ownsChannel) {
      channel.shutdown();
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    }
  }
}
