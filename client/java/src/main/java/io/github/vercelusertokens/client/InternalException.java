package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code INTERNAL}: the service or Vercel failed in a way retrying does not fix. */
public class InternalException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  InternalException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
