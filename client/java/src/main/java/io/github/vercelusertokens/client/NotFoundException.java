package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code NOT_FOUND}: the token (or the login) does not exist. */
public class NotFoundException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  NotFoundException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
