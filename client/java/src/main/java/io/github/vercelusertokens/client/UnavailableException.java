package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code UNAVAILABLE}: the service or Vercel could not be reached; retrying may help ({@link #getRetryDelay()} says when). */
public class UnavailableException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  UnavailableException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
