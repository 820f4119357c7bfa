package io.github.vercelusertokens.client;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

/** {@code ALREADY_EXISTS}: what the call would create exists already. */
public class AlreadyExistsException extends UserTokensException {
  private static final long serialVersionUID = 1L;

  AlreadyExistsException(StatusRuntimeException cause, Metadata headers) {
    super(cause, headers);
  }
}
