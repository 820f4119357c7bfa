package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/**
 * {@code RESOURCE_EXHAUSTED}: Vercel limits the rate of calls;
 * {@link #getRetryDelay()} says how long to wait before the next one.
 */
public class RateLimitedException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  RateLimitedException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
