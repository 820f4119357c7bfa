package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code UNAUTHENTICATED}: no Vercel token, or one Vercel does not accept. */
public class UnauthenticatedException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  UnauthenticatedException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
