package io.github.vercelusertokens.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of one call: its deadline (retries included), metadata sent after the client's own (an
 * {@code authorization} here replaces the client's credentials), and a {@link ResponseMetadata}
 * to fill. Cancellation: cancel the {@code io.grpc.Context} the call runs in, or the future of
 * {@link UserTokensAsyncClient}. Immutable; each method returns a changed copy.
 *
 * <pre>{@code
 * ResponseMetadata md = new ResponseMetadata();
 * client.listAuthTokens(request, CallOptions.create()
 *     .deadline(Duration.ofSeconds(2)).metadata(Map.of("x-trace", "t1")).responseMetadata(md));
 * }</pre>
 */
public final class CallOptions {
  private static final CallOptions DEFAULTS = new CallOptions(null, Map.of(), null);

  private final Duration deadline;
  private final Map<String, String> metadata;
  private final ResponseMetadata responseMetadata;

  private CallOptions(Duration deadline, Map<String, String> metadata,
      ResponseMetadata responseMetadata) {
    this.deadline = deadline;
    this.metadata = metadata;
    this.responseMetadata = responseMetadata;
  }

  /** No per-call options: the client's deadline and metadata. */
  public static CallOptions create() {
    return DEFAULTS;
  }

  /** This call's deadline instead of the client's (positive). */
  public CallOptions deadline(Duration callDeadline) {
    if (callDeadline.isNegative() || callDeadline.isZero()) {
      throw new IllegalArgumentException("the deadline must be positive");
    }
    return new CallOptions(callDeadline, metadata, responseMetadata);
  }

  /** Metadata to send with this call (keys lower-case ASCII, as gRPC requires). */
  public CallOptions metadata(Map<String, String> callMetadata) {
    return new CallOptions(deadline, Map.copyOf(new LinkedHashMap<>(callMetadata)),
        responseMetadata);
  }

  /** The holder the call's response metadata is written to. */
  public CallOptions responseMetadata(ResponseMetadata holder) {
    return new CallOptions(deadline, metadata, holder);
  }

  Duration deadline() {
    return deadline;
  }

  Map<String, String> metadata() {
    return metadata;
  }

  ResponseMetadata responseMetadata() {
    return responseMetadata;
  }
}
