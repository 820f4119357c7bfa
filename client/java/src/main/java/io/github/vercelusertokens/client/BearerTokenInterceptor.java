package io.github.vercelusertokens.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;

/**
 * Attaches a Vercel token to every call as {@code authorization: Bearer
 * <token>}, which the service forwards to Vercel. Use it on a generated stub
 * ({@code UserTokensServiceGrpc.newBlockingStub(channel).withInterceptors(new
 * BearerTokenInterceptor(token))}); {@link UserTokensClient} adds it for you.
 * Immutable and thread-safe; its {@link #toString()} never shows the token.
 */
public final class BearerTokenInterceptor implements ClientInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String header;

  /** The token must not be empty. */
  public BearerTokenInterceptor(String token) {
    if (token == null || token.isEmpty()) {
      throw new IllegalArgumentException("the Vercel token is empty");
    }
    header = "Bearer " + token;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        headers.put(AUTHORIZATION, header);
        super.start(listener, headers);
      }
    };
  }

  @Override
  public String toString() {
    return "BearerTokenInterceptor{token=<redacted>}";
  }
}
